"""The read-side queries (ube_core.queries) on SQLite and PostgreSQL.

One data set is built through the real services (users, customers, cases with incidents,
EIAs, warnings, restrictions, contacts, reviews, appeals, reconsiderations, SPOC reviews and
handovers) once per database kind; the queries only read, so the tests share it. On
PostgreSQL it lives in its own database, so that other tests' schema resets leave it alone.
Two things no service writes yet are set directly: case officers and letters.

Every expected number below is written out by hand from the data set (the comments say why)
or counted with plain Python over the records kept while building it — never by asking the
code under test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import bcrypt
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from ube_core import procedure as p
from ube_core import queries as q
from ube_core.errors import InvalidInput, NotAuthorised, NotFound
from ube_core.services import cases, customers, users
from ube_core.services.cases import RecommendationIn
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine, migrate, unit_of_work
from ube_core.storage.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CustomerCreate,
    IncidentCreate,
    Letter,
    Recommendation,
    Restriction,
    SpocHandover,
    UserCreate,
)

BUILD = date(2025, 6, 30)  # the services' "today" while building: every step is on or before it
T0 = date(2025, 6, 30)
T1 = date(2025, 8, 1)
T2 = date(2025, 12, 15)
H1 = (date(2025, 1, 1), date(2025, 6, 30))  # the dashboard period
PASSWORD = "correct horse battery"

NORTH, SOUTH = "North patch", "South patch"

# Customers: name, tenancy ref, team, recorded needs, and the needs group a person would put
# them in by reading the needs (the equality view's groups).
CUSTOMERS: dict[str, tuple[str, str, str, str, str]] = {
    "C1": ("Alice Adams", "T-001", NORTH, "Anxiety and depression", "Mental health"),
    "C2": ("Bob Brown", "T-002", NORTH, "", "No needs recorded"),
    "C3": ("Carol Clark", "T-003", SOUTH, "Autism", "Neurodivergence"),
    "C4": ("Dan Davis", "T-004", SOUTH, "Uses a wheelchair", "Sensory or physical"),
    "C5": ("Eve Evans", "T-005", NORTH, "Diabetes", "Other needs recorded"),
    "C6": ("Finn Ford", "T-006", NORTH, "", "No needs recorded"),
    "C7": ("Gail Green", "T-007", NORTH, "Hearing loss", "Sensory or physical"),
}
CASE_OFFICER = {
    "C1": "cm",
    "C2": "cm",
    "C3": "cm2",
    "C4": "cm2",
    "C5": "cm",
    "C6": "cm",
    "C7": "cm",
}


@dataclass(frozen=True)
class R:
    """A restriction as made below, and how it ends (by hand)."""

    customer: str
    start: date
    months: int
    end: date
    types: tuple[str, ...]
    spoc: str | None  # the SPOC at the end of the build (after handovers)
    ended_on: date | None = None

    @property
    def team(self) -> str:
        return CUSTOMERS[self.customer][2]

    def status(self, today: date) -> str:
        if self.ended_on is not None:
            return "ended"
        return "lapsed" if self.end < today else "active"


RESTRICTIONS: dict[str, R] = {
    "R1": R("C1", date(2025, 1, 10), 6, date(2025, 7, 10), ("spoc", "written_only"), "spoc1"),
    "R2": R("C2", date(2025, 3, 1), 3, date(2025, 6, 1), ("single_channel",), None),
    "R3": R("C3", date(2025, 2, 1), 12, date(2026, 2, 1), ("spoc",), "spoc3"),
    "R4a": R(
        "C4", date(2024, 11, 1), 6, date(2025, 5, 1), ("written_only",), None, date(2025, 1, 15)
    ),
    "R4b": R("C4", date(2025, 4, 1), 6, date(2025, 10, 1), ("third_party",), None),
    "R5": R("C5", date(2025, 6, 1), 6, date(2025, 12, 1), ("spoc",), "spoc1"),
    "R6": R("C7", date(2024, 10, 15), 12, date(2025, 10, 15), ("frequency_limit",), None),
}
# Case reviews due, by hand: six months after the restriction (or its last review), capped at
# its end (rule 4). None was reviewed but R4a (removed).
CASE_REVIEW_DUE = {
    "R1": date(2025, 7, 10),
    "R2": date(2025, 6, 1),
    "R3": date(2025, 8, 1),
    "R4a": date(2025, 5, 1),
    "R4b": date(2025, 10, 1),
    "R5": date(2025, 12, 1),
    "R6": date(2025, 4, 15),
}


@dataclass
class Data:
    engine: Engine
    dialect: str
    users: dict[str, UserContext] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    r: dict[str, int] = field(default_factory=dict)
    recs: dict[str, int] = field(default_factory=dict)
    incidents: list[tuple[date, str, str, str]] = field(default_factory=list)
    contacts: list[tuple[date, str]] = field(default_factory=list)
    steps: dict[str, list[str]] = field(default_factory=dict)  # case key -> actions in order

    def uid(self, key: str) -> int:
        user_id = self.users[key].id
        assert user_id is not None
        return user_id

    def key_of(self, restriction_id: int) -> str:
        return {v: k for k, v in self.r.items()}[restriction_id]

    def key_of_case(self, case_id: int) -> str:
        return {v: k for k, v in self.cases.items()}[int(case_id)]

    def keys(self, frame: pd.DataFrame, column: str = "restriction_id") -> set[str]:
        return {self.key_of(int(i)) for i in frame[column]}


# --- building the data set through the services ------------------------------------------
class Build:
    def __init__(self, engine: Engine) -> None:
        self.e = engine
        self.d = Data(engine=engine, dialect=engine.dialect.name)

    # people
    def people(self) -> None:
        d = self.d
        for team in (NORTH, SOUTH):
            d.teams[team] = users.ensure_team(self.e, name=team)
        admin = users.create_first_admin(
            self.e, data=UserCreate(username="ada.admin", name="Ada Admin", password=PASSWORD)
        )
        d.users["admin"] = _ctx(admin)

        def mk(key: str, name: str, *roles: p.Role, team: str = NORTH, lm: str | None = None):
            created = users.create_user(
                self.e,
                user=d.users["admin"],
                data=UserCreate(
                    username=key,
                    name=name,
                    password=PASSWORD,
                    roles=[r.value for r in roles],
                    team_id=d.teams[team],
                    line_manager_id=d.uid(lm) if lm else None,
                ),
            )
            d.users[key] = _ctx(created)

        mk("admin2", "Abe Admin", p.Role.ADMIN)
        mk("cm", "Cara Case", p.Role.CASE_MANAGER)
        mk("cm2", "Cy Case", p.Role.CASE_MANAGER, team=SOUTH)
        mk("officer", "Olu Officer", p.Role.OFFICER)
        mk("lm", "Lee Line", p.Role.LINE_MANAGER)
        mk("lm2", "Lou Line", p.Role.LINE_MANAGER, team=SOUTH)
        mk("senior", "Sam Senior", p.Role.SENIOR_OFFICER)
        mk("spoc1", "Spike One", p.Role.OFFICER, lm="lm")
        mk("spoc2", "Spud Two", p.Role.OFFICER, team=SOUTH, lm="lm2")
        mk("spoc3", "Sky Three", p.Role.OFFICER, team=SOUTH)
        mk("manager", "Max Manager", p.Role.MANAGER)

    def customer(self, key: str) -> None:
        name, ref, team, needs, _group = CUSTOMERS[key]
        created = customers.create_customer(
            self.e,
            user=self.d.users["cm"],
            data=CustomerCreate(
                tenancy_ref=ref, name=name, needs=needs, team_id=self.d.teams[team]
            ),
        )
        self.d.customers[key] = created.id
        self.d.steps[key] = []

    # steps
    def _step(self, key: str, action: str) -> None:
        self.d.steps[key].append(action)

    def incident(self, key: str, on: date, category: str, channel: str) -> None:
        made = cases.record_incident(
            self.e,
            user=self.d.users["officer"],
            data=IncidentCreate(
                customer_id=self.d.customers[key],
                occurred_at=datetime.combine(on, time(10, 0)),
                channel=channel,
                category=category,
                severity="moderate",
                narrative="Shouted at the officer.",
            ),
            today=BUILD,
        )
        self.d.cases[key] = made.case_id
        self.d.incidents.append((on, category, channel, key))
        self._step(key, "incident")

    def contact(
        self, key: str, on: date, channel: p.Channel, *, via_spoc: bool = False, topic: str = ""
    ) -> p.Screen:
        screened = cases.record_contact(
            self.e,
            user=self.d.users["officer"],
            customer_id=self.d.customers[key],
            on=on,
            channel=channel,
            via_spoc=via_spoc,
            topic=topic or None,
            today=BUILD,
        )
        self.d.contacts.append((on, key))
        self._step(key, "contact")
        return screened.screen

    def ladder(self, key: str, restrict_on: date, first: tuple[str, str], second: tuple[str, str]):
        """Incident, initial warning, EIA, formal warning, incident: ready to restrict."""
        s = restrict_on - timedelta(days=20)
        self.incident(key, s, *first)
        case_id = self.d.cases[key]
        cases.record_informal_step(
            self.e,
            user=self.d.users["officer"],
            case_id=case_id,
            kind=p.InformalKind.INITIAL_WARNING,
            on=s + timedelta(days=2),
            today=BUILD,
        )
        self._step(key, "initial_warning")
        self.eia(key, s + timedelta(days=5))
        cases.give_formal_warning(
            self.e,
            user=self.d.users["cm"],
            case_id=case_id,
            on=s + timedelta(days=10),
            behaviour="Abuse of colleagues.",
            today=BUILD,
        )
        self._step(key, "formal_warning")
        self.incident(key, s + timedelta(days=15), *second)

    def eia(self, key: str, on: date) -> None:
        cases.record_eia(
            self.e,
            user=self.d.users["cm"],
            case_id=self.d.cases[key],
            on=on,
            proportionate=True,
            needs_considered="Considered the recorded needs.",
            today=BUILD,
        )
        self._step(key, "eia")

    def restrict(self, rkey: str, channels: tuple[p.Channel, ...] = ()) -> None:
        spec = RESTRICTIONS[rkey]
        spoc = {"R1": "spoc1", "R3": "spoc2", "R5": "spoc1"}.get(rkey)
        self.d.r[rkey] = cases.restrict_contact(
            self.e,
            user=self.d.users["cm"],
            case_id=self.d.cases[spec.customer],
            on=spec.start,
            types=[p.RestrictionType(t) for t in spec.types],
            months=spec.months,
            reasons="Abuse continued after a formal warning.",
            allowed_channels=channels,
            spoc_user_id=self.d.uid(spoc) if spoc else None,
            today=BUILD,
        )
        self._step(spec.customer, "restrict")

    def appeal(self, key: str, received: date, letter: date) -> None:
        cases.receive_appeal(
            self.e,
            user=self.d.users["officer"],
            case_id=self.d.cases[key],
            received_on=received,
            letter_date=letter,
            today=BUILD,
        )
        self._step(key, "appeal")

    def reconsideration(self, key: str, received: date) -> None:
        cases.receive_reconsideration(
            self.e,
            user=self.d.users["officer"],
            case_id=self.d.cases[key],
            received_on=received,
            today=BUILD,
        )
        self._step(key, "reconsideration")

    # the data set
    def run(self) -> Data:
        d, e = self.d, self.e
        self.people()
        for key in CUSTOMERS:
            self.customer(key)
        ph, em, lt = p.Channel.PHONE, p.Channel.EMAIL, p.Channel.LETTER
        aa, ud, up = "aggressive_abusive", "unreasonable_demands", "unreasonably_persistent"

        # C1: contacts before, then the ladder to R1 (SPOC spoc1, written only), an appeal
        # upheld on time, breaches, a SPOC review with three recommendations, a fresh EIA.
        for on, ch in ((date(2024, 10, 20), ph), (date(2024, 11, 5), ph)):
            self.contact("C1", on, ch)
        d.cases["C1"] = _open_case(e, d.customers["C1"])
        for on, ch in ((date(2024, 12, 1), em), (date(2024, 12, 20), ph)):
            self.contact("C1", on, ch)
        self.ladder("C1", RESTRICTIONS["R1"].start, (aa, "phone"), (aa, "email"))
        self.restrict("R1")
        self.appeal("C1", date(2025, 1, 20), date(2025, 1, 10))
        assert self.contact("C1", date(2025, 2, 1), ph) is p.Screen.BREACH
        cases.decide_appeal(
            e,
            user=d.users["senior"],
            case_id=d.cases["C1"],
            on=date(2025, 2, 10),
            outcome=p.AppealOutcome.UPHELD,
            reasons="Proportionate.",
            fact_sheet_sent=True,
            today=BUILD,
        )
        self._step("C1", "appeal_decision")
        assert self.contact("C1", date(2025, 3, 1), em, via_spoc=True) is p.Screen.ALLOWED
        review_id = cases.review_spoc(
            e,
            user=d.users["lm"],
            case_id=d.cases["C1"],
            on=date(2025, 4, 8),
            findings="Replies timely.",
            recommendations=[
                RecommendationIn("Chase the repair", d.uid("cm"), date(2025, 5, 15)),
                RecommendationIn("Send summary letter", d.uid("spoc1"), date(2025, 7, 5)),
                RecommendationIn("Update the marker", d.uid("lm"), date(2025, 4, 30)),
            ],
            today=BUILD,
        )
        self._step("C1", "spoc_review")
        with unit_of_work(e) as session:
            for rec in session.exec(
                select(Recommendation).where(Recommendation.spoc_review_id == review_id)
            ).all():
                d.recs[rec.text] = rec.id or 0
        cases.complete_recommendation(
            e,
            user=d.users["lm"],
            recommendation_id=d.recs["Update the marker"],
            note="Done.",
            today=date(2025, 5, 1),
        )
        assert self.contact("C1", date(2025, 4, 20), em, via_spoc=True) is p.Screen.ALLOWED
        assert self.contact("C1", date(2025, 5, 2), ph) is p.Screen.BREACH
        self.eia("C1", date(2025, 6, 20))

        # C2: a contact, the ladder to R2 (email only, three months, never reviewed: it lapses
        # on 1 June), a breach, an exclusion, and a reconsideration never decided.
        self.contact("C2", date(2025, 1, 15), ph)
        self.ladder("C2", RESTRICTIONS["R2"].start, (ud, "phone"), (ud, "phone"))
        self.restrict("R2", (em,))
        assert self.contact("C2", date(2025, 3, 10), ph) is p.Screen.BREACH
        assert (
            self.contact("C2", date(2025, 3, 12), ph, topic="urgent_repair") is p.Screen.EXCLUSION
        )
        self.reconsideration("C2", date(2025, 4, 1))

        # C3 (South): R3 for twelve months with SPOC spoc2, handed over to spoc3 (customer
        # told); never SPOC-reviewed; an appeal pending.
        self.ladder("C3", RESTRICTIONS["R3"].start, (up, "email"), (aa, "visit"))
        self.restrict("R3")
        cases.hand_over_spoc(
            e,
            user=d.users["cm"],
            case_id=d.cases["C3"],
            on=date(2025, 6, 15),
            to_user_id=d.uid("spoc3"),
            customer_informed=True,
            today=BUILD,
        )
        self._step("C3", "spoc_handover")
        self.appeal("C3", date(2025, 6, 20), date(2025, 6, 10))

        # C4 (South): R4a removed at review, a contact while unrestricted, an incident, R4b.
        self.ladder("C4", RESTRICTIONS["R4a"].start, (aa, "phone"), (aa, "phone"))
        self.restrict("R4a")
        cases.review_restriction(
            e,
            user=d.users["cm"],
            case_id=d.cases["C4"],
            on=date(2025, 1, 15),
            outcome=p.ReviewOutcome.REMOVE,
            customer_letter=True,
            today=BUILD,
        )
        self._step("C4", "review")
        self.contact("C4", date(2025, 2, 10), em)
        self.incident("C4", date(2025, 3, 20), ud, "letter")
        self.restrict("R4b")
        assert self.contact("C4", date(2025, 5, 5), lt) is p.Screen.ALLOWED

        # C5: R5 with SPOC spoc1 from 1 June.
        self.ladder("C5", RESTRICTIONS["R5"].start, (aa, "social_media"), (up, "email"))
        self.restrict("R5")

        # C6: incidents and an initial warning only.
        self.incident("C6", date(2025, 5, 10), ud, "email")
        cases.record_informal_step(
            e,
            user=d.users["officer"],
            case_id=d.cases["C6"],
            kind=p.InformalKind.INITIAL_WARNING,
            on=date(2025, 5, 12),
            today=BUILD,
        )
        self._step("C6", "initial_warning")
        self.incident("C6", date(2025, 6, 5), up, "visit")

        # C7: R6 for twelve months from Oct 2024, never reviewed; a reconsideration decided late.
        self.ladder("C7", RESTRICTIONS["R6"].start, (aa, "phone"), (aa, "phone"))
        self.restrict("R6")
        self.reconsideration("C7", date(2025, 5, 1))
        cases.decide_reconsideration(
            e,
            user=d.users["senior"],
            case_id=d.cases["C7"],
            on=date(2025, 6, 5),
            outcome=p.ReconsiderationOutcome.KEEP,
            reasons="Behaviour has not changed.",
            today=BUILD,
        )
        self._step("C7", "reconsideration_decision")

        # No service assigns case officers or issues letters yet: set them directly.
        with unit_of_work(e) as session:
            for key, officer in CASE_OFFICER.items():
                session.execute(
                    sa.update(Case)
                    .where(col(Case.id) == d.cases[key])
                    .values(case_officer_id=d.uid(officer))
                )
            event_id = session.exec(
                select(CaseEvent.id).where(CaseEvent.case_id == d.cases["C1"])
            ).first()
            for on in (date(2025, 3, 1), date(2025, 4, 15), date(2025, 5, 20)):
                session.add(
                    Letter(
                        case_id=d.cases["C1"], event_id=event_id, kind="update", dated=on, body="."
                    )
                )
        return d


def _ctx(public: Any) -> UserContext:
    return UserContext(
        public.id, public.username, public.name, frozenset(p.Role(r) for r in public.roles)
    )


def _open_case(engine: Engine, customer_id: int) -> int:
    with unit_of_work(engine) as session:
        case = session.exec(select(Case).where(Case.customer_id == customer_id)).one()
        assert case.id is not None
        return case.id


def _fresh_postgres_database(url: str, name: str) -> str:
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin.dispose()
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def data(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Data]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('queries') / 'ube.db'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("pg_url"), "ube_queries")
    migrate(url)
    engine = make_engine(url)
    real = bcrypt.gensalt
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users.bcrypt, "gensalt", lambda *a, **k: real(rounds=4))
        built = Build(engine).run()
    try:
        yield built
    finally:
        engine.dispose()


# --- the register ----------------------------------------------------------------------
@pytest.mark.parametrize("today", [T0, T1, T2])
def test_register_status_on_chosen_days(data: Data, today: date) -> None:
    page = q.restriction_register(data.engine, user=data.users["manager"], today=today)
    assert page.total == len(RESTRICTIONS) == len(page.rows)
    got = {data.key_of(int(row.restriction_id)): row.status for row in page.rows.itertuples()}
    assert got == {key: spec.status(today) for key, spec in RESTRICTIONS.items()}
    for status in ("active", "ended", "lapsed"):
        filtered = q.restriction_register(
            data.engine, user=data.users["manager"], today=today, status=status
        )
        expected = {k for k, spec in RESTRICTIONS.items() if spec.status(today) == status}
        assert data.keys(filtered.rows) == expected
        assert filtered.total == len(expected)


def test_register_status_by_hand(data: Data) -> None:
    # 30 June: R2 ran out on 1 June unreviewed (lapsed), R4a was removed at review (ended).
    def by_status(today: date) -> dict[str, set[str]]:
        rows = q.register_export(data.engine, user=data.users["manager"], today=today)
        out: dict[str, set[str]] = {}
        for row in rows.itertuples():
            out.setdefault(row.status, set()).add(data.key_of(int(row.restriction_id)))
        return out

    assert by_status(T0) == {
        "active": {"R1", "R3", "R4b", "R5", "R6"},
        "lapsed": {"R2"},
        "ended": {"R4a"},
    }
    assert by_status(T2) == {
        "active": {"R3"},
        "lapsed": {"R1", "R2", "R4b", "R5", "R6"},
        "ended": {"R4a"},
    }


def test_register_columns(data: Data) -> None:
    rows = q.restriction_register(data.engine, user=data.users["cm"], today=T0).rows
    assert list(rows.columns) == [
        "restriction_id",
        "case_id",
        "customer_id",
        "tenancy_ref",
        "customer_name",
        "team",
        "types",
        "allowed_channels",
        "spoc",
        "start_on",
        "end_on",
        "case_review_due",
        "eia_review_due",
        "appeal_status",
        "breaches",
        "status",
        "days_overdue",
    ]
    by_key = {data.key_of(int(row.restriction_id)): row for row in rows.itertuples()}
    r1, r2, r3 = by_key["R1"], by_key["R2"], by_key["R3"]
    assert (r1.customer_name, r1.tenancy_ref, r1.team) == ("Alice Adams", "T-001", NORTH)
    assert (r1.types, r1.spoc, r1.breaches) == ("spoc,written_only", "Spike One", 2)
    assert r1.appeal_status == "decided-upheld"
    assert r1.eia_review_due == date(2025, 12, 20)  # the EIA of 20 June 2025, six months on
    assert (r2.allowed_channels, r2.breaches) == ("email", 1)  # the exclusion is no breach
    assert pd.isna(r2.spoc)
    assert r3.spoc == "Sky Three"  # after the handover
    assert r3.appeal_status == "pending"
    assert {row.appeal_status for k, row in by_key.items() if k not in ("R1", "R3")} == {"none"}
    for key, row in by_key.items():
        spec = RESTRICTIONS[key]
        assert (row.start_on, row.end_on) == (spec.start, spec.end)
        assert row.case_review_due == CASE_REVIEW_DUE[key]
        assert row.customer_id == data.customers[spec.customer]
        assert row.case_id == data.cases[spec.customer]


def test_register_filters(data: Data) -> None:
    def keys(**filters: Any) -> set[str]:
        page = q.restriction_register(data.engine, user=data.users["officer"], today=T0, **filters)
        assert page.total == len(page.rows)
        return data.keys(page.rows)

    def by_spec(pred: Any) -> set[str]:
        return {k for k, spec in RESTRICTIONS.items() if pred(spec)}

    assert keys(types=["spoc"]) == by_spec(lambda s: "spoc" in s.types) == {"R1", "R3", "R5"}
    assert keys(types=["spoc", "third_party"]) == {"R1", "R3", "R4b", "R5"}
    assert keys(spoc=data.uid("spoc1")) == by_spec(lambda s: s.spoc == "spoc1")
    assert keys(spoc=data.uid("spoc2")) == set()  # handed over
    assert keys(team_id=data.teams[SOUTH]) == by_spec(lambda s: s.team == SOUTH)
    assert keys(search="adams") == {"R1"}
    assert keys(search="t-004") == {"R4a", "R4b"}
    assert keys(search="100%") == set()
    # Pending appeal (R3) or reconsideration (R2).
    assert keys(open_appeal=True) == {"R2", "R3"}
    assert keys(open_appeal=False) == set(RESTRICTIONS) - {"R2", "R3"}
    # Not ended, case review due before 30 June: R2 (1 June, lapsed) and R6 (15 April).
    overdue = {
        k for k, spec in RESTRICTIONS.items() if spec.ended_on is None and CASE_REVIEW_DUE[k] < T0
    }
    assert keys(overdue_only=True) == overdue == {"R2", "R6"}
    rows = q.register_export(data.engine, user=data.users["officer"], today=T0).set_index(
        "restriction_id"
    )
    days = {k: int(rows.loc[data.r[k], "days_overdue"]) for k in RESTRICTIONS}
    assert days == {k: (T0 - CASE_REVIEW_DUE[k]).days if k in overdue else 0 for k in days}
    assert days["R2"] == 29 and days["R6"] == 76
    # Due within 30 days (overdue included): R1 (10 July) as well.
    assert keys(due_within_days=30) == {"R1", "R2", "R6"}
    assert keys(due_within_days=30, team_id=data.teams[NORTH], types=["spoc"]) == {"R1"}
    assert keys(status="active", overdue_only=True) == {"R6"}


def test_register_pagination_and_sort(data: Data) -> None:
    seen: list[int] = []
    for number, size in ((1, 3), (2, 3), (3, 3)):
        page = q.restriction_register(
            data.engine,
            user=data.users["manager"],
            today=T0,
            sort="start_on",
            page=number,
            page_size=size,
        )
        assert page.total == 7 and page.pages == 3
        assert len(page.rows) == (3 if number < 3 else 1)
        seen += [int(i) for i in page.rows.restriction_id]
    assert sorted(seen) == sorted(data.r.values())
    by_start = sorted(RESTRICTIONS, key=lambda k: RESTRICTIONS[k].start)
    assert [data.key_of(i) for i in seen] == by_start
    beyond = q.restriction_register(
        data.engine, user=data.users["manager"], today=T0, page=4, page_size=3
    )
    assert beyond.total == 7 and beyond.rows.empty
    filtered = q.restriction_register(
        data.engine, user=data.users["manager"], today=T0, status="active", page_size=2
    )
    assert (filtered.total, len(filtered.rows), filtered.pages) == (5, 2, 3)

    names = q.restriction_register(
        data.engine, user=data.users["manager"], today=T0, sort="customer_name", descending=True
    ).rows.customer_name.tolist()
    assert names == sorted((CUSTOMERS[s.customer][0] for s in RESTRICTIONS.values()), reverse=True)
    worst = q.restriction_register(
        data.engine, user=data.users["manager"], today=T0, sort="days_overdue", descending=True
    ).rows
    assert data.key_of(int(worst.restriction_id.iloc[0])) == "R6"
    dues = q.restriction_register(data.engine, user=data.users["manager"], today=T0).rows
    assert dues.case_review_due.tolist() == sorted(CASE_REVIEW_DUE.values())

    for bad in (
        {"sort": "reasons; drop table"},
        {"status": "paused"},
        {"page": 0},
        {"page_size": 501},
        {"types": ["curfew"]},
        {"due_within_days": -1},
    ):
        with pytest.raises(InvalidInput):
            q.restriction_register(data.engine, user=data.users["manager"], today=T0, **bad)


def test_register_export_is_audited(data: Data) -> None:
    with unit_of_work(data.engine) as session:
        before = len(
            session.exec(select(AuditEvent).where(AuditEvent.action == "register.export")).all()
        )
    rows = q.register_export(
        data.engine, user=data.users["manager"], today=T0, status="active", sort="end_on"
    )
    assert len(rows) == 5
    assert rows.end_on.tolist() == sorted(
        spec.end for spec in RESTRICTIONS.values() if spec.status(T0) == "active"
    )
    with unit_of_work(data.engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "register.export")
        ).all()
    assert len(events) == before + 1
    assert events[-1].user_id == data.uid("manager")
    assert '"rows": 5' in events[-1].detail


# --- the calendar ----------------------------------------------------------------------
def test_calendar_july_with_overdue_first(data: Data) -> None:
    items = q.calendar_items(
        data.engine,
        user=data.users["manager"],
        start=date(2025, 7, 1),
        end=date(2025, 7, 31),
        today=T0,
    )
    got = [(row.kind, row.due_on, bool(row.overdue), row.case_id) for row in items.itertuples()]
    c, r = data.cases, data.r
    # By hand. Overdue on 30 June (before the range): C7's EIA (30 Sep 2024 + 6 months),
    # R6's case review, C4's EIA (17 Oct 2024 + 6 months, R4b active), R2's reconsideration
    # (1 Apr + 28 days), R3's first SPOC review (1 Feb + a quarter), recommendation A.
    # In July: recommendation B, R1's SPOC review (8 Apr + a quarter), R1's case review and
    # end, C3's EIA (17 Jan + 6 months), R3's appeal decision (20 Jun + 28 days).
    assert got == [
        ("eia_review", date(2025, 3, 30), True, c["C7"]),
        ("case_review", date(2025, 4, 15), True, c["C7"]),
        ("eia_review", date(2025, 4, 17), True, c["C4"]),
        ("reconsideration_decision", date(2025, 4, 29), True, c["C2"]),
        ("spoc_review", date(2025, 5, 1), True, c["C3"]),
        ("recommendation", date(2025, 5, 15), True, c["C1"]),
        ("recommendation", date(2025, 7, 5), False, c["C1"]),
        ("spoc_review", date(2025, 7, 8), False, c["C1"]),
        ("case_review", date(2025, 7, 10), False, c["C1"]),
        ("restriction_end", date(2025, 7, 10), False, c["C1"]),
        ("eia_review", date(2025, 7, 17), False, c["C3"]),
        ("appeal_decision", date(2025, 7, 18), False, c["C3"]),
    ]
    assert items.restriction_id.iloc[1] == r["R6"]
    assert items.customer_name.iloc[0] == "Gail Green"
    assert items.title.iloc[5] == "SPOC review recommendation: Chase the repair"
    # Owners: case officer, SPOC for SPOC reviews, owner for recommendations.
    owners = [None if pd.isna(o) else int(o) for o in items.owner_id]
    assert owners == [
        data.uid("cm"),
        data.uid("cm"),
        data.uid("cm2"),
        data.uid("cm"),
        data.uid("spoc3"),
        data.uid("cm"),
        data.uid("spoc1"),
        data.uid("spoc1"),
        data.uid("cm"),
        data.uid("cm"),
        data.uid("cm2"),
        data.uid("cm2"),
    ]
    assert items.owner_name.iloc[4] == "Sky Three"
    assert items.uid.is_unique
    assert items.uid.iloc[1] == f"ube-case_review-restriction-{r['R6']}@ube"
    assert items.uid.iloc[0] == f"ube-eia_review-case-{c['C7']}@ube"
    assert all(u.startswith("ube-") and u.endswith("@ube") for u in items.uid)


def test_calendar_filters_and_customer_deadlines(data: Data) -> None:
    def cal(**kw: Any) -> pd.DataFrame:
        kw.setdefault("today", T0)
        return q.calendar_items(data.engine, user=data.users["lm"], **kw)

    july = {"start": date(2025, 7, 1), "end": date(2025, 7, 31)}
    assert cal(**july, kinds=["case_review"]).due_on.tolist() == [
        date(2025, 4, 15),
        date(2025, 7, 10),
    ]
    south = cal(**july, team_id=data.teams[SOUTH])
    assert set(south.case_id) == {data.cases["C3"], data.cases["C4"]}
    assert len(south) == 4  # C4 EIA, R3 SPOC review (overdue); C3 EIA, R3 appeal decision
    mine = cal(**july, owner_id=data.uid("spoc1"))
    assert mine.kind.tolist() == ["recommendation", "spoc_review"]
    # The customer's appeal deadline is shown in range but never overdue: R5's is 15 June
    # (1 June + 14 days). R1 and R3 have appeals; R2's deadline (15 March) is past.
    june = cal(start=date(2025, 6, 1), end=date(2025, 6, 30), kinds=["appeal_deadline"])
    assert [(row.due_on, row.overdue) for row in june.itertuples()] == [(date(2025, 6, 15), False)]
    assert cal(start=date(2025, 7, 1), end=date(2025, 7, 31), kinds=["appeal_deadline"]).empty
    # Ends of active restrictions only: on 15 Dec only R3 is active.
    ends = cal(start=date(2025, 1, 1), end=date(2026, 12, 31), kinds=["restriction_end"], today=T2)
    assert ends.due_on.tolist() == [date(2026, 2, 1)]
    # Completed recommendation C is gone; A and B remain.
    recs = cal(start=date(2025, 1, 1), end=date(2025, 12, 31), kinds=["recommendation"])
    assert len(recs) == 2
    with pytest.raises(InvalidInput):
        cal(**july, kinds=["birthday"])
    with pytest.raises(InvalidInput):
        cal(start=date(2025, 7, 31), end=date(2025, 7, 1))


def test_calendar_uid_stable_across_days(data: Data) -> None:
    kw = {"start": date(2025, 1, 1), "end": date(2026, 12, 31), "kinds": ["case_review"]}
    early = q.calendar_items(data.engine, user=data.users["manager"], today=T0, **kw)
    later = q.calendar_items(data.engine, user=data.users["manager"], today=T1, **kw)
    uid_early = dict(zip(early.restriction_id, early.uid, strict=True))
    uid_later = dict(zip(later.restriction_id, later.uid, strict=True))
    for rid in set(uid_early) & set(uid_later):
        assert uid_early[rid] == uid_later[rid]
    # R1 ran out on 10 July: its review is not on 1 August's calendar.
    assert data.r["R1"] in uid_early and data.r["R1"] not in uid_later


@pytest.mark.parametrize(
    "filters",
    [{}, {"team_id": SOUTH}, {"owner_id": "cm"}, {"kinds": ["eia_review", "case_review"]}],
    ids=["everyone", "team", "owner", "kinds"],
)
@pytest.mark.parametrize("limit", [1, 2, 100])
def test_calendar_counts_and_first_items_agree_with_the_whole_list(
    data: Data, filters: dict[str, Any], limit: int
) -> None:
    """A large book's calendar shows counts and the first items only; both must be what the
    whole list would show."""
    kw: dict[str, Any] = {"start": date(2025, 7, 1), "end": date(2025, 7, 31), "today": T0}
    kw.update(filters)
    if "team_id" in kw:
        kw["team_id"] = data.teams[kw["team_id"]]
    if "owner_id" in kw:
        kw["owner_id"] = data.uid(kw["owner_id"])
    user = data.users["manager"]
    whole = q.calendar_items(data.engine, user=user, **kw)
    counts = q.calendar_counts(data.engine, user=user, **kw)
    assert list(counts.columns) == ["due_on", "kind", "overdue", "items"]
    expected = whole.groupby(["due_on", "kind", "overdue"]).size()
    got = counts.set_index(["due_on", "kind", "overdue"])["items"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert int(counts["items"].sum()) == len(whole) > 0

    first = q.calendar_items(data.engine, user=user, limit=limit, **kw)
    late = whole[whole.overdue]
    during = whole[whole.due_on >= kw["start"]]
    assert first[first.overdue].uid.head(limit).tolist() == late.uid.head(limit).tolist()
    assert first[first.due_on >= kw["start"]].uid.head(limit).tolist() == (
        during.uid.head(limit).tolist()
    )
    # Nothing else, and nothing twice.
    wanted = set(late.uid.head(limit)) | set(during.uid.head(limit))
    assert sorted(first.uid) == sorted(wanted)
    assert list(first.columns) == list(whole.columns)


def test_calendar_limit_and_range_are_checked(data: Data) -> None:
    user = data.users["manager"]
    with pytest.raises(InvalidInput):
        q.calendar_items(
            data.engine,
            user=user,
            start=date(2025, 7, 1),
            end=date(2025, 7, 31),
            today=T0,
            limit=0,
        )
    with pytest.raises(InvalidInput):
        q.calendar_counts(
            data.engine, user=user, start=date(2025, 7, 31), end=date(2025, 7, 1), today=T0
        )


# --- SPOC worklist ------------------------------------------------------------------------
def test_spoc_worklist(data: Data) -> None:
    def worklist(manager: str, today: date) -> pd.DataFrame:
        return q.spoc_worklist(
            data.engine, user=data.users["lm"], manager_id=data.uid(manager), today=today
        )

    rows = worklist("lm", T0)
    # spoc1 (managed by lm) handles R1 (signed off on 8 April, 2025-Q2) and R5 (due 1 Sept).
    assert [(data.key_of(int(x.restriction_id)), x.status) for x in rows.itertuples()] == [
        ("R5", "due"),
        ("R1", "signed_off"),
    ]
    r1 = rows.set_index("restriction_id").loc[data.r["R1"]]
    assert r1.quarter == "2025-Q2"
    assert r1.spoc_name == "Spike One"
    assert r1.last_reviewed_on == date(2025, 4, 8)
    assert r1.letters_in_quarter == 2  # 15 Apr and 20 May; 1 March is Q1
    q2 = [on for on, key in data.contacts if key == "C1" and date(2025, 4, 1) <= on <= T0]
    assert r1.contacts_in_quarter == len(q2) == 2
    assert r1.breaches_in_quarter == 1  # 2 May by phone
    assert r1.open_recommendations == 2  # "Update the marker" is done
    r5 = rows.set_index("restriction_id").loc[data.r["R5"]]
    assert (r5.letters_in_quarter, r5.contacts_in_quarter, r5.open_recommendations) == (0, 0, 0)
    assert pd.isna(r5.last_reviewed_on)
    # lm2's SPOC (spoc2) handed R3 to spoc3, who has no line manager.
    assert worklist("lm2", T0).empty
    # 1 August (2025-Q3): R1 has run out; R5 is due; R3 (spoc3) is not lm's.
    assert [
        (data.key_of(int(x.restriction_id)), x.status) for x in worklist("lm", T1).itertuples()
    ] == [("R5", "due")]
    # 15 December: only R3 is active and its SPOC has no line manager: every SPOC is listed,
    # and R3's first SPOC review (1 May) is overdue.
    late = worklist("lm", T2)
    assert [
        (data.key_of(int(x.restriction_id)), x.status, x.quarter) for x in late.itertuples()
    ] == [("R3", "overdue", "2025-Q4")]
    assert late.spoc_name.tolist() == ["Sky Three"]


# --- dashboard ----------------------------------------------------------------------------
def _in(on: date, period: tuple[date, date]) -> bool:
    return period[0] <= on <= period[1]


def test_dashboard_counts(data: Data) -> None:
    dash = q.dashboard(data.engine, user=data.users["manager"], start=H1[0], end=H1[1], today=T0)

    incidents = [i for i in data.incidents if _in(i[0], H1)]
    by_cat = Counter((on.strftime("%Y-%m"), cat) for on, cat, _ch, _k in incidents)
    by_chan = Counter((on.strftime("%Y-%m"), ch) for on, _cat, ch, _k in incidents)
    assert {
        (r.month, r.category): r.incidents for r in dash.incidents_by_category.itertuples()
    } == dict(by_cat)
    assert {
        (r.month, r.channel): r.incidents for r in dash.incidents_by_channel.itertuples()
    } == dict(by_chan)
    assert dash.incidents_by_category.incidents.sum() == len(incidents) == 10
    assert dash.incidents_by_category.month.tolist() == sorted(dash.incidents_by_category.month)

    # Stage as recorded with each case's last step: C6 had only an initial warning.
    assert dict(zip(dash.cases_by_stage.stage, dash.cases_by_stage.cases, strict=True)) == {
        "Contact restricted": 6,
        "Informal action": 1,
    }
    active = [s for s in RESTRICTIONS.values() if s.status(T0) == "active"]
    assert dict(
        zip(dash.restrictions_by_type.type, dash.restrictions_by_type.restrictions, strict=True)
    ) == dict(Counter(t for s in active for t in s.types))
    # Running on 30 June: R4b (1 Apr), R5 (1 Jun) under 3 months; R1 (10 Jan), R3 (1 Feb)
    # 3 to 6; R6 (15 Oct 2024) 6 to 9.
    assert dash.restrictions_by_duration.restrictions.tolist() == [2, 2, 1, 0]

    reviews = dash.reviews.set_index("review")
    # Case reviews: R6 overdue, R1 due 10 July. SPOC: R3 overdue, R1 due 8 July.
    # EIA: C4 and C7 overdue, C3 due 17 July (C2's is 14 August).
    assert reviews.loc["case_review"].tolist() == [1, 1]
    assert reviews.loc["spoc_review"].tolist() == [1, 1]
    assert reviews.loc["eia_review"].tolist() == [2, 1]

    appeals = dash.appeals.set_index("kind")
    # Appeals: R1's (decided in 21 days), R3's (pending, due 18 July).
    assert appeals.loc["appeal"].tolist() == [2, 2, 1, 1, 0, 1, 0]
    # Reconsiderations: R2's (pending since 1 April: overdue), R6's (decided 5 June, due 29 May).
    assert appeals.loc["reconsideration"].tolist() == [2, 2, 1, 0, 1, 1, 1]
    assert [tuple(r) for r in dash.appeal_outcomes.itertuples(index=False)] == [
        ("appeal", "upheld", 1),
        ("reconsideration", "keep", 1),
    ]

    # Q1: no SPOC restriction began before 1 January. Q2: R1 (signed off 8 April) and R3.
    spoc = dash.spoc_compliance
    assert [
        tuple(r) for r in spoc[["quarter", "required", "signed_off"]].itertuples(index=False)
    ] == [
        ("2025-Q1", 0, 0),
        ("2025-Q2", 2, 1),
    ]
    assert pd.isna(spoc.compliance.iloc[0]) and spoc.compliance.iloc[1] == 0.5
    # All seven restrictions were in force in H1: R1 two breaches, R2 one, the rest none.
    assert dict(zip(dash.breaches.breaches, dash.breaches.restrictions, strict=True)) == {
        0: 5,
        1: 1,
        2: 1,
    }

    # Contacts 90 days before / from the start of restrictions begun in H1 by 1 April (T0-90).
    counted = [k for k, s in RESTRICTIONS.items() if _in(s.start, (H1[0], T0 - timedelta(days=90)))]
    assert sorted(counted) == ["R1", "R2", "R3", "R4b"]

    def window(key: str, after: bool) -> int:
        s = RESTRICTIONS[key]
        lo, hi = (
            (s.start, s.start + timedelta(days=90))
            if after
            else (s.start - timedelta(days=90), s.start)
        )
        return sum(1 for on, cust in data.contacts if cust == s.customer and lo <= on < hi)

    before = sum(window(k, False) for k in counted)
    after = sum(window(k, True) for k in counted)
    assert (before, after) == (6, 5)
    cba = dash.contacts_before_after.set_index("window")
    assert cba.loc["90 days before"].tolist() == [4, before, before / 4]
    assert cba.loc["90 days after"].tolist() == [4, after, after / 4]

    # Equality view: counts only, by the needs group a person reads from the recorded needs.
    group = {k: v[4] for k, v in CUSTOMERS.items()}
    restricted = Counter(group[s.customer] for s in RESTRICTIONS.values())
    incident_groups = Counter(group[k] for _on, _cat, _ch, k in incidents)
    eq = dash.equality.set_index("needs_group")
    assert list(dash.equality.columns) == ["needs_group", "restrictions", "incidents"]
    for name in eq.index:
        assert eq.loc[name, "restrictions"] == restricted.get(name, 0), name
        assert eq.loc[name, "incidents"] == incident_groups.get(name, 0), name
    assert eq.loc["Sensory or physical", "restrictions"] == 3
    assert set(restricted) <= set(eq.index)

    # Compliance exceptions on 30 June, worked out by hand.
    exc = {(r.kind, r.case_id, r.on) for r in dash.exceptions.itertuples()}
    c = data.cases
    assert exc == {
        ("case_review_overdue", c["C7"], date(2025, 4, 15)),
        ("lapsed_without_review", c["C2"], date(2025, 6, 1)),
        ("eia_review_overdue", c["C4"], date(2025, 4, 17)),
        ("eia_review_overdue", c["C7"], date(2025, 3, 30)),
        ("spoc_review_overdue", c["C3"], date(2025, 5, 1)),
        ("decision_late", c["C7"], date(2025, 6, 5)),
        ("decision_overdue", c["C2"], date(2025, 4, 29)),
    }
    assert dash.exceptions.on.tolist() == sorted(dash.exceptions.on)
    assert dash.exceptions.label.notna().all()


def test_dashboard_team_filter(data: Data) -> None:
    south = data.teams[SOUTH]
    dash = q.dashboard(
        data.engine, user=data.users["manager"], start=H1[0], end=H1[1], team_id=south, today=T0
    )
    team_of = {k: v[2] for k, v in CUSTOMERS.items()}
    incidents = [i for i in data.incidents if _in(i[0], H1) and team_of[i[3]] == SOUTH]
    assert dash.incidents_by_channel.incidents.sum() == len(incidents) == 3
    assert dict(
        zip(dash.restrictions_by_type.type, dash.restrictions_by_type.restrictions, strict=True)
    ) == {
        "spoc": 1,
        "third_party": 1,
    }
    assert dash.cases_by_stage.cases.sum() == 2
    assert dash.appeals.set_index("kind").loc["appeal", "received"] == 1  # R3's
    assert dash.appeals.set_index("kind").loc["reconsideration", "received"] == 0
    assert {r.kind for r in dash.exceptions.itertuples()} == {
        "eia_review_overdue",
        "spoc_review_overdue",
    }
    assert dash.equality.restrictions.sum() == 3  # R3, R4a, R4b


def test_dashboard_later_quarters(data: Data) -> None:
    dash = q.dashboard(
        data.engine, user=data.users["manager"], start=date(2025, 7, 1), end=T2, today=T2
    )
    # Q3 judged on 30 Sep: R3 (no review) and R5 (began 1 June; due 1 Sept, none) — R1 ran out.
    # Q4 judged on 15 Dec: R3 only (R5 ended 1 Dec).
    assert [tuple(r) for r in dash.spoc_compliance.itertuples(index=False)] == [
        ("2025-Q3", 2, 0, 0.0),
        ("2025-Q4", 1, 0, 0.0),
    ]
    assert dash.incidents_by_category.empty
    assert list(dash.incidents_by_category.columns) == ["month", "category", "incidents"]
    lapsed = {
        (r.kind, r.case_id)
        for r in dash.exceptions.itertuples()
        if r.kind == "lapsed_without_review"
    }
    assert lapsed == {
        ("lapsed_without_review", data.cases[RESTRICTIONS[k].customer])
        for k in ("R1", "R4b", "R5", "R6")
    }
    with pytest.raises(InvalidInput):
        q.dashboard(data.engine, user=data.users["manager"], start=T2, end=T0, today=T2)


# --- chronology, my work, decisions ----------------------------------------------------
def test_case_chronology(data: Data) -> None:
    chron = q.case_chronology(data.engine, user=data.users["officer"], case_id=data.cases["C1"])
    assert list(chron.columns) == ["seq", "date", "action", "label", "summary", "by"]
    assert chron.action.tolist() == data.steps["C1"]
    assert chron.seq.tolist() == list(range(1, len(data.steps["C1"]) + 1))
    assert chron.label.iloc[0] == "Inbound contact"
    assert chron.date.iloc[0] == date(2024, 10, 20)
    assert chron.by.iloc[-1] == "Cara Case"  # the EIA of 20 June
    contacts = q.case_chronology(
        data.engine, user=data.users["officer"], case_id=data.cases["C1"], kinds=["contact"]
    )
    assert contacts.date.tolist() == sorted(on for on, key in data.contacts if key == "C1")
    assert contacts.seq.is_monotonic_increasing
    with pytest.raises(NotFound):
        q.case_chronology(data.engine, user=data.users["officer"], case_id=999_999)
    with pytest.raises(InvalidInput):
        q.case_chronology(data.engine, user=data.users["officer"], case_id=1, kinds=["tea"])


def test_my_work(data: Data) -> None:
    def work(key: str, horizon: int = 14) -> list[tuple[str, date, str]]:
        frame = q.my_work(data.engine, user=data.users[key], today=T0, horizon_days=horizon)
        return [(r.kind, r.due_on, data.key_of_case(r.case_id)) for r in frame.itertuples()]

    # Case officer of C1, C2, C5, C6, C7; owns recommendation A. Up to 14 July.
    assert work("cm") == [
        ("eia_review", date(2025, 3, 30), "C7"),
        ("case_review", date(2025, 4, 15), "C7"),
        ("recommendation", date(2025, 5, 15), "C1"),
        ("case_review", date(2025, 7, 10), "C1"),
        ("restriction_end", date(2025, 7, 10), "C1"),
    ]
    # SPOC of R1 and R5; owns recommendation B.
    assert work("spoc1") == [
        ("recommendation", date(2025, 7, 5), "C1"),
        ("spoc_review", date(2025, 7, 8), "C1"),
        ("case_review", date(2025, 7, 10), "C1"),
        ("restriction_end", date(2025, 7, 10), "C1"),
    ]
    # Line manager of spoc1: R1's SPOC review.
    assert work("lm") == [("spoc_review", date(2025, 7, 8), "C1")]
    # Senior officer: every pending decision (R3's appeal is due 18 July: beyond 14 days).
    assert work("senior") == [("reconsideration_decision", date(2025, 4, 29), "C2")]
    assert work("senior", 30) == [
        ("reconsideration_decision", date(2025, 4, 29), "C2"),
        ("appeal_decision", date(2025, 7, 18), "C3"),
    ]
    frame = q.my_work(data.engine, user=data.users["cm"], today=T0)
    assert frame.overdue.tolist() == [True, True, True, False, False]
    assert frame.days_overdue.tolist() == [92, 76, 46, 0, 0]
    assert frame.why.tolist() == [
        "Case officer",
        "Case officer",
        "Recommendation owner",
        "Case officer",
        "Case officer",
    ]
    # An administrator or a manager owns nothing here (and the home page must not fail).
    assert q.my_work(data.engine, user=data.users["admin2"], today=T0).empty
    assert q.my_work(data.engine, user=data.users["manager"], today=T0).empty


def test_pending_decisions(data: Data) -> None:
    queue = q.pending_decisions(data.engine, user=data.users["senior"], today=T0)
    assert [
        (r.kind, data.key_of_case(r.case_id), r.decision_due, r.days_left)
        for r in queue.itertuples()
    ] == [
        ("reconsideration", "C2", date(2025, 4, 29), -62),  # 1 Apr + 28 days; 62 days ago
        ("appeal", "C3", date(2025, 7, 18), 18),  # 20 Jun + 28 days
    ]
    appeal = queue.iloc[1]
    assert (appeal.received_on, appeal.letter_date, bool(appeal.in_time)) == (
        date(2025, 6, 20),
        date(2025, 6, 10),
        True,
    )
    assert appeal.restriction_made_by == "Cara Case"
    assert q.pending_decisions(
        data.engine, user=data.users["senior"], today=date(2025, 7, 18)
    ).days_left.tolist() == [-80, 0]


# --- who may read ---------------------------------------------------------------------------
def test_admin_only_user_is_refused(data: Data) -> None:
    admin = data.users["admin2"]
    e = data.engine
    calls = [
        lambda: q.restriction_register(e, user=admin, today=T0),
        lambda: q.register_export(e, user=admin, today=T0),
        lambda: q.calendar_items(e, user=admin, start=T0, end=T1, today=T0),
        lambda: q.dashboard(e, user=admin, start=H1[0], end=H1[1], today=T0),
        lambda: q.spoc_worklist(e, user=admin, manager_id=data.uid("lm"), today=T0),
        lambda: q.case_chronology(e, user=admin, case_id=data.cases["C1"]),
        lambda: q.pending_decisions(e, user=admin, today=T0),
    ]
    for call in calls:
        with pytest.raises(NotAuthorised):
            call()


def test_no_special_category_data_returned(data: Data) -> None:
    """No query returns a customer's recorded needs; the equality view has counts only."""
    e, manager = data.engine, data.users["manager"]
    dash = q.dashboard(e, user=manager, start=H1[0], end=H1[1], today=T0)
    frames = [
        q.register_export(e, user=manager, today=T0),
        q.calendar_items(e, user=manager, start=H1[0], end=T2, today=T0),
        q.spoc_worklist(e, user=manager, manager_id=data.uid("lm"), today=T0),
        q.case_chronology(e, user=manager, case_id=data.cases["C1"]),
        q.pending_decisions(e, user=manager, today=T0),
        *(value for value in vars(dash).values() if isinstance(value, pd.DataFrame)),
    ]
    needs = {v[3].lower() for v in CUSTOMERS.values() if v[3]}
    for frame in frames:
        assert "needs" not in frame.columns and "adjustments" not in frame.columns
        text = frame.astype(str).to_string().lower()
        for need in needs:
            assert need not in text
    assert set(dash.equality.columns) == {"needs_group", "restrictions", "incidents"}


