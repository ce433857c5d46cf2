"""The oversight pages (AppTest) on a generated data set: the demo loader's 120 customers.

Every number a page shows is checked against one counted here with plain Python over the rows
(``Facts``), never by asking the queries under test. Exports are caught as the app hands them
to the browser and read back (CSV and Excel with pandas, .ics with icalendar).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from icalendar import Calendar
from sqlmodel import Session, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from ube_core.demo import DEMO_PASSWORD, load_demo
from ube_core.services.cases import quarter_of
from ube_core.storage.db import make_engine, migrate
from ube_core.storage.models import (
    AppealRequest,
    AppUser,
    AuditEvent,
    Case,
    CaseEvent,
    Customer,
    Incident,
    Recommendation,
    Restriction,
    SpocReview,
    Team,
    UserRole,
)
from ube_ui import runtime
from ube_ui.calendar_view import month_bounds

from .conftest import ROOT

TODAY = date(2026, 5, 20)
NOW = datetime.combine(TODAY, time(10, 0), tzinfo=runtime.LONDON)
HORIZON = TODAY + timedelta(days=14)
QUARTER = quarter_of(TODAY)


# -- the data set, once per session --------------------------------------------------------
@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oversight") / "demo.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    load_demo(engine, customers=120, seed=11, today=TODAY, progress=False)
    engine.dispose()
    return path


@dataclass
class Facts:
    """Every row the checks need, read once; counts are made from these in Python."""

    restrictions: list[Restriction]
    cases: dict[int, Case]
    customers: dict[int, Customer]
    users: dict[int, AppUser]
    roles: dict[int, set[str]]
    reviews: list[SpocReview]
    recommendations: list[Recommendation]
    incidents: list[Incident]
    appeals: list[AppealRequest]

    def user(self, *roles: str) -> AppUser:
        """The first user (by username) holding exactly these roles."""
        wanted = set(roles)
        return sorted(
            (u for u in self.users.values() if self.roles.get(u.id or 0, set()) == wanted),
            key=lambda u: u.username,
        )[0]

    def active(self, day: date = TODAY) -> list[Restriction]:
        return [
            r for r in self.restrictions if r.ended_on is None and r.start_on <= day <= r.end_on
        ]

    def lapsed(self) -> list[Restriction]:
        return [r for r in self.restrictions if r.ended_on is None and r.end_on < TODAY]

    def restricted_now(self, case_id: int) -> bool:
        return any(r.case_id == case_id for r in self.active())


@pytest.fixture(scope="session")
def facts(demo_db: Path) -> Facts:
    engine = make_engine(f"sqlite:///{demo_db}")
    with Session(engine) as s:
        roles: dict[int, set[str]] = {}
        for row in s.exec(select(UserRole)).all():
            roles.setdefault(row.user_id, set()).add(row.role)
        found = Facts(
            restrictions=list(s.exec(select(Restriction)).all()),
            cases={c.id or 0: c for c in s.exec(select(Case)).all()},
            customers={c.id or 0: c for c in s.exec(select(Customer)).all()},
            users={u.id or 0: u for u in s.exec(select(AppUser)).all()},
            roles=roles,
            reviews=list(s.exec(select(SpocReview)).all()),
            recommendations=list(s.exec(select(Recommendation)).all()),
            incidents=list(s.exec(select(Incident)).all()),
            appeals=list(s.exec(select(AppealRequest)).all()),
        )
    engine.dispose()
    return found


@pytest.fixture
def url(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A copy of the data set for this test; the app runs "on" TODAY."""
    path = tmp_path / "app.db"
    shutil.copyfile(demo_db, path)
    address = f"sqlite:///{path}"
    monkeypatch.setenv("UBE_DATABASE_URL", address)
    monkeypatch.setenv("UBE_COOKIE_KEY", "k" * 48)
    monkeypatch.delenv("UBE_ENV", raising=False)
    monkeypatch.setattr(runtime, "today", lambda: TODAY)
    monkeypatch.setattr(runtime, "now", lambda: NOW)
    yield address


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Bytes handed to download buttons, by media file id."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, data: Any, *args: Any, **kwargs: Any) -> str:
        file_id = original(self, data, *args, **kwargs)
        if isinstance(data, bytes):
            files[file_id] = data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def downloaded(at: AppTest, files: dict[str, bytes], label: str) -> bytes:
    (button,) = [b for b in at.get("download_button") if b.proto.label.startswith(label)]
    file_id = os.path.splitext(os.path.basename(button.proto.url))[0]
    return files[file_id]


