"""Contact screening ("the customer is on the phone") and the senior officer's queue (§11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ube_core import procedure as p
from ube_core.services.context import UserContext
from ube_core.storage.models import AppealRequest, Contact, Restriction

from ..conftest import sign_in
from . import data

App = Callable[[], AppTest]
Staff = dict[str, UserContext]
SCREENING = "pages/screening.py"
DECISIONS = "pages/decisions.py"


# -- screening ------------------------------------------------------------------------------
def test_no_restriction_take_the_contact(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    at = data.open_page(app, "officer", SCREENING, cid)
    assert at.success[0].value == "**Take this contact.** There is no contact restriction."
    data.submit(at, "screening_record", "Record this contact")
    assert "Contact recorded for Terry Tenant (allowed)" in at.success[0].value
    (row,) = data.rows(db_url, Contact)
    assert (row.channel, row.screen) == ("phone", "allowed")


def test_a_call_that_breaks_the_restriction_is_a_breach_and_is_recorded(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid)
    at = data.open_page(app, "officer", SCREENING, cid)
    verdict = data.errors(at)
    assert "Don't take this contact: it breaches the restriction" in verdict
    assert "contact must come through the single point of contact" in verdict
    assert "only written contact is accepted, not telephone" in verdict
    at.text_area(key="screening_note").input("Wanted to complain about the SPOC.")
    data.submit(at, "screening_record", "Record the breach")
    assert not at.exception
    assert "Breach recorded by telephone" in at.success[0].value
    (row,) = data.rows(db_url, Contact)
    assert (row.channel, row.screen, row.note) == (
        "phone",
        "breach",
        "Wanted to complain about the SPOC.",
    )
    (restriction,) = data.rows(db_url, Restriction)
    assert restriction.breaches == 1


def test_an_exclusion_is_handled_and_the_spoc_route_is_allowed(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid)
    at = data.open_page(app, "officer", SCREENING, cid)
    at.selectbox(key="screening_topic").select("urgent_repair").run()
    assert "**Handle it: Urgent repair is always dealt with (§7)**" in at.warning[0].value
    data.submit(at, "screening_record", "Record this contact (exclusion)")
    assert [r.screen for r in data.rows(db_url, Contact)] == ["exclusion"]
    # written, through the SPOC: keeps to the arrangements
    at.radio(key="screening_channel").set_value("email")
    at.checkbox(key="screening_via_spoc").check().run()
    assert "**Take this contact.** It keeps to the restriction's arrangements." in (
        at.success[-1].value
    )


# -- the decisions queue ----------------------------------------------------------------------
def test_only_senior_officers_reach_the_queue(staff: Staff, app: App) -> None:
    for username in ("officer", "casemanager", "linemanager", "manager"):
        at = sign_in(app(), username, data.PASSWORD)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(DECISIONS)


def test_the_queue_shows_days_left_and_overdue_first(staff: Staff, app: App, db_url: str) -> None:
    soon = data.customer(db_url, staff, "Sam Soon", "T0001")
    data.appealed_case(db_url, staff, soon, days_ago=10)  # received 5 days ago
    late = data.customer(db_url, staff, "Larry Late", "T0002")
    data.appealed_case(db_url, staff, late, days_ago=45)  # received 40 days ago
    at = data.open_page(app, "seniorofficer", DECISIONS)
    (table,) = at.dataframe
    assert list(table.value["customer_name"]) == ["Larry Late", "Sam Soon"]
    assert list(table.value["status"]) == ["Overdue by 12 days", "23 days left"]
    assert at.markdown[0].value == "**2 waiting** · :red[**1 overdue**]"
    assert ":red[**Overdue by 12 days**]" in at.markdown[1].value


def test_deciding_an_appeal(staff: Staff, app: App, db_url: str) -> None:
    cid = data.customer(db_url, staff)
    data.appealed_case(db_url, staff, cid)
    at = data.open_page(app, "seniorofficer", DECISIONS)
    data.submit(at, "decisions_form", "Record decision")
    message = data.errors(at)
    assert "Choose the decision" in message
    assert "Give the reasons for the decision" in message
    assert "the fact sheet must be sent with the letter" in message
    assert [r.decided_on for r in data.rows(db_url, AppealRequest)] == [None]
    at.radio(key="decisions_form_appeal_outcome").set_value("overturned")
    at.text_area(key="decisions_form_appeal_reasons").input("The calls were about repairs.")
    at.checkbox(key="decisions_form_appeal_fact_sheet").check()
    data.submit(at, "decisions_form", "Record decision")
    assert not at.exception
    assert "Decision recorded for Terry Tenant: decision overturned" in at.success[0].value
    (row,) = data.rows(db_url, AppealRequest)
    assert (row.outcome, row.fact_sheet_sent, row.decided_by_id) == (
        "overturned",
        True,
        staff["senior_officer"].id,
    )
    (restriction,) = data.rows(db_url, Restriction)
    assert restriction.ended_on == data.today()
    assert "Nothing is waiting for a decision" in at.success[-1].value


def test_the_officer_who_made_the_restriction_cannot_decide_its_appeal(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    data.appealed_case(db_url, staff, cid, by="senior_officer")
    at = data.open_page(app, "seniorofficer", DECISIONS)
    assert any(p.Reason.REVIEWER_INVOLVED.explanation in c.value for c in at.caption)
    assert at.button(key="FormSubmitter:decisions_form-Record decision").disabled
    assert [r.decided_on for r in data.rows(db_url, AppealRequest)] == [None]


def test_deciding_a_reconsideration_can_lift_the_restriction(
    staff: Staff, app: App, db_url: str
) -> None:
    cid = data.customer(db_url, staff)
    case_id = data.restricted_case(db_url, staff, cid, by="senior_officer")
    from ube_core.services import cases

    with data.db(db_url) as engine:
        cases.receive_reconsideration(
            engine,
            user=staff["officer"],
            case_id=case_id,
            received_on=data.today() - timedelta(days=3),
            today=data.today(),
        )
    at = data.open_page(app, "seniorofficer", DECISIONS)
    assert "decisions_form_reconsideration_fact_sheet" not in [c.key for c in at.checkbox]
    at.radio(key="decisions_form_reconsideration_outcome").set_value("lift")
    at.text_area(key="decisions_form_reconsideration_reasons").input("Polite letters since.")
    data.submit(at, "decisions_form", "Record decision")
    assert "restriction lifted" in at.success[0].value
    (restriction,) = data.rows(db_url, Restriction)
    assert restriction.ended_on == data.today()