# --- exceptions no service lets happen (imported or legacy rows) ---------------------------
def test_exceptions_for_rows_written_outside_the_services(engine: Engine) -> None:
    real = bcrypt.gensalt
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users.bcrypt, "gensalt", lambda *a, **k: real(rounds=4))
        build = Build(engine)
        build.people()
    d = build.d
    build.customer("C1")
    build.customer("C2")
    build.ladder(
        "C1",
        RESTRICTIONS["R1"].start,
        ("aggressive_abusive", "phone"),
        ("aggressive_abusive", "email"),
    )
    build.restrict("R1")
    build.incident("C2", date(2025, 3, 1), "aggressive_abusive", "phone")
    with unit_of_work(engine) as session:
        r1 = session.get(Restriction, d.r["R1"])
        assert r1 is not None
        # A handover recorded without telling the customer, and a restriction with no EIA.
        session.add(
            SpocHandover(
                event_id=r1.event_id,
                case_id=r1.case_id,
                restriction_id=d.r["R1"],
                handed_on=date(2025, 3, 1),
                from_name="spoc1",
                to_name="spoc3",
                customer_informed=False,
            )
        )
        event_id = session.exec(
            select(CaseEvent.id).where(CaseEvent.case_id == d.cases["C2"])
        ).first()
        assert event_id is not None
        legacy = Restriction(
            event_id=event_id,
            case_id=d.cases["C2"],
            customer_id=d.customers["C2"],
            team_id=d.teams[NORTH],
            number=1,
            start_on=date(2025, 3, 5),
            end_on=date(2025, 9, 5),
            months=6,
            types="written_only",
            reasons="Imported from the old spreadsheet.",
            case_review_due=date(2025, 9, 5),
            appeal_deadline=date(2025, 3, 19),
        )
        session.add(legacy)
        session.flush()
        legacy_id = legacy.id
    dash = q.dashboard(engine, user=d.users["manager"], start=H1[0], end=H1[1], today=T0)
    got = {(r.kind, r.case_id, r.restriction_id, r.on) for r in dash.exceptions.itertuples()}
    assert ("handover_not_informed", d.cases["C1"], d.r["R1"], date(2025, 3, 1)) in got
    assert ("no_eia_before_restriction", d.cases["C2"], legacy_id, date(2025, 3, 5)) in got
    assert not any(
        kind == "no_eia_before_restriction" and case == d.cases["C1"] for kind, case, *_ in got
    )
    # Outside the period, neither shows.
    later = q.dashboard(engine, user=d.users["manager"], start=date(2025, 7, 1), end=T1, today=T1)
    assert not {"handover_not_informed", "no_eia_before_restriction"} & set(later.exceptions.kind)
