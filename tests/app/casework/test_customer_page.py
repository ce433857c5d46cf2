"""The customer record and case page: marker, needs, chronology and the next-step forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ube_core import procedure as p
from ube_core.services import cases
from ube_core.services.context import UserContext
from ube_core.storage.models import (
    AppealRequest,
    AuditEvent,
    CaseEvent,
    CaseReview,
    CircumstancesChange,
    Customer,
    Eia,
    InformalStep,
    LegalStep,
    Restriction,
    SpocHandover,
    Warning,
)

from . import data

App = Callable[[], AppTest]
Staff = dict[str, UserContext]
PAGE = "pages/customer.py"


def open_case(app: App, username: str, customer_id: int) -> AppTest:
    return data.open_page(app, username, PAGE, customer_id)


def forms(at: AppTest) -> set[str]:
    """The forms on the page, by key."""
    return {
        b.key.split(":", 1)[1].rsplit("-", 1)[0]
        for b in at.button
        if b.key and b.key.startswith("FormSubmitter:")
    }


def blocked(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def chronology(at: AppTest) -> object:
    (table,) = [d.value for d in at.dataframe if "label" in d.value.columns]
    return table


# -- what each role sees ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "username", ["officer", "casemanager", "linemanager", "seniorofficer", "manager"]
)
def test_every_reader_sees_the_warning_marker(
    username: str, staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff, needs="Anxiety; hearing impaired")
    data.restricted_case(db_url, staff, cid)
    at = open_case(app, username, cid)
    banner = data.errors(at)
    assert "**Contact restricted** until" in banner
    assert "Single point of contact \\(SPOC\\), Contact in writing only" in banner
    assert "**Single point of contact:** Case manager Person" in banner
    assert "Pass all enquiries to the SPOC, Case manager Person" in banner
    tabs = [t.label for t in at.tabs]
    special = [a for a in data.rows(db_url, AuditEvent) if a.action.endswith("special_category")]
    if username == "manager":
        # managers: marker, chronology and letters (to sign off), never needs, never a form
        assert tabs == ["Chronology", "Incidents", "Letters"]
        assert forms(at) == set()
        assert not any("hearing" in text for text in data.shown(at))
        assert special == []
    else:
        assert "Needs and support" in tabs
        assert any("Anxiety; hearing impaired" in text for text in data.shown(at))
        assert [a.username for a in special] == [username]


def test_officers_get_only_officer_forms(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid, days_ago=5)
    officer = open_case(app, "officer", cid)
    assert forms(officer) == {
        "customer_support",
        "customer_initial_warning",
        "customer_circumstances_change",
        "customer_appeal",
        "customer_reconsideration",
        "customer_needs",
    }
    # nothing of the case manager's is even listed for them
    assert "Restrict contact" not in blocked(officer)
    manager = open_case(app, "casemanager", cid)
    assert {"customer_eia", "customer_restrict", "customer_review"} <= forms(manager)


def test_a_blocked_action_shows_the_engines_reasons(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    with data.db(db_url) as engine:
        data.incident(engine, staff, cid, 3)
    at = open_case(app, "casemanager", cid)
    assert "customer_restrict" not in forms(at)
    assert "customer_formal_warning" not in forms(at)
    text = blocked(at)
    assert f"**Restrict contact** — {p.Reason.EIA_MISSING.explanation}" in text
    assert p.Reason.NO_FORMAL_WARNING.explanation in text
    assert p.Reason.NO_INFORMAL_STEP.explanation in text


def test_no_case_yet_offers_the_incident_form(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    at = open_case(app, "officer", cid)
    assert "No warning marker" in at.info[0].value
    links = [el.proto for el in at.get("page_link")]
    assert any(link.page == "incident" and link.query_string == f"customer={cid}" for link in links)


def test_the_chronology_filters_by_kind_and_names_who(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.warned_case(db_url, staff, cid)
    at = open_case(app, "manager", cid)
    table = chronology(at)
    assert list(table["label"]) == [
        "Log an incident",
        "Initial warning",
        "Equality impact assessment",
        "Formal written warning",
        "Log an incident",
    ]
    assert set(table["by"]) == {"Housing officer Person", "Case manager Person"}
    at.multiselect(key="customer_chronology_kinds").select("incident").run()
    table = chronology(at)
    assert list(table["label"]) == ["Log an incident", "Log an incident"]


# -- the forms ---------------------------------------------------------------------------------
def events(url: str) -> int:
    return data.count(url, CaseEvent)


def test_eia_form_records_the_appendix_5_answers(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.warned_case(db_url, staff, cid, eia=False)
    at = open_case(app, "casemanager", cid)
    before = events(db_url)
    at.text_area(key="customer_eia_conclusion").input("Proportionate: the abuse is serious.")
    data.submit(at, "customer_eia", "Record assessment")
    message = data.errors(at)
    assert "Say which needs, disabilities or vulnerabilities were considered" in message
    assert "Answer whether the action is a proportionate means" in message
    assert events(db_url) == before and data.count(db_url, Eia) == 0
    assert at.text_area(key="customer_eia_conclusion").value.startswith("Proportionate")
    at.text_area(key="customer_eia_needs_considered").input("Anxiety")
    at.text_area(key="customer_eia_adjustments").input("Written contact offered")
    at.text_area(key="customer_eia_alternatives").input("Support worker contacted")
    at.radio(key="customer_eia_proportionate").set_value("yes")
    data.submit(at, "customer_eia", "Record assessment")
    assert not at.exception
    assert "Equality impact assessment recorded" in at.success[0].value
    (row,) = data.rows(db_url, Eia)
    assert (row.needs_considered, row.adjustments, row.alternatives, row.proportionate) == (
        "Anxiety",
        "Written contact offered",
        "Support worker contacted",
        True,
    )
    assert row.conclusion == "Proportionate: the abuse is serious."
    # with a current EIA, the formal warning is now offered
    assert "customer_formal_warning" in forms(at)


def test_officer_records_an_initial_warning(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    with data.db(db_url) as engine:
        data.incident(engine, staff, cid, 2)
    at = open_case(app, "officer", cid)
    data.submit(at, "customer_initial_warning", "Record initial warning")
    assert "Say what was said or offered" in data.errors(at)
    assert data.count(db_url, InformalStep) == 0
    at.text_area(key="customer_initial_warning_note").input("Told them it must stop.")
    data.submit(at, "customer_initial_warning", "Record initial warning")
    assert "Initial (informal) warning recorded" in at.success[0].value
    (row,) = data.rows(db_url, InformalStep)
    assert (row.kind, row.note) == ("initial_warning", "Told them it must stop.")


def test_formal_warning_with_a_seriousness_override(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    with data.db(db_url) as engine:
        data.incident(engine, staff, cid, 5, severity="serious")
        case_id = data.case_id(db_url, cid)
        cases.record_eia(
            engine,
            user=staff["case_manager"],
            case_id=case_id,
            on=data.today() - timedelta(days=4),
            proportionate=True,
            needs_considered="None known",
            today=data.today(),
        )
    at = open_case(app, "casemanager", cid)
    (label,) = [e.label for e in at.expander if e.label.startswith("Formal written warning")]
    assert "only for serious behaviour" in label
    at.text_area(key="customer_formal_warning_behaviour").input("Threats of violence")
    at.checkbox(key="customer_formal_warning_skip").check()
    data.submit(at, "customer_formal_warning", "Record formal warning")
    assert any(p.Reason.JUSTIFICATION_REQUIRED.explanation in t for t in data.shown(at))
    assert data.count(db_url, Warning) == 0
    at.text_area(key="customer_formal_warning_override_reason").input(
        "A written warning would put the officer at risk."
    )
    data.submit(at, "customer_formal_warning", "Record formal warning")
    assert "Formal warning recorded" in at.success[0].value
    (row,) = data.rows(db_url, Warning)
    assert row.override_reason == "A written warning would put the officer at risk."


def test_restriction_form_names_each_missing_detail_then_restricts(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    data.warned_case(db_url, staff, cid)
    at = open_case(app, "casemanager", cid)
    before = events(db_url)
    at.multiselect(key="customer_restrict_types").select("single_channel").select("spoc")
    at.multiselect(key="customer_restrict_channels").select("email").select("letter")
    data.submit(at, "customer_restrict", "Restrict contact")
    message = data.errors(at)
    assert "choose exactly one allowed channel" in message
    assert "Choose the colleague who will be the single point of contact" in message
    assert "Give the reasons for restricting contact" in message
    assert events(db_url) == before and data.count(db_url, Restriction) == 0
    at.multiselect(key="customer_restrict_channels").unselect("letter")
    at.selectbox(key="customer_restrict_spoc").select(staff["line_manager"].id)
    at.number_input(key="customer_restrict_months").set_value(3)
    at.text_area(key="customer_restrict_reasons").input("Abuse continued after the warning.")
    at.multiselect(key="customer_restrict_informed_colleagues").select("Housing officer Person")
    at.text_input(key="customer_restrict_informed_contractors").input("Evolve repairs")
    data.submit(at, "customer_restrict", "Restrict contact")
    assert not at.exception
    assert "Contact restricted" in at.success[0].value
    (row,) = data.rows(db_url, Restriction)
    assert (row.types, row.allowed_channels, row.months) == ("single_channel,spoc", "email", 3)
    assert row.spoc_user_id == staff["line_manager"].id
    assert row.informed == "Colleagues: Housing officer Person; Contractors: Evolve repairs"
    # the marker now says so
    assert "**Contact restricted** until" in data.errors(at)


def test_breach_warning_legal_advice_and_review(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    case_id = data.restricted_case(db_url, staff, cid)
    with data.db(db_url) as engine:
        cases.record_contact(
            engine,
            user=staff["officer"],
            customer_id=cid,
            on=data.today() - timedelta(days=2),
            channel=p.Channel.PHONE,
            today=data.today(),
        )
    at = open_case(app, "casemanager", cid)
    assert "customer_legal_advice" not in forms(at)
    at.text_area(key="customer_breach_warning_behaviour").input("Phoned the office twice.")
    data.submit(at, "customer_breach_warning", "Record breach warning")
    assert "Breach warning recorded" in at.success[0].value
    assert [w.kind for w in data.rows(db_url, Warning)] == ["formal", "breach"]
    with data.db(db_url) as engine:  # ignored again after the warning
        cases.record_contact(
            engine,
            user=staff["officer"],
            customer_id=cid,
            on=data.today(),
            channel=p.Channel.VISIT,
            today=data.today(),
        )
    at.run()
    at.text_area(key="customer_legal_advice_note").input("Solicitor: injunction possible.")
    data.submit(at, "customer_legal_advice", "Record: seek legal advice")
    assert "Seek legal advice recorded" in at.success[0].value
    assert [(r.kind, r.note) for r in data.rows(db_url, LegalStep)] == [
        ("legal_advice", "Solicitor: injunction possible.")
    ]
    # a review must tell the customer: refused with the engine's reason until it does
    at.radio(key="customer_review_outcome").set_value("remain")
    at.text_area(key="customer_review_notes").input("Still phoning; restriction remains.")
    data.submit(at, "customer_review", "Record review")
    assert any(p.Reason.CUSTOMER_NOT_INFORMED.explanation in t for t in data.shown(at))
    assert data.count(db_url, CaseReview) == 0
    at.checkbox(key="customer_review_letter").check()
    data.submit(at, "customer_review", "Record review")
    assert "Review recorded" in at.success[0].value
    (review,) = data.rows(db_url, CaseReview)
    assert (review.case_id, review.outcome, review.customer_letter) == (case_id, "remain", True)


def test_appeal_in_time_and_out_of_time(staff: Staff, app: App, db_url: str) -> None:
    late = data.customer(db_url, staff, "Larry Late", "T0002")
    data.restricted_case(db_url, staff, late, days_ago=30)
    at = open_case(app, "officer", late)
    (label,) = [e.label for e in at.expander if e.label.startswith("Appeal received")]
    assert "check the date it arrived" in label
    data.submit(at, "customer_appeal", "Record appeal")
    assert any(p.Reason.APPEAL_OUT_OF_TIME.explanation in t for t in data.shown(at))
    assert any("record a reconsideration request instead" in i.value for i in at.info)
    assert data.count(db_url, AppealRequest) == 0
    # received within 14 days of the letter: in time
    at.date_input(key="customer_appeal_on").set_value(data.today() - timedelta(days=20))
    data.submit(at, "customer_appeal", "Record appeal")
    assert not at.exception
    assert "Appeal recorded: received in time" in at.success[0].value
    (row,) = data.rows(db_url, AppealRequest)
    assert (row.kind, row.received_on) == ("appeal", data.today() - timedelta(days=20))
    assert row.decision_due == data.today() + timedelta(days=8)


def test_reconsideration_request(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid)
    at = open_case(app, "officer", cid)
    data.submit(at, "customer_reconsideration", "Record reconsideration request")
    assert "the decision is due by" in at.success[0].value
    (row,) = data.rows(db_url, AppealRequest)
    assert (row.kind, row.received_on) == ("reconsideration", data.today())


def test_spoc_handover_needs_the_customer_told(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid)
    at = open_case(app, "casemanager", cid)
    data.submit(at, "customer_spoc_handover", "Hand over")
    assert "Choose the colleague who takes over as SPOC" in data.errors(at)
    at.selectbox(key="customer_spoc_handover_to").select(staff["line_manager"].id)
    data.submit(at, "customer_spoc_handover", "Hand over")
    assert any(p.Reason.CUSTOMER_NOT_INFORMED.explanation in t for t in data.shown(at))
    assert data.count(db_url, SpocHandover) == 0
    at.checkbox(key="customer_spoc_handover_informed").check()
    data.submit(at, "customer_spoc_handover", "Hand over")
    assert "SPOC handed over" in at.success[0].value
    (row,) = data.rows(db_url, SpocHandover)
    assert (row.to_user_id, row.customer_informed) == (staff["line_manager"].id, True)
    assert "**Single point of contact:** SPOC line manager Person" in data.errors(at)


def test_a_change_by_someone_else_is_not_overwritten(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    case_id = data.warned_case(db_url, staff, cid)
    at = open_case(app, "casemanager", cid)
    with data.db(db_url) as engine:  # a colleague records a step meanwhile
        cases.record_circumstances_change(
            engine,
            user=staff["officer"],
            case_id=case_id,
            on=data.today(),
            note="Moved to supported housing",
            today=data.today(),
        )
    before = events(db_url)
    at.text_area(key="customer_support_note").input("Offered a support worker.")
    data.submit(at, "customer_support", "Record informal support")
    assert "changed by someone else since you opened it" in data.errors(at)
    assert events(db_url) == before
    # the page now shows their change; saving again works
    data.submit(at, "customer_support", "Record informal support")
    assert "Supportive approach recorded" in at.success[0].value


def test_changing_needs_records_a_change_of_circumstances(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    data.warned_case(db_url, staff, cid)
    at = open_case(app, "officer", cid)
    prefix = f"customer_needs_{cid}_"
    data.submit(at, "customer_needs", "Save needs and support")
    assert "Nothing has changed: there is nothing to save" in data.errors(at)
    assert data.count(db_url, CircumstancesChange) == 0
    at.text_area(key=prefix + "needs").set_value("Recently diagnosed with PTSD")
    at.text_input(key=prefix + "representative").input("Ms Advocate, Mind")
    at.text_input(key=prefix + "note").input("Told us on the phone")
    data.submit(at, "customer_needs", "Save needs and support")
    assert not at.exception
    assert "A change of circumstances was recorded" in at.success[0].value
    (customer,) = data.rows(db_url, Customer)
    assert (customer.needs, customer.representative) == (
        "Recently diagnosed with PTSD",
        "Ms Advocate, Mind",
    )
    (change,) = data.rows(db_url, CircumstancesChange)
    assert change.note == "Told us on the phone"
    # the EIA is now stale: shown as the reason formal action waits (rule 2)
    manager = open_case(app, "casemanager", cid)
    assert p.Reason.EIA_STALE.explanation in blocked(manager)
    assert "customer_restrict" not in forms(manager)
