"""The incident log form (§3, §4): search, marker before saving, validation, clearing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from ube_core.procedure import BEHAVIOURS, Category
from ube_core.services.context import UserContext
from ube_core.storage.models import AppUser, Customer, Incident
from ube_ui import runtime

from . import data

App = Callable[[], AppTest]
PAGE = "pages/incident.py"
FORM = "incident_form"
SAVE = "Save incident"


@pytest.fixture
def noon(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The clock stands at noon today (London), so "later today" is in the future."""
    fixed = datetime.combine(runtime.today(), time(12, 0), tzinfo=runtime.LONDON)
    monkeypatch.setattr(runtime, "now", lambda: fixed)
    return fixed


def choose_customer(at: AppTest, text: str, customer_id: int) -> AppTest:
    at.text_input(key="incident_search").input(text).run()
    at.selectbox(key="incident_match").select(customer_id).run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, **override: Any) -> AppTest:
    """A complete, valid incident; ``override`` replaces one field (None: leave it empty)."""
    values: dict[str, Any] = {
        "category": "aggressive_abusive",
        "channel": "phone",
        "behaviour": "threats_of_violence",
        "severity": "serious",
        "time": time(10, 30),
        "narrative": "Threatened to come to the office and 'sort out' the officer.",
        "colleague": "Pat Officer",
        "police_ref": "CAD 1234/24",
        "witnesses": "Sam Smith",
        "action_taken": "Ended the call and told the line manager.",
    }
    values.update(override)
    if values["category"] is not None:
        at.selectbox(key="incident_category").select(values["category"]).run()
    if values["channel"] is not None:
        at.selectbox(key="incident_channel").select(values["channel"])
    if values["behaviour"] is not None:
        at.selectbox(key="incident_behaviour").select(values["behaviour"])
    if values["severity"] is not None:
        at.selectbox(key="incident_severity").select(values["severity"])
    at.time_input(key="incident_time").set_value(values["time"])
    at.text_area(key="incident_narrative").set_value(values["narrative"])
    at.text_input(key="incident_colleague").set_value(values["colleague"])
    at.text_input(key="incident_police_ref").set_value(values["police_ref"])
    at.text_input(key="incident_witnesses").set_value(values["witnesses"])
    at.text_area(key="incident_action").set_value(values["action_taken"])
    at.checkbox(key="incident_ended_contact").check()
    at.checkbox(key="incident_follow_up").check()
    return at


def test_a_valid_incident_is_saved_the_form_clears_and_links_to_the_case(
    staff: dict[str, UserContext], app: App, db_url: str, noon: datetime
) -> None:
    cid = data.customer(db_url, staff)
    data.restricted_case(db_url, staff, cid)
    before = data.count(db_url, Incident)
    at = data.open_page(app, "officer", PAGE)
    choose_customer(at, "terry", cid)
    # the warning marker shows before anything is saved
    banner = data.errors(at)
    assert "Contact restricted" in banner and "Case manager Person" in banner
    fill(at)
    data.submit(at, FORM, SAVE)
    assert not at.exception
    assert not [e for e in at.error if "Please check" in e.value]
    assert "Incident logged for Terry Tenant" in at.success[0].value
    (link,) = [el for el in at.get("page_link") if "Terry Tenant" in el.proto.label]
    assert link.proto.query_string == f"customer={cid}"
    # the form is cleared for the next one
    assert at.text_area(key="incident_narrative").value == ""
    assert at.selectbox(key="incident_category").value is None
    assert data.count(db_url, Incident) == before + 1
    saved = max(data.rows(db_url, Incident), key=lambda r: r.id)
    assert (saved.customer_id, saved.category, saved.behaviour, saved.severity) == (
        cid,
        "aggressive_abusive",
        "threats_of_violence",
        "serious",
    )
    assert saved.channel == "phone" and saved.police_ref == "CAD 1234/24"
    assert saved.witnesses == "Sam Smith" and saved.colleague == "Pat Officer"
    assert saved.colleague_ended_contact and saved.follow_up
    assert saved.occurred_at.astimezone(runtime.LONDON).time() == time(10, 30)
    assert saved.recorded_by_id == staff["officer"].id


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"customer": None}, "Choose the customer"),
        ({"time": time(13, 0)}, "Date and time of the incident can't be in the future"),
        ({"channel": None}, "Choose how the customer was in contact"),
        ({"behaviour": None}, "Choose the example of behaviour"),
        ({"category": None, "behaviour": None}, "Choose the kind of behaviour (§3)"),
        ({"severity": None}, "Choose how serious the incident was"),
        ({"narrative": "   \n "}, "Say what happened"),
        ({"colleague": ""}, "Name the colleague"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else None,
)
def test_each_invalid_field_gives_its_message_and_keeps_what_was_typed(
    override: dict[str, Any],
    message: str,
    staff: dict[str, UserContext],
    app: App,
    db_url: str,
    noon: datetime,
) -> None:
    cid = data.customer(db_url, staff)
    at = data.open_page(app, "officer", PAGE)
    if override.pop("customer", True) is not None:
        choose_customer(at, "T0001", cid)
    narrative = override.get("narrative", "Shouted at the officer at the front desk.")
    fill(at, **{**override, "narrative": narrative})
    data.submit(at, FORM, SAVE)
    assert not at.exception
    assert message in data.errors(at)
    assert not at.success
    assert data.count(db_url, Incident) == 0
    assert at.text_area(key="incident_narrative").value == narrative


