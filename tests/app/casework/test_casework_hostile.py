"""Hostile text in every case-work text field: no exception, no partial write, shown escaped.

Random text, very long strings, control characters, HTML/script, SQL fragments, emoji and
right-to-left text go into the forms. A save either writes exactly what was typed (cleaned of
control characters) or writes nothing and says why; text shown back is Markdown-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel
from streamlit.testing.v1 import AppTest

from ube_core import procedure as p
from ube_core.services import cases
from ube_core.services.casework import clean
from ube_core.services.context import UserContext
from ube_core.storage.models import (
    AppealRequest,
    AuditEvent,
    Contact,
    Customer,
    Eia,
    Incident,
)
from ube_ui.casework import md

from . import data

App = Callable[[], AppTest]
Staff = dict[str, UserContext]

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "'; DROP TABLE customer; --",
    "Robert'); DELETE FROM incident WHERE 1=1;--",
    "\x00\x01\x07\x1b[31mred\x7f\x0b\x0c",
    "line one\r\nline two\tand a tab",
    "مرحبا، هذا نص من اليمين إلى اليسار",
    "\u202eevil\u202c and שלום",
    "🙂👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈",
    "**bold** _it_ [link](javascript:alert(1)) :red[x] $E=mc^2$ `code` # head",
    "%_\\ 100% of_it",
    "   ",
    "",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=120),
    st.text(min_size=1, max_size=4).map(lambda s: s * 6000),  # very long
)
RUN = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$:&]")


def ok(at: AppTest) -> bool:
    """The save went through (a message on top, no problem listed)."""
    assert not at.exception, at.exception
    return bool(at.success) and not any("Please check" in e.value for e in at.error)


def assert_escaped(at: AppTest, *typed: str) -> None:
    """Typed text with markup characters never reaches the page's Markdown unescaped:
    once every escaped copy is taken out of the page text, no raw copy is left."""
    texts = data.shown(at) + [h.value for h in at.header] + [h.value for h in at.subheader]
    for value in typed:
        cleaned = clean(value)
        if len(cleaned) < 2 or not SPECIAL.search(cleaned):
            continue
        escaped = md(cleaned)
        for text in texts:
            assert cleaned not in text.replace(escaped, ""), cleaned[:80]


def count(url: str, model: type[SQLModel]) -> int:
    return data.count(url, model)


# -- the incident page --------------------------------------------------------------------
@pytest.fixture
def incident_page(staff: Staff, app: App, db_url: str) -> tuple[AppTest, int]:
    cid = data.customer(db_url, staff)
    at = data.open_page(app, "officer", "pages/incident.py", cid)
    return at, cid


@RUN
@given(
    narrative=TEXT,
    colleague=TEXT,
    police_ref=TEXT,
    witnesses=TEXT,
    action=TEXT,
    search=TEXT,
)
def test_incident_form_with_hostile_text(
    incident_page: tuple[AppTest, int],
    db_url: str,
    narrative: str,
    colleague: str,
    police_ref: str,
    witnesses: str,
    action: str,
    search: str,
) -> None:
    at, cid = incident_page
    at.text_input(key="incident_search").set_value(search[:300]).run()
    assert not at.exception, at.exception
    if clean(search[:300]) and "incident_match" not in [s.key for s in at.selectbox]:
        expected = f"No customer matches “{md(clean(search[:300]))}”."
        assert expected in [c.value for c in at.caption]
    at.selectbox(key="incident_category").select("unreasonable_demands").run()
    at.selectbox(key="incident_channel").select("email")
    at.selectbox(key="incident_behaviour").select("other")
    at.selectbox(key="incident_severity").select("low")
    typed = {
        "incident_narrative": (narrative, 20000),
        "incident_colleague": (colleague, 120),
        "incident_police_ref": (police_ref, 40),
        "incident_witnesses": (witnesses, 500),
        "incident_action": (action, None),
    }
    for key, (value, _) in typed.items():
        widget = (
            at.text_area(key=key)
            if key in ("incident_narrative", "incident_action")
            else (at.text_input(key=key))
        )
        widget.set_value(value)
    before = count(db_url, Incident)
    data.submit(at, "incident_form", "Save incident")
    sent = {key: value[:limit] if limit else value for key, (value, limit) in typed.items()}
    if ok(at):
        assert count(db_url, Incident) == before + 1
        saved = max(data.rows(db_url, Incident), key=lambda r: r.id)
        assert saved.customer_id == cid
        assert saved.narrative == clean(sent["incident_narrative"])
        assert saved.colleague == clean(sent["incident_colleague"])
        assert saved.police_ref == clean(sent["incident_police_ref"])
        assert saved.witnesses == clean(sent["incident_witnesses"])
        assert saved.action_taken == clean(sent["incident_action"])
    else:
        assert count(db_url, Incident) == before
        assert at.text_area(key="incident_narrative").value == sent["incident_narrative"]
    assert_escaped(at, search[:300], *sent.values())


# -- a new customer ----------------------------------------------------------------------------
@RUN
@given(ref=TEXT, name=TEXT, address=TEXT, language=TEXT)
def test_new_customer_form_with_hostile_text(
    incident_page: tuple[AppTest, int],
    db_url: str,
    ref: str,
    name: str,
    address: str,
    language: str,
) -> None:
    at, _ = incident_page
    sent = {"ref": ref[:32], "name": name[:200], "address": address[:500], "language": language}
    at.text_input(key="incident_new_ref").set_value(sent["ref"])
    at.text_input(key="incident_new_name").set_value(sent["name"])
    at.text_input(key="incident_new_address").set_value(sent["address"])
    at.text_input(key="incident_new_language").set_value(sent["language"])
    before = count(db_url, Customer)
    data.submit(at, "incident_new_customer", "Add customer")
    if ok(at):
        assert count(db_url, Customer) == before + 1
        saved = max(data.rows(db_url, Customer), key=lambda r: r.id)
        assert (saved.tenancy_ref, saved.name, saved.address) == (
            clean(sent["ref"]).upper(),
            clean(sent["name"]),
            clean(sent["address"]),
        )
        assert saved.language == (clean(sent["language"]) or "English")
        # the new customer is shown back, escaped
        assert any(md(saved.name) in text for text in data.shown(at))
    else:
        assert count(db_url, Customer) == before
    assert_escaped(at, *sent.values())


# -- needs and support on the case page ----------------------------------------------------
@pytest.fixture
def case_page(staff: Staff, app: App, db_url: str) -> tuple[AppTest, int]:
    cid = data.customer(db_url, staff)
    with data.db(db_url) as engine:
        data.incident(engine, staff, cid, 1)
    return data.open_page(app, "casemanager", "pages/customer.py", cid), cid


@RUN
@given(needs=TEXT, adjustments=TEXT, communication=TEXT, representative=TEXT, note=TEXT)
def test_needs_form_with_hostile_text(
    case_page: tuple[AppTest, int],
    db_url: str,
    needs: str,
    adjustments: str,
    communication: str,
    representative: str,
    note: str,
) -> None:
    at, cid = case_page
    prefix = f"customer_needs_{cid}_"
    sent = {
        "needs": needs[:2000],
        "adjustments": adjustments[:4000],
        "communication": communication[:2000],
        "representative": representative[:500],
        "note": note[:4000],
    }
    for field, value in sent.items():
        if field in ("representative", "note"):
            at.text_input(key=prefix + field).set_value(value)
        else:
            at.text_area(key=prefix + field).set_value(value)
    before = [a.id for a in data.rows(db_url, AuditEvent) if a.action == "customer.update_needs"]
    version = data.rows(db_url, Customer)[0].version
    data.submit(at, "customer_needs", "Save needs and support")
    (saved,) = data.rows(db_url, Customer)
    after = [a.id for a in data.rows(db_url, AuditEvent) if a.action == "customer.update_needs"]
    if ok(at):
        assert saved.version == version + 1 and len(after) == len(before) + 1
        assert saved.needs == clean(sent["needs"])
        assert saved.adjustments == clean(sent["adjustments"])
        assert saved.communication_needs == clean(sent["communication"])
        assert saved.representative == clean(sent["representative"])
        if saved.needs:
            assert f"**Health and support needs:** {md(saved.needs)}" in data.shown(at)
    else:
        assert saved.version == version and after == before
    assert_escaped(at, *sent.values())


# -- a case step: the equality impact assessment ------------------------------------------------
@RUN
@given(needs=TEXT, adjustments=TEXT, alternatives=TEXT, conclusion=TEXT)
def test_eia_form_with_hostile_text(
    case_page: tuple[AppTest, int],
    db_url: str,
    needs: str,
    adjustments: str,
    alternatives: str,
    conclusion: str,
) -> None:
    at, _ = case_page
    sent = {
        "needs_considered": needs,
        "adjustments": adjustments,
        "alternatives": alternatives,
        "conclusion": conclusion,
    }
    for field, value in sent.items():
        at.text_area(key=f"customer_eia_{field}").set_value(value)
    at.radio(key="customer_eia_proportionate").set_value("no")
    before = count(db_url, Eia)
    data.submit(at, "customer_eia", "Record assessment")
    if ok(at):
        saved = max(data.rows(db_url, Eia), key=lambda r: r.id)
        assert count(db_url, Eia) == before + 1
        for field, value in sent.items():
            assert getattr(saved, field) == clean(value)
    else:
        assert count(db_url, Eia) == before
    assert_escaped(at, *sent.values())


# -- screening note; a decision's reasons --------------------------------------------------------
RESTRICTION_REASONS = "<b>Threats</b> [see file](javascript:alert(1)) :red[urgent] $5"


@pytest.fixture
def restricted(staff: Staff, db_url: str) -> tuple[int, int]:
    cid = data.customer(db_url, staff)
    case_id = data.warned_case(db_url, staff, cid)
    with data.db(db_url) as engine:
        cases.restrict_contact(
            engine,
            user=staff["case_manager"],
            case_id=case_id,
            on=data.today() - timedelta(days=20),
            types=(p.RestrictionType.WRITTEN_ONLY,),
            months=6,
            reasons=RESTRICTION_REASONS,
            today=data.today(),
        )
    return cid, case_id


@pytest.fixture
def screening_page(restricted: tuple[int, int], app: App) -> AppTest:
    return data.open_page(app, "officer", "pages/screening.py", restricted[0])


@RUN
@given(note=TEXT)
def test_screening_note_with_hostile_text(screening_page: AppTest, db_url: str, note: str) -> None:
    at = screening_page
    at.text_area(key="screening_note").set_value(note[:4000])
    before = count(db_url, Contact)
    data.submit(at, "screening_record", "Record the breach")
    if ok(at):
        saved = max(data.rows(db_url, Contact), key=lambda r: r.id)
        assert count(db_url, Contact) == before + 1
        assert (saved.screen, saved.note) == ("breach", clean(note[:4000]))
    else:
        assert count(db_url, Contact) == before
    assert_escaped(at, note[:4000])


@pytest.fixture
def decisions_page(restricted: tuple[int, int], app: App) -> tuple[AppTest, int]:
    return data.open_page(app, "seniorofficer", "pages/decisions.py"), restricted[1]


@RUN
@given(reasons=TEXT)
def test_decision_reasons_with_hostile_text(
    decisions_page: tuple[AppTest, int], staff: Staff, db_url: str, reasons: str
) -> None:
    at, case_id = decisions_page
    if not any(r.decided_on is None for r in data.rows(db_url, AppealRequest)):
        with data.db(db_url) as engine:  # a fresh request for this example
            cases.receive_reconsideration(
                engine,
                user=staff["officer"],
                case_id=case_id,
                received_on=data.today(),
                today=data.today(),
            )
        at.run()
    assert_escaped(at, RESTRICTION_REASONS)
    assert f"**Reasons given for the restriction:** {md(RESTRICTION_REASONS)}" in data.shown(at)
    at.radio(key="decisions_form_reconsideration_outcome").set_value("keep")
    at.text_area(key="decisions_form_reconsideration_reasons").set_value(reasons)
    pending = [r for r in data.rows(db_url, AppealRequest) if r.decided_on is None]
    data.submit(at, "decisions_form", "Record decision")
    (request,) = [r for r in data.rows(db_url, AppealRequest) if r.id == pending[0].id]
    if ok(at):
        assert (request.outcome, request.reasons) == ("keep", clean(reasons))
    else:
        assert request.decided_on is None and request.reasons == ""
    assert_escaped(at, reasons)