def open_as(username: str, page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(DEMO_PASSWORD)
    at.button[0].click().run()
    assert at.session_state["authentication_status"] is True
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, label: str) -> AppTest:
    (button,) = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def metric(at: AppTest, label: str) -> str:
    (found,) = [m for m in at.metric if m.label == label]
    return str(found.value)


def arr(value: Any) -> list[Any]:
    """A plotly 7 array from the chart's JSON (numbers come base64-encoded)."""
    if isinstance(value, dict) and "bdata" in value:
        decoded: list[Any] = np.frombuffer(
            base64.b64decode(value["bdata"]), dtype=value["dtype"]
        ).tolist()
        return decoded
    return list(value)


def chart(at: AppTest, title: str) -> dict[str, Any]:
    for element in at.get("plotly_chart"):
        spec: dict[str, Any] = json.loads(element.proto.spec)
        if spec["layout"]["title"]["text"] == title:
            return spec
    raise AssertionError(f"no chart {title!r}")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page with this column."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def opened_customer(at: AppTest) -> int:
    """The customer whose case page the app went to."""
    assert [t.value for t in at.title] == ["Customer and case"]
    value = at.query_params["customer"]
    return int(value[0] if isinstance(value, list) else value)


# -- every oversight page, every role that may open it ------------------------------------
ROLE_PAGES = {
    "officer": ("pages/home.py", "pages/register.py", "pages/calendar.py"),
    "case_manager": ("pages/home.py", "pages/spoc_oversight.py", "pages/dashboard.py"),
    "line_manager": ("pages/home.py", "pages/spoc_oversight.py", "pages/dashboard.py"),
    "senior_officer": ("pages/calendar.py", "pages/spoc_oversight.py"),
    "manager": ("pages/home.py", "pages/register.py", "pages/dashboard.py"),
    "admin": ("pages/home.py",),
}
TITLES = {
    "pages/register.py": "Restriction register",
    "pages/calendar.py": "Review calendar",
    "pages/spoc_oversight.py": "SPOC oversight",
    "pages/dashboard.py": "Dashboard",
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_page_opens_for_its_roles(url: str, facts: Facts, role: str) -> None:
    person = facts.user(role)
    at = open_as(person.username, ROLE_PAGES[role][0])
    for page in ROLE_PAGES[role]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        title = TITLES.get(page, f"Good to see you, {person.name.split()[0]}")
        assert [t.value for t in at.title] == [title], page


# -- restriction register ----------------------------------------------------------------------
def test_register_counts_filters_and_flags(url: str, facts: Facts) -> None:
    at = open_as(facts.user("manager").username, "pages/register.py")
    everything = len(facts.restrictions)
    assert f"**{everything} restriction(s) match.**" in markdown(at)
    overdue = [r for r in facts.active() if r.case_review_due and r.case_review_due < TODAY]
    (attention,) = [e.value for e in at.error if e.value.startswith("Needs attention")]
    assert f"{len(overdue)} active restriction(s) with the six-monthly review overdue" in attention
    assert f"{len(facts.lapsed())} past their end date" in attention
    assert len(at.dataframe[0].value) == min(50, everything)

    at.selectbox(key="register_status").set_value("Lapsed")
    submit(at, "Apply filters")
    lapsed = facts.lapsed()
    assert f"**{len(lapsed)} restriction(s) match.**" in markdown(at)
    table = at.dataframe[0].value
    assert set(table["Status"]) <= {"Lapsed"}
    oldest = min(lapsed, key=lambda r: r.case_review_due or r.end_on)
    row = table[table["Tenancy ref"] == facts.customers[oldest.customer_id].tenancy_ref].iloc[0]
    assert f"Lapsed: past its end ({row['End'].day}" in row["Attention"]
    assert f"for {(TODAY - oldest.end_on).days} days without a review or lift" in row["Attention"]

    at.selectbox(key="register_status").set_value("Active")
    at.selectbox(key="register_review").set_value("Overdue")
    submit(at, "Apply filters")
    assert f"**{len(overdue)} restriction(s) match.**" in markdown(at)
    for _, shown in at.dataframe[0].value.iterrows():
        assert shown["Attention"].startswith("Review overdue by ")

    team_id = next(r.team_id for r in facts.restrictions if r.team_id is not None)
    at.selectbox(key="register_review").set_value("Any")
    at.selectbox(key="register_status").set_value("All")
    at.selectbox(key="register_team").set_value(team_id)
    submit(at, "Apply filters")
    in_team = [r for r in facts.restrictions if r.team_id == team_id]
    assert f"**{len(in_team)} restriction(s) match.**" in markdown(at)

    someone = facts.customers[facts.restrictions[0].customer_id]
    at.selectbox(key="register_team").set_value(None)
    at.text_input(key="register_search").input(someone.name)
    submit(at, "Apply filters")
    shown = at.dataframe[0].value
    assert len(shown) >= 1 and set(shown["Customer"]) == {someone.name}


def test_register_pages(url: str, facts: Facts) -> None:
    at = open_as(facts.user("officer").username, "pages/register.py")
    at.selectbox(key="register_page_size").set_value(25)
    submit(at, "Apply filters")
    total = len(facts.restrictions)
    pages = -(-total // 25)
    assert f"Page 1 of {pages}" in markdown(at)
    at.number_input(key="register_page").set_value(pages).run()
    assert len(at.dataframe[0].value) == total - 25 * (pages - 1)


def test_register_exports_hold_the_filtered_rows(
    url: str, facts: Facts, downloads: dict[str, bytes]
) -> None:
    at = open_as(facts.user("manager").username, "pages/register.py")
    at.selectbox(key="register_status").set_value("Active")
    submit(at, "Apply filters")
    active = facts.active()
    expected = {facts.customers[r.customer_id].tenancy_ref for r in active}
    submit(at, f"Prepare CSV and Excel of the {len(active)} matching row(s)")
    csv = pd.read_csv(io.BytesIO(downloaded(at, downloads, "Download CSV")), encoding="utf-8-sig")
    assert len(csv) == len(active)
    assert set(csv["Tenancy ref"]) == expected
    assert set(csv["Status"]) == {"active"}
    xlsx = pd.read_excel(io.BytesIO(downloaded(at, downloads, "Download Excel")), header=2)
    assert len(xlsx) == len(active)
    assert set(xlsx["Tenancy ref"]) == expected
    assert xlsx["Restriction id"].tolist() == csv["Restriction id"].tolist()
    engine = make_engine(url)
    with Session(engine) as s:
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.action == "register.export")).all()
    engine.dispose()
    assert f'"rows": {len(active)}' in event.detail