def test_the_examples_follow_the_category(staff: dict[str, UserContext], app: App) -> None:
    at = data.open_page(app, "officer", PAGE)
    assert at.selectbox(key="incident_behaviour").options == []
    for category in Category:
        at.selectbox(key="incident_category").select(category.value).run()
        labels = at.selectbox(key="incident_behaviour").options
        assert labels == [b.label for b in BEHAVIOURS[category]]


def test_the_line_manager_sees_the_reported_incident(
    staff: dict[str, UserContext], app: App, db_url: str, noon: datetime
) -> None:
    with data.db(db_url) as engine, Session(engine) as session:
        officer = session.get(AppUser, staff["officer"].id)
        assert officer is not None
        officer.line_manager_id = staff["line_manager"].id
        session.add(officer)
        session.commit()
    cid = data.customer(db_url, staff)
    at = data.open_page(app, "officer", PAGE)
    choose_customer(at, "Terry", cid)
    fill(at, follow_up=True)
    data.submit(at, FORM, SAVE)
    assert at.success
    manager = data.open_page(app, "linemanager", PAGE)
    (table,) = [d for d in manager.dataframe if "customer_name" in d.value.columns]
    row = table.value.iloc[0]
    assert (row["customer_name"], row["reported_by"], row["follow_up"]) == (
        "Terry Tenant",
        "Housing officer Person",
        "Yes",
    )
    # a colleague who manages nobody has no such list
    other = data.open_page(app, "casemanager", PAGE)
    assert "Incidents reported to you" not in [h.value for h in other.subheader]


def test_a_new_customer_can_be_added_and_is_then_chosen(
    staff: dict[str, UserContext], app: App, db_url: str
) -> None:
    at = data.open_page(app, "officer", PAGE)
    at.text_input(key="incident_new_ref").input("ab123")
    at.text_input(key="incident_new_name").input("Nia Newcomer")
    at.text_input(key="incident_new_email").input("not-an-email")
    data.submit(at, "incident_new_customer", "Add customer")
    assert "Email doesn't look like an email address" in data.errors(at)
    assert data.count(db_url, Customer) == 0
    at.text_input(key="incident_new_email").input("nia@example.org")
    at.text_input(key="incident_new_name").input("")
    data.submit(at, "incident_new_customer", "Add customer")
    assert "Enter the customer's name" in data.errors(at)
    assert data.count(db_url, Customer) == 0
    at.text_input(key="incident_new_name").input("Nia Newcomer")
    data.submit(at, "incident_new_customer", "Add customer")
    assert not at.exception
    assert "Nia Newcomer (AB123) added" in at.success[0].value
    (saved,) = data.rows(db_url, Customer)
    assert (saved.tenancy_ref, saved.email) == ("AB123", "nia@example.org")
    assert any("**Customer:** Nia Newcomer" in text for text in data.shown(at))
    assert "No warning marker" in at.info[0].value
    # the same reference twice is refused
    at.text_input(key="incident_new_ref").input("AB123")
    at.text_input(key="incident_new_name").input("Someone Else")
    data.submit(at, "incident_new_customer", "Add customer")
    assert "A customer with that tenancy reference exists" in data.errors(at)
    assert data.count(db_url, Customer) == 1


def test_a_search_without_matches_says_so(staff: dict[str, UserContext], app: App) -> None:
    at = data.open_page(app, "officer", PAGE)
    at.text_input(key="incident_search").input("Nobody Here").run()
    assert "No customer matches “Nobody Here”." in [c.value for c in at.caption]
    assert "incident_match" not in [s.key for s in at.selectbox]


def test_no_incident_is_ever_dated_in_the_future(
    staff: dict[str, UserContext], app: App, db_url: str, noon: datetime
) -> None:
    cid = data.customer(db_url, staff)
    at = data.open_page(app, "officer", PAGE)
    choose_customer(at, "Terry", cid)
    fill(at)
    at.date_input(key="incident_date").set_value(noon.date() + timedelta(days=1))
    data.submit(at, FORM, SAVE)
    assert not at.exception
    # the date box stops at today; whatever was sent, nothing is dated after it
    assert all(row.occurred_on <= noon.date() for row in data.rows(db_url, Incident))