def test_register_row_opens_the_case(url: str, facts: Facts) -> None:
    at = open_as(facts.user("officer").username, "pages/register.py")
    first = at.dataframe[0].value.iloc[0]
    select_row(at, "register_table", 0)
    chosen = facts.customers[opened_customer(at)]
    assert chosen.tenancy_ref == first["Tenancy ref"]
    assert chosen.name in [h.value for h in at.header]


# -- review calendar -------------------------------------------------------------------------
def eia_due(facts: Facts, owner: int | None = None, team: int | None = None) -> list[date]:
    """EIA reviews on the calendar: open or restricted cases with a review date."""
    return [
        c.eia_review_due
        for c in facts.cases.values()
        if c.eia_review_due is not None
        and (c.closed_on is None or facts.restricted_now(c.id or 0))
        and (owner is None or c.case_officer_id == owner)
        and (team is None or c.team_id == team)
    ]


def test_calendar_month_counts_and_overdue_first(url: str, facts: Facts) -> None:
    at = open_as(facts.user("senior_officer").username, "pages/calendar.py")
    kinds = ["eia_review", "case_review", "restriction_end"]
    at.multiselect(key="calendar_kinds").set_value(kinds).run()
    start, end = month_bounds(TODAY.year, TODAY.month)
    active = facts.active()
    reviews = [r.case_review_due for r in active if r.case_review_due]
    ends = [r.end_on for r in active]
    eias = eia_due(facts)
    in_range = [d for d in reviews + ends + eias if start <= d <= end]
    late = [d for d in reviews + eias if d < TODAY]  # the end of a restriction is never late
    assert late, "the data set should have overdue reviews"
    assert f"{len(in_range)} item(s) due in this period" in markdown(at)
    assert f"Overdue: {len(late)} item(s)" in [s.value for s in at.subheader]
    overdue_table = at.dataframe(key="calendar_overdue_table").value
    assert len(overdue_table) == len(late)
    assert all(w.startswith("Overdue by ") for w in overdue_table["When"])
    oldest = min(late)
    assert overdue_table["When"].iloc[0] == f"Overdue by {(TODAY - oldest).days} days"
    grid = at.get("html")[0].proto.body
    assert f"<caption>{TODAY:%B %Y}</caption>" in grid
    per_day = Counter(in_range)
    assert grid.count('class="ube-chip') == sum(min(4, n) for n in per_day.values())

    # the list (agenda) view of the next 90 days
    at.radio(key="calendar_view").set_value("List").run()
    at.selectbox(key="calendar_list_days").set_value(90).run()
    horizon = TODAY + timedelta(days=89)
    listed = [d for d in reviews + ends + eias if TODAY <= d <= horizon]
    assert listed, "the data set should have reviews in the next 90 days"
    assert f"{len(listed)} item(s) due in this period" in markdown(at)
    agenda = at.dataframe(key="calendar_list_table").value
    assert sorted(agenda["Due"]) == sorted(listed)


def test_calendar_of_a_large_book_counts_and_lists_the_first_items(
    url: str, facts: Facts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above CALENDAR_FULL_LIST items the grid counts per day and kind, and the lists show the
    first CALENDAR_FIRST_ITEMS, saying how many there are in all."""
    import ube_core.queries as queries

    monkeypatch.setattr(queries, "CALENDAR_FULL_LIST", 3)
    monkeypatch.setattr(queries, "CALENDAR_FIRST_ITEMS", 2)
    at = open_as(facts.user("senior_officer").username, "pages/calendar.py")
    kinds = ["eia_review", "case_review", "restriction_end"]
    at.multiselect(key="calendar_kinds").set_value(kinds).run()
    start, end = month_bounds(TODAY.year, TODAY.month)
    active = facts.active()
    reviews = [r.case_review_due for r in active if r.case_review_due]
    ends = [r.end_on for r in active]
    in_range = [d for d in reviews + ends + eia_due(facts) if start <= d <= end]
    late = sorted(d for d in reviews + eia_due(facts) if d < TODAY)
    assert len(late) > 2 and len(in_range) > 2, "the data set should be larger than the lists"
    # The totals are the whole calendar's; the tables hold the first two of each.
    assert f"Overdue: {len(late)} item(s)" in [s.value for s in at.subheader]
    assert f"{len(in_range)} item(s) due in this period" in markdown(at)
    overdue_table = at.dataframe(key="calendar_overdue_table").value
    assert overdue_table["When"].tolist()[:1] == [f"Overdue by {(TODAY - late[0]).days} days"]
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith(f"Showing the first 2 of {len(late)} (the oldest first)") for c in captions
    )
    assert any(c.startswith(f"Showing the first 2 of {len(in_range)} (by date)") for c in captions)
    assert len(at.dataframe(key="calendar_list_table").value) == 2
    # The grid counts: one line per day and kind, each with its number, and no names.
    grid = at.get("html")[0].proto.body
    per_day_kind = Counter(
        (d, k)
        for k, days in (("case_review", reviews), ("restriction_end", ends))
        for d in days
        if start <= d <= end
    )
    assert grid.count('class="ube-chip') >= len(per_day_kind)
    assert not any(c.name in grid for c in facts.customers.values())


def test_calendar_my_items_and_team(url: str, facts: Facts) -> None:
    officers = {c.case_officer_id for c in facts.cases.values() if c.case_officer_id}
    me = max(officers, key=lambda o: (sum(d < TODAY for d in eia_due(facts, owner=o)), o or 0))
    assert me is not None
    mine = eia_due(facts, owner=me)
    at = open_as(facts.users[me].username, "pages/calendar.py")
    at.multiselect(key="calendar_kinds").set_value(["eia_review"]).run()
    at.toggle(key="calendar_mine").set_value(True).run()
    assert f"Overdue: {sum(d < TODAY for d in mine)} item(s)" in [s.value for s in at.subheader]
    assert set(at.dataframe(key="calendar_overdue_table").value["Owner"]) == {facts.users[me].name}
    at.toggle(key="calendar_mine").set_value(False).run()
    team = facts.cases[facts.restrictions[0].case_id].team_id
    at.selectbox(key="calendar_team").set_value(team).run()
    late_in_team = sum(d < TODAY for d in eia_due(facts, team=team))
    assert late_in_team, "the team should have overdue EIA reviews"
    assert f"Overdue: {late_in_team} item(s)" in [s.value for s in at.subheader]


def test_calendar_ics_export_with_stable_uids(
    url: str, facts: Facts, downloads: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_as(facts.user("officer").username, "pages/calendar.py")
    at.multiselect(key="calendar_kinds").set_value(["eia_review", "case_review"]).run()
    at.radio(key="calendar_view").set_value("List").run()
    at.selectbox(key="calendar_list_days").set_value(90).run()
    horizon = TODAY + timedelta(days=89)
    due = [r.case_review_due for r in facts.active() if r.case_review_due] + eia_due(facts)
    expected = [d for d in due if TODAY <= d <= horizon or d < TODAY]
    submit(at, f"Prepare iCalendar file ({len(expected)} item(s))")
    first = Calendar.from_ical(downloaded(at, downloads, "Download .ics"))
    events = first.walk("VEVENT")
    assert sorted(e.decoded("dtstart") for e in events) == sorted(expected)
    assert sum(str(e["summary"]).startswith("OVERDUE") for e in events) == sum(
        d < TODAY for d in expected
    )
    # a second export twenty minutes later: the same UIDs (Outlook updates, never duplicates)
    monkeypatch.setattr(runtime, "now", lambda: NOW + timedelta(minutes=20))
    submit(at, f"Prepare iCalendar file ({len(expected)} item(s))")
    second = Calendar.from_ical(downloaded(at, downloads, "Download .ics"))
    assert [str(e["uid"]) for e in second.walk("VEVENT")] == [str(e["uid"]) for e in events]
    assert len({str(e["uid"]) for e in events}) == len(expected)
    assert second.walk("VEVENT")[0].decoded("dtstamp") != events[0].decoded("dtstamp")


# -- SPOC oversight -----------------------------------------------------------------------------
def overseen(facts: Facts, manager: AppUser) -> list[Restriction]:
    spocs = {u.id for u in facts.users.values() if u.line_manager_id == manager.id}
    return [r for r in facts.active() if r.spoc_user_id in spocs]


def status(facts: Facts, r: Restriction) -> str:
    if any(v.restriction_id == r.id and v.quarter == QUARTER for v in facts.reviews):
        return "signed_off"
    if r.spoc_review_due is not None and r.spoc_review_due < TODAY:
        return "overdue"
    return "due"


def busiest_line_manager(facts: Facts) -> AppUser:
    managers = [u for u in facts.users.values() if facts.roles.get(u.id or 0) == {"line_manager"}]
    return max(managers, key=lambda m: (len(overseen(facts, m)), m.username))


def test_spoc_worklist_and_sign_off(url: str, facts: Facts) -> None:
    manager = busiest_line_manager(facts)
    work = overseen(facts, manager)
    assert work, "the data set should give this line manager SPOCs to oversee"
    at = open_as(manager.username, "pages/spoc_oversight.py")
    states = [status(facts, r) for r in work]
    assert metric(at, f"Customers with a SPOC ({QUARTER})") == str(len(work))
    assert metric(at, "Signed off this quarter") == str(states.count("signed_off"))
    assert metric(at, "Overdue") == str(states.count("overdue"))
    assert metric(at, "Due") == str(states.count("due"))

    # the form refuses a sign-off without the correspondence checked, and keeps what was typed
    target = next(r for r in work if status(facts, r) != "signed_off")
    at.selectbox(key="spoc_restriction").set_value(target.id).run()
    at.checkbox(key="spoc_0_decisions").check()
    at.text_area(key="spoc_0_findings").input("All replies were on time.")
    submit(at, "Sign off this quarter")
    assert any("Correspondence reviewed" in e.value for e in at.error)
    assert at.text_area(key="spoc_0_findings").value == "All replies were on time."

    owner = next(
        u for u in facts.users.values() if facts.roles.get(u.id or 0, set()) == {"officer"}
    )
    for key in ("correspondence", "informed", "proportionate", "eia", "timely"):
        at.checkbox(key=f"spoc_0_{key}").check()
    at.text_input(key="spoc_0_rec1_text").input("Send the customer a summary of replies")
    at.selectbox(key="spoc_0_rec1_owner").set_value(owner.id)
    at.date_input(key="spoc_0_rec1_due").set_value(TODAY + timedelta(days=21))
    submit(at, "Sign off this quarter")
    assert any(s.value.startswith("Signed off") for s in at.success), [e.value for e in at.error]
    assert metric(at, "Signed off this quarter") == str(states.count("signed_off") + 1)

    engine = make_engine(url)
    with Session(engine) as s:
        review = s.exec(select(SpocReview).where(SpocReview.restriction_id == target.id)).all()[-1]
        recs = s.exec(
            select(Recommendation).where(Recommendation.spoc_review_id == review.id)
        ).all()
        event = s.exec(select(CaseEvent).where(CaseEvent.case_id == target.case_id)).all()[-1]
    engine.dispose()
    assert (review.reviewer_id, review.quarter, review.findings) == (
        manager.id,
        QUARTER,
        "All replies were on time.",
    )
    assert [(r.owner_id, r.due_on) for r in recs] == [(owner.id, TODAY + timedelta(days=21))]
    assert event.action == "spoc_review"


def test_recommendations_are_listed_until_marked_done(url: str, facts: Facts) -> None:
    open_recs = [r for r in facts.recommendations if r.done_on is None]
    assert open_recs, "the data set should hold open recommendations"
    at = open_as(facts.user("senior_officer").username, "pages/spoc_oversight.py")
    at.toggle(key="spoc_recs_mine").set_value(False).run()
    table = table_with(at, "Raised by")
    assert len(table) == len(open_recs)
    late = [r for r in open_recs if r.due_on < TODAY]
    assert sum(w.startswith("Overdue by") for w in table["When"]) == len(late)
    if late:
        assert f"{len(late)} recommendation(s) overdue." in [e.value for e in at.error]
    oldest = min(open_recs, key=lambda r: (r.due_on, r.id))
    at.selectbox(key="spoc_done_0_choice").set_value(oldest.id)
    submit(at, "Mark done")
    assert any("choose" in e.value.lower() or "required" in e.value.lower() for e in at.error)
    at.text_area(key="spoc_done_0_note").input("Customer written to on 19 May.")
    submit(at, "Mark done")
    assert "Recommendation marked done." in [s.value for s in at.success]
    assert len(table_with(at, "Raised by")) == len(open_recs) - 1
    engine = make_engine(url)
    with Session(engine) as s:
        done = s.get(Recommendation, oldest.id)
    engine.dispose()
    assert done is not None and done.done_on == TODAY
    assert done.done_note == "Customer written to on 19 May."


# -- my work ----------------------------------------------------------------------------------
def my_items(facts: Facts, me: int) -> list[date]:
    """Due dates of what an officer owns (case officer or SPOC), by the rules of "my work"."""
    due: list[date] = []
    for r in facts.active():
        officer = facts.cases[r.case_id].case_officer_id == me
        spoc = r.spoc_user_id == me
        if (officer or spoc) and r.case_review_due:
            due.append(r.case_review_due)
        if officer or spoc:
            due.append(r.end_on)
        if spoc and r.spoc_review_due:
            due.append(r.spoc_review_due)
    for case in facts.cases.values():
        mine = case.case_officer_id == me and case.eia_review_due is not None
        if mine and (case.closed_on is None or facts.restricted_now(case.id or 0)):
            assert case.eia_review_due is not None
            due.append(case.eia_review_due)
    due += [r.due_on for r in facts.recommendations if r.owner_id == me and r.done_on is None]
    return [d for d in due if d <= HORIZON]


def test_my_work_lists_what_the_officer_owns(url: str, facts: Facts) -> None:
    officers = [u for u in facts.users.values() if facts.roles.get(u.id or 0) == {"officer"}]
    me = max(officers, key=lambda u: (len(my_items(facts, u.id or 0)), u.username))
    expected = my_items(facts, me.id or 0)
    assert expected, "the data set should give an officer some work"
    at = open_as(me.username, "pages/home.py")
    late = sum(d < TODAY for d in expected)
    assert (
        f"**{late} overdue** and **{len(expected) - late} due** in the next 14 days "
        f"({len(expected)} in all)."
    ) in markdown(at)
    table = at.dataframe(key="home_work").value
    assert [d for d in table["Due"]] == sorted(expected)
    first = table.iloc[0]
    select_row(at, "home_work", 0)
    assert facts.customers[opened_customer(at)].name == first["Customer"]


def test_managers_see_their_teams_totals(url: str, facts: Facts) -> None:
    at = open_as(facts.user("manager").username, "pages/home.py")
    teams = table_with(at, "By kind")
    shown = dict(zip(teams["Team"], teams["By kind"], strict=True))
    engine = make_engine(url)
    with Session(engine) as s:
        names = {t.id: t.name for t in s.exec(select(Team)).all()}
    engine.dispose()
    # overdue EIA reviews and recommendations, counted by the case's team
    eia = Counter(
        c.team_id
        for c in facts.cases.values()
        if c.eia_review_due
        and c.eia_review_due < TODAY
        and (c.closed_on is None or facts.restricted_now(c.id or 0))
    )
    recs = Counter(
        facts.cases[r.case_id].team_id
        for r in facts.recommendations
        if r.done_on is None and r.due_on < TODAY
    )
    assert eia and recs, "the data set should have overdue work"
    for team, n in eia.items():
        assert f"EIA review: {n} overdue" in shown[names[team]]
    for team, n in recs.items():
        assert f"Recommendation: {n} overdue" in shown[names[team]]
    totals = dict(zip(teams["Team"], teams["Overdue"], strict=True))
    assert sum(totals.values()) >= sum(eia.values()) + sum(recs.values())


# -- dashboard --------------------------------------------------------------------------------
def test_dashboard_figures_match_the_data(url: str, facts: Facts) -> None:
    at = open_as(facts.user("manager").username, "pages/dashboard.py")
    open_cases = [c for c in facts.cases.values() if c.closed_on is None]
    active = facts.active()
    assert metric(at, "Open cases") == str(len(open_cases))
    assert metric(at, "Active restrictions") == str(len(active))
    reviews_overdue = (
        sum(1 for r in active if r.case_review_due and r.case_review_due < TODAY)
        + sum(1 for r in active if r.spoc_review_due and r.spoc_review_due < TODAY)
        + sum(
            1
            for c in facts.cases.values()
            if c.eia_review_due
            and c.eia_review_due < TODAY
            and (c.closed_on is None or facts.restricted_now(c.id or 0))
        )
    )
    assert metric(at, "Reviews overdue") == str(reviews_overdue)
    late_recs = [r for r in facts.recommendations if r.done_on is None and r.due_on < TODAY]
    assert metric(at, "Recommendations overdue") == str(len(late_recs))
    assert len(at.get("plotly_chart")) == 12
    funnel = chart(at, "Open cases: how far they have gone")
    assert arr(funnel["data"][0]["x"])[0] == len(open_cases)
    start = TODAY - timedelta(days=364)
    incidents = [i for i in facts.incidents if start <= i.occurred_on <= TODAY]
    by_category = chart(at, "Incidents per month by category")
    assert sum(sum(arr(trace["y"])) for trace in by_category["data"]) == len(incidents)
    summaries = [c.value for c in at.caption if c.value.startswith("Summary: ")]
    assert len(summaries) == 12
    assert f"Summary: {len(incidents)} incidents from" in summaries[0]


def test_dashboard_period_and_team_filters(url: str, facts: Facts) -> None:
    at = open_as(facts.user("line_manager").username, "pages/dashboard.py")
    first, last = TODAY - timedelta(days=89), TODAY - timedelta(days=30)
    at.date_input(key="dashboard_period").set_value((first, last)).run()
    team = next(c.team_id for c in facts.cases.values() if c.team_id is not None)
    at.selectbox(key="dashboard_team").set_value(team).run()
    assert not at.exception
    incidents = [i for i in facts.incidents if first <= i.occurred_on <= last and i.team_id == team]
    by_channel = chart(at, "Incidents per month by channel")
    assert sum(sum(arr(t["y"])) for t in by_channel["data"]) == len(incidents)
    open_in_team = [c for c in facts.cases.values() if c.closed_on is None and c.team_id == team]
    assert metric(at, "Open cases") == str(len(open_in_team))
    received = [
        a
        for a in facts.appeals
        if first <= a.received_on <= last and facts.cases[a.case_id].team_id == team
    ]
    appeals = chart(at, "Appeals and reconsiderations received")
    got = next(t for t in appeals["data"] if t["name"] == "Received")
    assert sum(arr(got["y"])) == len(received)


def test_dashboard_exception_row_opens_the_case(url: str, facts: Facts) -> None:
    at = open_as(facts.user("manager").username, "pages/dashboard.py")
    exceptions = at.dataframe(key="dashboard_exceptions").value
    assert len(exceptions), "the data set should miss some safeguard"
    case_id = int(exceptions["Case"].iloc[0])
    select_row(at, "dashboard_exceptions", 0)
    assert opened_customer(at) == facts.cases[case_id].customer_id
