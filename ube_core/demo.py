"""A realistic, reproducible demo data set, bulk-loaded fast (``python -m ube_core demo``).

Every case is simulated step by step through the rules engine (``ube_core.procedure.Case``):
a step is recorded only when the engine allows it, and the rows written — the ``case_event``
chronology, the typed step tables, the case row and each restriction's due dates — are what
the services would have written for the same steps. The per-step services are not used: they
read the case back, lock it and audit each step, which is far too slow for a million
incidents. Rows are generated in Python and inserted with SQLAlchemy Core ``executemany`` in
batches of customers, one transaction and one ``demo.load`` audit row per batch.

The same ``seed`` and ``today`` give the same rows (ids included, when loaded into an empty
database); nothing reads the clock but the audit rows' timestamps.
"""

from __future__ import annotations

import heapq
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import bcrypt
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel
from tqdm import tqdm  # type: ignore[import-untyped]

import ube_core.storage.models  # noqa: F401  (registers the tables)
from ube_core import demo_text as words
from ube_core import procedure as p
from ube_core.errors import DomainError
from ube_core.procedure import Channel, RestrictionType, Role, Severity
from ube_core.storage.codec import to_payload

DEMO_PASSWORD = "ube-demo-password"
"""Every demo user signs in with this password (printed by the ``demo`` command)."""

BATCH_CUSTOMERS = 1000
"""Customers generated and inserted per transaction (about 70,000 rows)."""

WINDOW_DAYS = 730
"""Demo history covers the two years up to ``today``."""

# Insert order: parents before children (foreign keys are checked row by row).
TABLES = (
    "team",
    "app_user",
    "user_role",
    "customer",
    "ube_case",
    "case_event",
    "restriction",
    "restriction_type",
    "incident",
    "informal_step",
    "eia",
    "circumstances_change",
    "warning",
    "contact",
    "case_review",
    "appeal",
    "spoc_handover",
    "spoc_review",
    "recommendation",
    "legal_step",
)
ID_TABLES = tuple(t for t in TABLES if t not in ("user_role", "restriction_type"))

# Same-day order of steps: an incident is logged before the warning that cites it, an EIA
# is recorded before the restriction it supports, and so on.
ORD_INCIDENT, ORD_CONTACT, ORD_CHANGE, ORD_INFORMAL, ORD_EIA = 10, 20, 25, 30, 40
ORD_WARNING, ORD_RESTRICT, ORD_BREACH_WARNING, ORD_LEGAL, ORD_REVIEW = 50, 60, 70, 80, 90
ORD_APPEAL, ORD_DECISION, ORD_RECON, ORD_RECON_DECISION = 100, 110, 120, 130
ORD_HANDOVER, ORD_SPOC_REVIEW = 140, 150

Row = dict[str, Any]
T = TypeVar("T")


class DemoRefused(DomainError):
    """The demo data set cannot be loaded into this database."""


# -- people ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    name: str
    roles: frozenset[Role]
    team_id: int | None

    @property
    def actor(self) -> p.Actor:
        return p.Actor(self.username, self.roles)


@dataclass
class TeamStaff:
    id: int
    name: str
    officers: list[Staff] = field(default_factory=list)
    case_managers: list[Staff] = field(default_factory=list)
    spoc_reviewers: list[Staff] = field(default_factory=list)


@dataclass
class _People:
    teams: list[TeamStaff]
    seniors: list[Staff]
    by_username: dict[str, Staff]
    actors: dict[int, p.Actor]
    rows: dict[str, list[Row]]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def demo_password_hash(seed: int) -> str:
    """bcrypt hash of ``DEMO_PASSWORD``, computed once, with a salt derived from the seed."""
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    salt_rng = random.Random(f"ube-demo-salt-{seed}")
    body = "".join(salt_rng.choice(alphabet) for _ in range(21)) + salt_rng.choice(".Oeu")
    return bcrypt.hashpw(DEMO_PASSWORD.encode(), f"$2b$12${body}".encode()).decode()


def _username(first: str, last: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name


def _people(
    rng: random.Random,
    *,
    customers: int,
    seed: int,
    today: date,
    ids: _Ids,
    teams: Mapping[str, int],
    taken: set[str],
) -> _People:
    """Teams (the four patches) and a few users for every role, and their rows."""
    password_hash = demo_password_hash(seed)
    created = _at(today - timedelta(days=WINDOW_DAYS + 30), 9)
    rows: dict[str, list[Row]] = {"team": [], "app_user": [], "user_role": []}
    team_ids: dict[str, int] = {}
    for name in words.TEAMS:
        existing = teams.get(name)
        if existing is None:
            existing = ids.take("team")
            rows["team"].append({"id": existing, "name": name})
        team_ids[name] = existing

    by_username: dict[str, Staff] = {}

    def person(roles: Iterable[Role], team_id: int | None, manager: Staff | None) -> Staff:
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        username = _username(first, last, taken)
        staff = Staff(ids.take("app_user"), username, f"{first} {last}", frozenset(roles), team_id)
        rows["app_user"].append(
            {
                "id": staff.id,
                "username": username,
                "name": staff.name,
                "email": f"{username}@example.org",
                "team_id": team_id,
                "line_manager_id": manager.id if manager else None,
                "password_hash": password_hash,
                "active": True,
                "failed_attempts": 0,
                "locked_until": None,
                "created_at": created,
            }
        )
        for role in sorted(staff.roles):
            rows["user_role"].append({"user_id": staff.id, "role": role.value})
        by_username[username] = staff
        return staff

    head = person([Role.SENIOR_OFFICER, Role.MANAGER], None, None)
    seniors = [head] + [person([Role.SENIOR_OFFICER], None, head) for _ in range(2)]
    for _ in range(2):
        person([Role.MANAGER], None, head)
    person([Role.ADMIN], None, head)
    officers_per_team = min(12, max(3, customers // 4000))
    managers_per_team = min(8, max(2, customers // 8000))
    staff_teams = []
    for name in words.TEAMS:
        team = TeamStaff(team_ids[name], name)
        leader = person([Role.CASE_MANAGER, Role.LINE_MANAGER], team.id, head)
        line_manager = person([Role.LINE_MANAGER], team.id, head)
        team.spoc_reviewers = [leader, line_manager]
        team.case_managers = [
            person([Role.CASE_MANAGER], team.id, leader) for _ in range(managers_per_team)
        ]
        team.officers = [
            person([Role.OFFICER], team.id, line_manager) for _ in range(officers_per_team)
        ]
        staff_teams.append(team)
    actors = {s.id: s.actor for s in by_username.values()}
    return _People(staff_teams, seniors, by_username, actors, rows)


# -- ids and rows ----------------------------------------------------------------------------
class _Ids:
    """Explicit primary keys, continuing after what the database already holds."""

    def __init__(self, start: dict[str, int]) -> None:
        self.next = dict(start)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class _Plan:
    """A restriction to make: its date, length and whether it bypasses a warning step."""

    on: date
    months: int
    override: bool = False


# -- one customer and their case -------------------------------------------------------------
Handler = Callable[[date, Any], None]


class _CaseSim:
    """Simulates one customer's case through the rules engine and writes its rows."""

    def __init__(self, gen: _Generator, index: int) -> None:
        self.gen = gen
        self.rng = gen.rng
        self.today = gen.today
        self.rows = gen.rows
        self.ids = gen.ids
        self.case = p.Case()
        self.heap: list[tuple[date, int, int, Handler, Any]] = []
        self.pushed = 0
        self.restriction_rows: list[Row] = []
        self.appeal_row: Row | None = None
        self.recon_row: Row | None = None
        self.eia_token = 0
        self.breach_warning_planned: set[int] = set()
        self.breach_warned: set[int] = set()
        self.legal_planned = False
        self.index = index
        rng = self.rng
        self.team = gen.people.teams[rng.randrange(len(gen.people.teams))]
        self.officer = rng.choice(self.team.officers)
        self.manager = rng.choice(self.team.case_managers)
        self.breach_rate = rng.choice((0.05, 0.1, 0.2, 0.3, 0.5))
        self.escalates = rng.random() < 0.2  # goes on to legal action after breach warnings
        self.customer_id = self.ids.take("customer")
        self.case_id = self.ids.take("ube_case")
        self.first_name = ""
        self.first_day = self.today
        self.needs = self.adjustments = ""
        self.customer: Row = {}
        self.decision = p.Decision()

    # -- scheduling -----------------------------------------------------------------------
    def push(self, day: date, order: int, handler: Handler, arg: Any = None) -> None:
        self.pushed += 1
        heapq.heappush(self.heap, (day, order, self.pushed, handler, arg))

    def run(self) -> None:
        today, heap = self.today, self.heap
        while heap:
            day, _order, _n, handler, arg = heapq.heappop(heap)
            if day > today:
                break
            handler(day, arg)
        heap.clear()

    def days(self, lo: date, hi: date) -> date:
        """A day from ``lo`` to ``hi`` inclusive (``lo`` when the range is empty)."""
        span = (hi - lo).days
        return lo + timedelta(days=int(self.rng.random() * (span + 1))) if span > 0 else lo

    def offset(self, due: date, on_time: float, late: float) -> date | None:
        """When a due task is done: on time, late, or (None) not at all."""
        u = self.rng.random()
        if u < on_time:
            return due - timedelta(days=self.rng.randint(0, 14))
        if u < on_time + late:
            return due + timedelta(days=self.rng.randint(1, 45))
        return None

    # -- recording ------------------------------------------------------------------------
    def record(self, step: p.Event, who: Staff, summary: str = "") -> int | None:
        """Record ``step`` when the engine allows it; its ``case_event`` id, or None."""
        try:
            self.decision = self.case.record(step, self.gen.people.actors[who.id])
        except p.Refused as refused:
            self.gen.refused.update(refused.reasons)
            return None
        event_id = self.ids.take("case_event")
        seq = len(self.case.history)
        self.rows["case_event"].append(
            {
                "id": event_id,
                "case_id": self.case_id,
                "seq": seq,
                "action": step.action._value_,  # (the enum value, without the descriptor)
                "occurred_on": step.date,
                "by_user_id": who.id,
                "by_name": who.name,
                "summary": summary or step.action.label,
                "payload": to_payload(step),
                "recorded_at": _at(step.date, 16 + seq % 3, (seq * 7) % 60),
            }
        )
        return event_id

    @property
    def state(self) -> p.CaseState:
        return self.case.state

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def someone(self) -> Staff:
        """An officer or case manager of the team (who logs incidents and contacts)."""
        if self.rng.random() < 0.8:
            return self.pick(self.team.officers)
        return self.pick(self.team.case_managers)

    def current_row(self) -> Row:
        return self.restriction_rows[-1]

    def ended(self, action: str) -> None:
        """Note on the restriction rows which step ended them (as ``sync_restrictions``)."""
        for rs in self.state.restrictions[-2:]:
            row = self.restriction_rows[rs.number - 1]
            if rs.ended_on is not None and row["end_reason"] is None:
                row["end_reason"] = action

    # -- steps ----------------------------------------------------------------------------
    def incident(self, day: date, severity: Severity | None) -> None:
        rng = self.rng
        u = rng.random() * 100
        category = p.Category.UNREASONABLY_PERSISTENT
        for candidate, weight in words.CATEGORY_WEIGHTS:
            if u < weight:
                category = candidate
                break
            u -= weight
        behaviour = self.pick(p.BEHAVIOURS[category])
        if severity is None:
            v = rng.random()
            severity = (
                Severity.LOW
                if v < 0.45
                else Severity.MODERATE
                if v < 0.8
                else Severity.SERIOUS
                if v < 0.96
                else Severity.EXTREME
            )
            if severity is Severity.EXTREME and category is not p.Category.AGGRESSIVE_ABUSIVE:
                severity = Severity.SERIOUS
        if behaviour in (p.Behaviour.UNANNOUNCED_VISITS, p.Behaviour.PROPERTY_DAMAGE):
            channel = Channel.VISIT
        elif behaviour is p.Behaviour.HIGH_VOLUME_COMMUNICATION:
            channel = Channel.EMAIL
        else:
            w = rng.random()
            channel = (
                Channel.PHONE
                if w < 0.4
                else Channel.EMAIL
                if w < 0.58
                else Channel.VISIT
                if w < 0.72
                else Channel.WEB
                if w < 0.84
                else Channel.LETTER
                if w < 0.92
                else Channel.SOCIAL_MEDIA
            )
        who = self.someone()
        step = p.Incident(
            date=day, by=who.username, category=category, severity=severity, channel=channel,
            behaviour=behaviour,
        )  # fmt: skip
        summary = f"{severity.label} incident: {category.label} by {channel.label.lower()}"
        event_id = self.record(step, who, summary)
        if event_id is None:
            return
        ended = channel in (Channel.PHONE, Channel.VISIT) and rng.random() < (
            0.6 if severity.is_serious else 0.2
        )
        narrative = (
            f"{words.CHANNEL_CONTEXT[channel]} about {self.pick(words.TOPICS)}, "
            f"{self.first_name} {words.BEHAVIOUR_PHRASES[behaviour]}."
        )
        if ended:
            narrative += " The officer ended the contact."
        police = ""
        if severity.is_serious and behaviour in (
            p.Behaviour.THREATS_OF_VIOLENCE,
            p.Behaviour.PROPERTY_DAMAGE,
            p.Behaviour.INTIMIDATION,
        ):
            police = f"CAD/{day.year}/{rng.randint(10000, 99999)}" if rng.random() < 0.7 else ""
        self.rows["incident"].append(
            {
                "id": self.ids.take("incident"),
                "event_id": event_id,
                "case_id": self.case_id,
                "customer_id": self.customer_id,
                "team_id": self.team.id,
                "occurred_on": day,
                "recorded_by_id": who.id,
                "occurred_at": _at(day, rng.randint(8, 18), rng.randint(0, 59)),
                "channel": channel._value_,
                "category": category._value_,
                "behaviour": behaviour._value_,
                "severity": severity._value_,
                "narrative": narrative,
                "action_taken": self.pick(words.ACTIONS_TAKEN[severity]),
                "colleague": self.pick(self.team.officers).name,
                "colleague_ended_contact": ended,
                "police_ref": police,
                "witnesses": "Duty officer present" if rng.random() < 0.15 else "",
                "follow_up": rng.random() < 0.3,
            }
        )
        if (
            severity is Severity.EXTREME
            and not self.legal_planned
            and not self.state.legal_advice
            and rng.random() < 0.15
        ):
            self.legal_planned = True
            self.push(day + timedelta(days=rng.randint(3, 21)), ORD_LEGAL, self.legal_advice)

    def contact(self, day: date, _arg: Any) -> None:
        rng = self.rng
        current = self.state.active_restriction(day)
        topic: str | None = self.pick(words.CONTACT_TOPICS)
        via_spoc = False
        note = ""
        if current is None:
            w = rng.random()
            channel = (
                Channel.PHONE
                if w < 0.4
                else Channel.EMAIL
                if w < 0.65
                else Channel.WEB
                if w < 0.77
                else Channel.LETTER
                if w < 0.85
                else Channel.VISIT
                if w < 0.93
                else Channel.SOCIAL_MEDIA
            )
            if rng.random() < 0.05:
                topic = self.pick(words.EXCLUSION_TOPICS)
        else:
            spoc = RestrictionType.SPOC in current.types
            written = RestrictionType.WRITTEN_ONLY in current.types
            allowed = sorted(current.allowed_channels)
            if rng.random() < self.breach_rate:  # does not keep to the arrangements
                if allowed:
                    channel = self.pick([c for c in Channel if c not in allowed])
                elif written:
                    channel = self.pick((Channel.PHONE, Channel.VISIT, Channel.SOCIAL_MEDIA))
                else:
                    channel = self.pick((Channel.PHONE, Channel.EMAIL, Channel.VISIT))
                if rng.random() < 0.25:
                    topic = self.pick(words.EXCLUSION_TOPICS)
            else:
                if allowed:
                    channel = self.pick(allowed)
                elif written:
                    channel = self.pick((Channel.EMAIL, Channel.LETTER, Channel.WEB))
                else:
                    channel = self.pick((Channel.PHONE, Channel.EMAIL, Channel.LETTER))
                via_spoc = spoc
        who = self.someone()
        step = p.Contact(date=day, by=who.username, channel=channel, topic=topic, via_spoc=via_spoc)
        event_id = self.record(step, who)
        if event_id is None:
            return
        screen = self.decision.screen
        assert screen is not None
        if current is not None:
            if screen is p.Screen.BREACH:
                note = "Contact outside the arrangements; customer reminded of the restriction."
                self.after_breach(day, current)
            elif screen is p.Screen.EXCLUSION:
                note = "Reported under the §7 exclusions: handled and logged."
            elif via_spoc:
                note = "Handled through the SPOC as agreed."
        self.contact_row(event_id, day, step, screen, note, current)

    def contact_row(
        self,
        event_id: int,
        day: date,
        step: p.Contact,
        screen: p.Screen,
        note: str,
        current: p.RestrictionState | None,
    ) -> None:
        self.rows["contact"].append(
            {
                "id": self.ids.take("contact"),
                "event_id": event_id,
                "case_id": self.case_id,
                "customer_id": self.customer_id,
                "team_id": self.team.id,
                "restriction_id": self.current_row()["id"] if current is not None else None,
                "occurred_on": day,
                "channel": step.channel._value_,
                "topic": step.topic or "",
                "via_spoc": step.via_spoc,
                "screen": screen._value_,
                "note": note,
            }
        )

    def after_breach(self, day: date, current: p.RestrictionState) -> None:
        rng = self.rng
        number = current.number
        if number not in self.breach_warning_planned:
            if rng.random() < 0.7:
                self.breach_warning_planned.add(number)
                when = day + timedelta(days=rng.randint(2, 14))
                self.push(when, ORD_BREACH_WARNING, self.breach_warning, number)
        elif number in self.breach_warned and self.escalates and not self.legal_planned:
            self.legal_planned = True
            self.push(day + timedelta(days=rng.randint(7, 28)), ORD_LEGAL, self.legal_advice)

    def informal(self, day: date, kind: p.InformalKind) -> None:
        who = self.someone()
        event_id = self.record(p.InformalStep(date=day, by=who.username, kind=kind), who)
        if event_id is None:
            return
        self.rows["informal_step"].append(
            {
                "id": self.ids.take("informal_step"),
                "event_id": event_id,
                "case_id": self.case_id,
                "kind": kind.value,
                "taken_on": day,
                "note": self.pick(words.INFORMAL_NOTES[kind.value]),
            }
        )

    def eia(self, day: date, proportionate: bool) -> bool:
        who = self.manager
        step = p.Eia(date=day, by=who.username, proportionate=proportionate)
        event_id = self.record(step, who)
        if event_id is None:
            return False
        self.eia_token += 1
        self.rows["eia"].append(
            {
                "id": self.ids.take("eia"),
                "event_id": event_id,
                "case_id": self.case_id,
                "assessed_on": day,
                "assessor_id": who.id,
                "needs_considered": self.needs
                or "No recorded needs; checked records and asked the customer: none identified.",
                "adjustments": self.adjustments,
                "alternatives": self.pick(words.EIA_ALTERNATIVES),
                "proportionate": proportionate,
                "conclusion": self.pick(
                    words.EIA_CONCLUSIONS if proportionate else words.EIA_NOT_PROPORTIONATE
                ),
                "review_due": p.six_months_after(day),
            }
        )
        # The review six months on: done on time, late or not at all.
        due = self.state.eia_review_due
        assert due is not None
        when = self.offset(due, 0.75, 0.15)
        if when is not None and when > day:
            self.push(when, ORD_EIA, self.eia_review, self.eia_token)
        return True

    def eia_step(self, day: date, proportionate: bool) -> None:
        self.eia(day, proportionate)

    def eia_review(self, day: date, token: int) -> None:
        """A scheduled EIA review: done while a restriction is in force (and still due)."""
        if token != self.eia_token or self.state.active_restriction(day) is None:
            return
        proportionate = self.rng.random() < 0.97
        if self.eia(day, proportionate) and not proportionate:
            when = day + timedelta(days=self.rng.randint(1, 10))
            self.push(when, ORD_REVIEW, self.review, (None, p.ReviewOutcome.REMOVE))

    def eia_if_needed(self, day: date) -> None:
        if p.eia_reasons(self.state, day):
            self.eia(day, True)

    def circumstances(self, day: date, reassess: bool) -> None:
        who = self.someone()
        note = self.pick(words.CIRCUMSTANCES)
        step = p.CircumstancesChange(date=day, by=who.username, note=note)
        event_id = self.record(step, who)
        if event_id is None:
            return
        self.rows["circumstances_change"].append(
            {
                "id": self.ids.take("circumstances_change"),
                "event_id": event_id,
                "case_id": self.case_id,
                "noted_on": day,
                "note": note,
            }
        )
        if reassess:
            when = day + timedelta(days=self.rng.randint(2, 30))
            self.push(when, ORD_EIA, self.eia_step, True)

    def formal_warning(self, day: date, override: bool) -> None:
        who = self.manager
        reason = (
            "Serious incident: a formal warning without an informal step first (§4)."
            if override
            else None
        )
        step = p.FormalWarning(date=day, by=who.username, override_reason=reason)
        event_id = self.record(step, who)
        if event_id is None:
            return
        self.rows["warning"].append(
            {
                "id": self.ids.take("warning"),
                "event_id": event_id,
                "case_id": self.case_id,
                "kind": "formal",
                "given_on": day,
                "behaviour": "Unacceptable behaviour towards colleagues, as set out in the "
                "incident log; further incidents may lead to contact being restricted.",
                "override_reason": reason,
            }
        )

    def restrict(self, day: date, plan: _Plan) -> None:
        rng = self.rng
        who = self.manager
        u = rng.random()
        allowed: tuple[Channel, ...] = ()
        if u < 0.55:
            types = {RestrictionType.SPOC}
            if rng.random() < 0.3:
                types.add(RestrictionType.WRITTEN_ONLY)
            elif rng.random() < 0.1:
                types.add(RestrictionType.PREARRANGED_CALLS)
        elif u < 0.75:
            types = {RestrictionType.SINGLE_CHANNEL}
            allowed = (self.pick((Channel.EMAIL, Channel.LETTER, Channel.PHONE, Channel.WEB)),)
        elif u < 0.9:
            types = {RestrictionType.WRITTEN_ONLY}
            if rng.random() < 0.2:
                types.add(RestrictionType.FREQUENCY_LIMIT)
        else:
            types = {
                self.pick(
                    (
                        RestrictionType.FREQUENCY_LIMIT,
                        RestrictionType.THIRD_PARTY,
                        RestrictionType.PREARRANGED_CALLS,
                        RestrictionType.NO_RESPONSE_ON_ISSUE,
                        RestrictionType.RETURN_CORRESPONDENCE,
                        RestrictionType.OTHER,
                    )
                )
            }
        spoc: Staff | None = None
        if RestrictionType.SPOC in types:
            spoc = self.pick(self.team.officers if rng.random() < 0.7 else self.team.case_managers)
        ordered = tuple(sorted(types))
        reasons = self.pick(words.RESTRICTION_REASONS)
        override = (
            "Extreme incident: contact restricted without waiting for a further warning step."
            if plan.override
            else None
        )
        step = p.Restrict(
            date=day, by=who.username, types=ordered, months=plan.months, reasons=reasons,
            allowed_channels=allowed, spoc=spoc.username if spoc else None,
            override_reason=override,
        )  # fmt: skip
        event_id = self.record(step, who)
        if event_id is None:
            return
        rs = self.state.restrictions[-1]
        row_id = self.ids.take("restriction")
        row: Row = {
            "id": row_id,
            "event_id": event_id,
            "case_id": self.case_id,
            "customer_id": self.customer_id,
            "team_id": self.team.id,
            "number": rs.number,
            "start_on": day,
            "end_on": rs.end,
            "months": plan.months,
            "types": ",".join(t.value for t in ordered),
            "allowed_channels": ",".join(sorted(c.value for c in allowed)),
            "reasons": reasons,
            "spoc_name": rs.spoc,
            "spoc_user_id": spoc.id if spoc else None,
            "informed": self.pick(words.INFORMED),
            "made_by_id": who.id,
            "case_review_due": rs.case_review_due,
            "spoc_review_due": rs.spoc_review_due,
            "appeal_deadline": rs.appeal_deadline,
            "ended_on": None,
            "end_reason": None,
            "breaches": 0,
        }
        self.restriction_rows.append(row)
        self.rows["restriction"].append(row)
        self.ended("restrict")
        for kind in ordered:
            self.rows["restriction_type"].append({"restriction_id": row_id, "type": kind.value})
        self.lifecycle(day, rs)

    def lifecycle(self, day: date, rs: p.RestrictionState) -> None:
        """What happens to a new restriction: reviews, appeals, SPOC oversight, renewal."""
        rng = self.rng
        number = rs.number
        self.plan_case_review(rs)
        if rs.spoc is not None:
            self.plan_spoc_review(rs)
            if rng.random() < 0.2:
                span = (rs.end - day).days
                if span > 30:
                    when = day + timedelta(days=rng.randint(20, span - 5))
                    temporary = rng.random() < 0.3
                    self.push(when, ORD_HANDOVER, self.handover, (number, temporary, None))
        u = rng.random()
        if u < 0.22:
            when = day + timedelta(days=rng.randint(2, 14))
            self.push(when, ORD_APPEAL, self.appeal, number)
        elif u < 0.28:
            when = day + timedelta(days=rng.randint(15, 40))
            self.push(when, ORD_APPEAL, self.late_appeal, number)
        if rng.random() < 0.1 and (rs.end - day).days > 45:
            when = day + timedelta(days=rng.randint(30, (rs.end - day).days - 10))
            self.push(when, ORD_RECON, self.reconsideration, number)
        if rng.random() < 0.1 and (rs.end - day).days > 40:
            when = day + timedelta(days=rng.randint(20, (rs.end - day).days - 5))
            self.push(when, ORD_CHANGE, self.circumstances, rng.random() < 0.85)
        if number < 3 and rng.random() < 0.15:
            when = rs.end - timedelta(days=rng.randint(0, 10))
            if (when - day).days > 30:
                months = self.pick((3, 6, 6, 12))
                self.push(when, ORD_RESTRICT, self.renew, (number, months))

    def plan_case_review(self, rs: p.RestrictionState) -> None:
        due = rs.case_review_due
        if due == rs.end:  # a review at the end must happen while it is still in force
            when = (
                due - timedelta(days=self.rng.randint(0, 14)) if self.rng.random() < 0.85 else None
            )
        else:
            when = self.offset(due, 0.6, 0.3)
        if when is not None:
            self.push(when, ORD_REVIEW, self.review, (rs.number, due))

    def review(self, day: date, arg: tuple[int | None, date | p.ReviewOutcome]) -> None:
        number, due_or_outcome = arg
        current = self.state.active_restriction(day)
        if current is None:
            return
        if isinstance(due_or_outcome, p.ReviewOutcome):  # forced (e.g. EIA not proportionate)
            outcome = due_or_outcome
        else:
            if current.number != number or current.case_review_due != due_or_outcome:
                return  # already reviewed, or a new restriction replaced this one
            v = self.rng.random()
            outcome = (
                p.ReviewOutcome.REMAIN
                if v < 0.7
                else p.ReviewOutcome.ADJUST
                if v < 0.88
                else p.ReviewOutcome.REMOVE
            )
        if outcome is not p.ReviewOutcome.REMOVE:
            self.eia_if_needed(day)
        who = self.manager
        step = p.Review(date=day, by=who.username, outcome=outcome, customer_letter=True)
        event_id = self.record(step, who)
        if event_id is None:
            return
        self.rows["case_review"].append(
            {
                "id": self.ids.take("case_review"),
                "event_id": event_id,
                "case_id": self.case_id,
                "restriction_id": self.current_row()["id"],
                "reviewed_on": day,
                "outcome": outcome.value,
                "customer_letter": True,
                "notes": words.REVIEW_NOTES[outcome.value],
                "reviewer_id": who.id,
            }
        )
        if outcome is p.ReviewOutcome.REMOVE:
            self.ended("review")
        else:
            self.plan_case_review(current)

    def plan_spoc_review(self, rs: p.RestrictionState) -> None:
        due = rs.spoc_review_due
        assert due is not None
        when = self.offset(due, 0.65, 0.25)
        if when is not None:
            self.push(when, ORD_SPOC_REVIEW, self.spoc_review, (rs.number, due))

    def spoc_review(self, day: date, arg: tuple[int, date]) -> None:
        number, due = arg
        current = self.state.active_restriction(day)
        if current is None or current.number != number or current.spoc_review_due != due:
            return
        rng = self.rng
        reviewers = list(self.team.spoc_reviewers)
        if rng.random() < 0.15:
            reviewers = self.team.case_managers
        candidates = [s for s in reviewers if s.username not in current.spocs]
        if not candidates:
            candidates = [s for s in self.team.spoc_reviewers if s.username not in current.spocs]
        who = self.pick(candidates)
        n_recs = self.pick((0, 0, 1, 1, 1, 2, 3))
        texts = tuple(rng.sample(words.RECOMMENDATIONS, n_recs))
        step = p.SpocReview(date=day, by=who.username, recommendations=texts)
        spoc_name = current.spoc
        event_id = self.record(step, who)
        if event_id is None:
            return
        review_id = self.ids.take("spoc_review")
        good = rng.random() < 0.8
        self.rows["spoc_review"].append(
            {
                "id": review_id,
                "event_id": event_id,
                "case_id": self.case_id,
                "restriction_id": self.current_row()["id"],
                "reviewed_on": day,
                "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                "reviewer_id": who.id,
                "spoc_name": spoc_name,
                "correspondence_reviewed": True,
                "decisions_reviewed": good or rng.random() < 0.5,
                "customer_informed_of_changes": True,
                "still_proportionate": True,
                "eia_current": not p.eia_reasons(self.state, day),
                "replies_timely": good,
                "findings": self.pick(words.SPOC_FINDINGS),
            }
        )
        spoc = self.gen.people.by_username.get(spoc_name or "")
        for text_ in texts:
            due_on = day + timedelta(days=rng.randint(14, 56))
            done_on: date | None = None
            if due_on <= self.today:
                if rng.random() < 0.7:
                    done_on = min(self.today, due_on - timedelta(days=rng.randint(-7, 10)))
            elif rng.random() < 0.25 and day < self.today:
                done_on = self.days(day + timedelta(days=1), self.today)
            if done_on is not None and done_on <= day:
                done_on = day + timedelta(days=1)
            if done_on is not None and done_on > self.today:
                done_on = None
            owner = spoc if spoc is not None and rng.random() < 0.7 else self.manager
            self.rows["recommendation"].append(
                {
                    "id": self.ids.take("recommendation"),
                    "spoc_review_id": review_id,
                    "case_id": self.case_id,
                    "text": text_,
                    "owner_id": owner.id,
                    "due_on": due_on,
                    "done_on": done_on,
                    "done_note": "Done." if done_on is not None else "",
                }
            )
        self.plan_spoc_review(current)

    def handover(self, day: date, arg: tuple[int, bool, str | None]) -> None:
        number, temporary, back_to = arg
        current = self.state.active_restriction(day)
        if current is None or current.number != number or current.spoc is None:
            return
        if back_to is not None:
            to = self.gen.people.by_username[back_to]
        else:
            choices = [s for s in self.team.officers if s.username != current.spoc]
            if not choices:
                return
            to = self.pick(choices)
        who = self.manager
        previous = current.spoc
        step = p.SpocHandover(
            date=day, by=who.username, to=to.username, customer_informed=True, temporary=temporary
        )
        event_id = self.record(step, who)
        if event_id is None:
            return
        self.rows["spoc_handover"].append(
            {
                "id": self.ids.take("spoc_handover"),
                "event_id": event_id,
                "case_id": self.case_id,
                "restriction_id": self.current_row()["id"],
                "handed_on": day,
                "from_name": previous,
                "to_name": to.username,
                "to_user_id": to.id,
                "temporary": temporary,
                "customer_informed": True,
            }
        )
        if temporary:
            when = day + timedelta(days=self.rng.randint(14, 35))
            self.push(when, ORD_HANDOVER, self.handover, (number, False, previous))

    def appeal(self, day: date, number: int) -> None:
        latest = self.state.restriction
        if latest is None or latest.number != number:
            return
        who = self.someone()
        step = p.Appeal(date=day, by=who.username, letter_date=latest.letter_date)
        event_id = self.record(step, who)
        if event_id is None:
            return
        row: Row = {
            "id": self.ids.take("appeal"),
            "event_id": event_id,
            "case_id": self.case_id,
            "restriction_id": self.current_row()["id"],
            "kind": "appeal",
            "received_on": day,
            "letter_date": latest.letter_date,
            "in_time": True,
            "decision_due": p.decision_due(day),
            "decided_on": None,
            "decided_by_id": None,
            "outcome": None,
            "reasons": "",
            "fact_sheet_sent": False,
        }
        self.rows["appeal"].append(row)
        self.appeal_row = row
        late = self.rng.random() < 0.2
        when = day + timedelta(days=self.rng.randint(29, 50) if late else self.rng.randint(5, 28))
        outcome = p.AppealOutcome.OVERTURNED if self.rng.random() < 0.18 else p.AppealOutcome.UPHELD
        self.push(when, ORD_DECISION, self.appeal_decision, outcome)

    def appeal_decision(self, day: date, outcome: p.AppealOutcome) -> None:
        row = self.appeal_row
        if row is None:
            return
        who = self.pick(self.gen.people.seniors)
        event_id = self.record(p.AppealDecision(date=day, by=who.username, outcome=outcome), who)
        if event_id is None:
            return
        row.update(
            decided_on=day,
            decided_by_id=who.id,
            outcome=outcome.value,
            reasons=(
                "The restriction was not proportionate to the behaviour recorded."
                if outcome is p.AppealOutcome.OVERTURNED
                else "The restriction was properly made and remains proportionate."
            ),
            fact_sheet_sent=True,
        )
        self.appeal_row = None
        self.ended("appeal_decision")

    def late_appeal(self, day: date, number: int) -> None:
        """A written appeal after the 14 days: the engine refuses it, so it is logged as a
        contact (in line with the restriction) and the customer may ask to reconsider."""
        latest = self.state.restriction
        if latest is None or latest.number != number:
            return
        who = self.someone()
        appeal = p.Appeal(date=day, by=who.username, letter_date=latest.letter_date)
        if self.case.decide(appeal, self.gen.people.actors[who.id]).allowed:
            return  # not out of time after all: nothing to show here
        current = self.state.active_restriction(day)
        channel = Channel.LETTER
        if current is not None and current.allowed_channels:
            channel = sorted(current.allowed_channels)[0]
        via_spoc = current is not None and RestrictionType.SPOC in current.types
        step = p.Contact(
            date=day, by=who.username, channel=channel, topic="appeal", via_spoc=via_spoc
        )
        event_id = self.record(step, who)
        if event_id is None:
            return
        screen = self.decision.screen
        assert screen is not None
        note = (
            f"Written appeal received after the deadline of {latest.appeal_deadline:%d %b %Y}: "
            "customer told the right of appeal has lapsed and how to ask for a reconsideration."
        )
        self.contact_row(event_id, day, step, screen, note, current)
        if current is not None and self.rng.random() < 0.4:
            when = day + timedelta(days=self.rng.randint(3, 20))
            self.push(when, ORD_RECON, self.reconsideration, number)

    def reconsideration(self, day: date, number: int) -> None:
        current = self.state.active_restriction(day)
        if current is None or current.number != number or self.recon_row is not None:
            return
        who = self.someone()
        event_id = self.record(p.Reconsideration(date=day, by=who.username), who)
        if event_id is None:
            return
        row: Row = {
            "id": self.ids.take("appeal"),
            "event_id": event_id,
            "case_id": self.case_id,
            "restriction_id": self.current_row()["id"],
            "kind": "reconsideration",
            "received_on": day,
            "letter_date": None,
            "in_time": True,
            "decision_due": p.decision_due(day),
            "decided_on": None,
            "decided_by_id": None,
            "outcome": None,
            "reasons": "",
            "fact_sheet_sent": False,
        }
        self.rows["appeal"].append(row)
        self.recon_row = row
        late = self.rng.random() < 0.15
        when = day + timedelta(days=self.rng.randint(29, 45) if late else self.rng.randint(7, 28))
        lift = self.rng.random() < 0.3
        outcome = p.ReconsiderationOutcome.LIFT if lift else p.ReconsiderationOutcome.KEEP
        self.push(when, ORD_RECON_DECISION, self.reconsideration_decision, outcome)

    def reconsideration_decision(self, day: date, outcome: p.ReconsiderationOutcome) -> None:
        row = self.recon_row
        if row is None:
            return
        who = self.pick(self.gen.people.seniors)
        step = p.ReconsiderationDecision(date=day, by=who.username, outcome=outcome)
        event_id = self.record(step, who)
        if event_id is None:
            return
        row.update(
            decided_on=day,
            decided_by_id=who.id,
            outcome=outcome.value,
            reasons=(
                "The customer has shown a more acceptable approach: restriction lifted."
                if outcome is p.ReconsiderationOutcome.LIFT
                else "Behaviour has not changed enough: the restriction stays."
            ),
        )
        self.recon_row = None
        self.ended("reconsideration_decision")

    def breach_warning(self, day: date, number: int) -> None:
        current = self.state.active_restriction(day)
        if current is None or current.number != number or not current.breaches:
            return
        who = self.manager
        event_id = self.record(p.BreachWarning(date=day, by=who.username), who)
        if event_id is None:
            return
        self.breach_warned.add(number)
        self.rows["warning"].append(
            {
                "id": self.ids.take("warning"),
                "event_id": event_id,
                "case_id": self.case_id,
                "kind": "breach",
                "given_on": day,
                "behaviour": "Contact outside the agreed arrangements; further breaches may "
                "lead to legal action.",
                "override_reason": None,
            }
        )

    def legal_advice(self, day: date, _arg: Any) -> None:
        if self.state.legal_advice:
            return
        who = self.manager
        event_id = self.record(p.LegalAdvice(date=day, by=who.username), who)
        if event_id is None:
            return
        self.legal_row(event_id, "legal_advice", day)
        rng = self.rng
        u = rng.random()
        first: p.LegalStepKind | None = None
        if u < 0.6:
            first = p.LegalStepKind.LEGAL_WARNING_LETTER
        elif u < 0.75:
            first = p.LegalStepKind.INJUNCTION
        elif u < 0.8:
            first = p.LegalStepKind.CIVIL_RESTRAINT_ORDER
        if first is not None:
            when = day + timedelta(days=rng.randint(7, 45))
            self.push(when, ORD_LEGAL, self.legal_step, first)
            if rng.random() < 0.25:
                later = when + timedelta(days=rng.randint(60, 150))
                self.push(later, ORD_LEGAL, self.legal_step, p.LegalStepKind.NOSP)

    def legal_step(self, day: date, kind: p.LegalStepKind) -> None:
        who = self.manager
        event_id = self.record(p.LegalStep(date=day, by=who.username, kind=kind), who)
        if event_id is not None:
            self.legal_row(event_id, kind.value, day)

    def legal_row(self, event_id: int, kind: str, day: date) -> None:
        self.rows["legal_step"].append(
            {
                "id": self.ids.take("legal_step"),
                "event_id": event_id,
                "case_id": self.case_id,
                "kind": kind,
                "taken_on": day,
                "note": words.LEGAL_NOTES[kind],
            }
        )

    def renew(self, day: date, arg: tuple[int, int]) -> None:
        """A new restriction replacing the one about to end (needs what any restriction does)."""
        number, months = arg
        current = self.state.active_restriction(day)
        state = self.state
        if current is None or current.number != number:
            return
        if state.last_incident_seq is None or (
            state.last_formal_warning_seq is not None
            and state.last_incident_seq < state.last_formal_warning_seq
        ):
            return
        self.eia_if_needed(day)
        # Made without a formal warning (an extreme incident): renewed the same way.
        self.restrict(day, _Plan(day, months, state.last_formal_warning_seq is None))

    # -- the customer's story -------------------------------------------------------------
    def build(self) -> None:
        rng = self.rng
        today = self.today
        start = today - timedelta(days=WINDOW_DAYS)
        self.customer_row()
        u = rng.random()
        if u < 0.33:  # incident(s) only
            t0 = self.days(start, today)
            incidents = self.pick((1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4))
            contacts = 5.0
            self.first_day = t0
            self.spread(self.incident, t0, min(today, t0 + timedelta(days=120)), incidents)
        elif u < 0.58:  # informal action
            t0 = self.days(start, today - timedelta(days=14))
            incidents = self.pick((1, 1, 2, 2, 2, 3, 3, 3, 4, 6))
            contacts = 8.0
            self.first_day = t0
            self.push(t0, ORD_INCIDENT, self.incident, None)
            self.spread(self.incident, t0, min(today, t0 + timedelta(days=150)), incidents - 1)
            kind = p.InformalKind.SUPPORT if rng.random() < 0.55 else p.InformalKind.INITIAL_WARNING
            self.push(t0 + timedelta(days=rng.randint(1, 21)), ORD_INFORMAL, self.informal, kind)
        elif u < 0.70:  # EIA and perhaps a formal warning
            t0 = self.days(start, today - timedelta(days=45))
            incidents = rng.randint(2, 9)
            contacts = 14.0
            self.pre_restriction(t0, today, incidents, formal=u >= 0.63)
        else:  # restricted at some point (about a third of them still are)
            contacts = self.restricted(start)
        n_contacts = int(rng.expovariate(1.0 / contacts))
        t0c = max(start, self.first_day - timedelta(days=90))
        self.spread(self.contact, t0c, today, n_contacts, ORD_CONTACT)
        self.run()
        self.finish()

    def spread(
        self, handler: Handler, lo: date, hi: date, n: int, order: int = ORD_INCIDENT
    ) -> None:
        for _ in range(n):
            self.push(self.days(lo, hi), order, handler, None)

    def pre_restriction(self, t0: date, until: date, incidents: int, *, formal: bool) -> None:
        """Incidents, an informal step, an EIA and (``formal``) a formal warning."""
        rng = self.rng
        self.first_day = t0
        override = formal and rng.random() < 0.12
        self.push(t0, ORD_INCIDENT, self.incident, Severity.SERIOUS if override else None)
        span = max(10, (until - t0).days)
        self.spread(self.incident, t0, t0 + timedelta(days=span // 2), incidents - 1)
        informal_on = t0 + timedelta(days=rng.randint(1, max(2, span // 5)))
        if not override:
            kind = p.InformalKind.SUPPORT if rng.random() < 0.5 else p.InformalKind.INITIAL_WARNING
            self.push(informal_on, ORD_INFORMAL, self.informal, kind)
        eia_on = informal_on + timedelta(days=rng.randint(3, max(4, span // 3)))
        if rng.random() < 0.1:  # first assessment found it not proportionate
            self.push(eia_on, ORD_EIA, self.eia_step, False)
            eia_on += timedelta(days=rng.randint(14, 40))
        proportionate = formal or rng.random() < 0.85
        self.push(eia_on, ORD_EIA, self.eia_step, proportionate)
        if formal:
            warn_on = eia_on + timedelta(days=rng.randint(1, 60))
            self.push(warn_on, ORD_WARNING, self.formal_warning, override)
        elif rng.random() < 0.3:
            change_on = eia_on + timedelta(days=rng.randint(20, 120))
            self.push(change_on, ORD_CHANGE, self.circumstances, rng.random() < 0.5)

    def restricted(self, start: date) -> float:
        """Plan the road to a restriction; the mean number of ordinary contacts."""
        rng = self.rng
        today = self.today
        months = self.pick((3, 3, 6, 6, 6, 6, 6, 12, 12, 12, 12, 2, 4, 9))
        length = (p.add_months(today, months) - today).days
        earliest = start + timedelta(days=100)
        latest_ended = today - timedelta(days=length + 1)
        if rng.random() < 0.4 or latest_ended <= earliest:
            r0 = max(earliest, today - timedelta(days=rng.randint(1, length - 1)))
        else:
            r0 = self.days(earliest, latest_ended)
        t0 = max(start, r0 - timedelta(days=rng.randint(45, 200)))
        self.first_day = t0
        gap = (r0 - t0).days
        override = rng.random() < 0.06
        skip_warning = override and rng.random() < 0.4
        self.push(t0, ORD_INCIDENT, self.incident, Severity.EXTREME if override else None)
        self.spread(self.incident, t0, t0 + timedelta(days=gap // 2), rng.randint(1, 4))
        informal_on = t0 + timedelta(days=rng.randint(1, max(2, gap // 4)))
        if not override:
            kind = p.InformalKind.SUPPORT if rng.random() < 0.5 else p.InformalKind.INITIAL_WARNING
            self.push(informal_on, ORD_INFORMAL, self.informal, kind)
            if rng.random() < 0.25:
                other = (
                    p.InformalKind.INITIAL_WARNING
                    if kind is p.InformalKind.SUPPORT
                    else p.InformalKind.SUPPORT
                )
                when = self.days(informal_on, r0 - timedelta(days=10))
                self.push(when, ORD_INFORMAL, self.informal, other)
        eia_on = self.days(max(informal_on + timedelta(days=1), r0 - timedelta(days=90)), r0)
        eia_on = min(eia_on, r0 - timedelta(days=6))
        if rng.random() < 0.08 and eia_on - timedelta(days=10) > informal_on:
            self.push(informal_on + timedelta(days=1), ORD_EIA, self.eia_step, False)
        self.push(eia_on, ORD_EIA, self.eia_step, True)
        if not skip_warning:
            warn_on = self.days(eia_on + timedelta(days=1), r0 - timedelta(days=3))
            self.push(warn_on, ORD_WARNING, self.formal_warning, override)
            since = self.days(warn_on + timedelta(days=1), r0)
            self.push(since, ORD_INCIDENT, self.incident, None)
        self.push(r0, ORD_RESTRICT, self.restrict, _Plan(r0, months, skip_warning))
        # Busy customers: most of their incidents and contacts come during the restriction.
        more = int(rng.lognormvariate(2.75, 0.9))
        until = min(today, r0 + timedelta(days=length + 90))
        during = int(more * 0.7)
        self.spread(self.incident, r0, until, during)
        self.spread(self.incident, t0, today, more - during)
        extra = int(rng.lognormvariate(3.3, 0.8))
        self.spread(self.contact, r0, until, extra, ORD_CONTACT)
        return 10.0

    # -- rows -----------------------------------------------------------------------------
    def customer_row(self) -> None:
        rng = self.rng
        first, last = self.pick(words.FIRST_NAMES), self.pick(words.LAST_NAMES)
        self.first_name = first
        town, code = words.TOWNS[self.team.name]
        needs = adjustments = communication = ""
        language = "English"
        preferred: Channel | None = self.pick((Channel.PHONE, Channel.EMAIL, Channel.LETTER))
        if rng.random() < 0.5:
            needs, adjustments, channel, lang, communication = self.pick(words.NEEDS)
            preferred = channel or preferred
            language = lang or language
        if language == "English" and rng.random() < 0.12:
            language, interpreter = self.pick(words.LANGUAGES)
            communication = f"{communication}; {interpreter}" if communication else interpreter
        representative = ""
        if rng.random() < 0.15:
            rep_name = f"{self.pick(words.FIRST_NAMES)} {self.pick(words.LAST_NAMES)}"
            representative = self.pick(words.REPRESENTATIVES).format(name=rep_name)
        self.needs, self.adjustments = needs, adjustments
        ref = f"{code}{self.index + 1:07d}"
        self.customer = {
            "id": self.customer_id,
            "tenancy_ref": ref,
            "name": f"{first} {last}",
            "address": f"{rng.randint(1, 180)} {self.pick(words.STREETS)}, {town}, "
            f"{code}{rng.randint(1, 9)} {rng.randint(1, 9)}{self.pick('ABDEFGHJLNPQRSTUWXYZ')}"
            f"{self.pick('ABDEFGHJLNPQRSTUWXYZ')}",
            "phone": f"07700 900{rng.randint(0, 999):03d}",
            "email": f"{first}.{last}{self.index + 1}@example.org".lower().replace("'", ""),
            "preferred_channel": preferred.value if preferred else None,
            "language": language,
            "communication_needs": communication,
            "representative": representative,
            "team_id": self.team.id,
            "needs": needs,
            "adjustments": adjustments,
            "created_at": None,
            "version": 1,
        }

    def finish(self) -> None:
        state = self.state
        history = self.case.history
        opened = history[0].date if history else self.today
        self.customer["created_at"] = _at(opened - timedelta(days=self.rng.randint(30, 3000)), 9)
        self.rows["customer"].append(self.customer)
        last = history[-1].date if history else self.today
        officer = self.manager if state.restrictions or state.eia_date else self.officer
        self.rows["ube_case"].append(
            {
                "id": self.case_id,
                "customer_id": self.customer_id,
                "team_id": self.team.id,
                "case_officer_id": officer.id,
                "opened_on": opened,
                "closed_on": None,
                "stage": p.stage(state, last),
                "eia_review_due": state.eia_review_due,
                "version": 1 + len(history),
                "created_at": _at(opened, 9),
            }
        )
        by_username = self.gen.people.by_username
        for rs in state.restrictions:
            row = self.restriction_rows[rs.number - 1]
            spoc = by_username.get(rs.spoc) if rs.spoc else None
            row.update(
                case_review_due=rs.case_review_due,
                spoc_review_due=rs.spoc_review_due,
                spoc_name=rs.spoc,
                spoc_user_id=spoc.id if spoc else None,
                ended_on=rs.ended_on,
                breaches=rs.breaches,
            )


@dataclass
class _Batch:
    """The rows of customers ``first`` to ``last`` (1-based, inclusive), ready to insert."""

    first: int
    last: int
    rows: dict[str, list[Row]]
    refused: dict[str, int]


class _Generator:
    """Generates customers one after another into per-table row lists."""

    def __init__(self, rng: random.Random, today: date, ids: _Ids, people: _People) -> None:
        self.rng = rng
        self.today = today
        self.ids = ids
        self.people = people
        self.refused: Counter[str] = Counter()
        self.rows: dict[str, list[Row]] = {t: [] for t in TABLES}

    def batches(self, customers: int) -> Generator[_Batch, None, None]:
        for first in range(0, customers, BATCH_CUSTOMERS):
            last = min(customers, first + BATCH_CUSTOMERS)
            for index in range(first, last):
                _CaseSim(self, index).build()
            rows, self.rows = self.rows, {t: [] for t in TABLES}
            refused, self.refused = dict(self.refused), Counter()
            yield _Batch(first + 1, last, rows, refused)


# -- loading ---------------------------------------------------------------------------------
def _tables() -> dict[str, Table]:
    return {name: SQLModel.metadata.tables[name] for name in TABLES}


def _start_ids(conn: Connection, tables: dict[str, Table]) -> dict[str, int]:
    start = {}
    for name in ID_TABLES:
        highest = conn.execute(select(func.max(tables[name].c.id))).scalar()
        start[name] = int(highest or 0) + 1
    return start


class _Inserter:
    """Bulk inserts: ``executemany`` of each table's INSERT, compiled by SQLAlchemy Core.

    PostgreSQL: ``conn.execute(table.insert(), rows)`` (psycopg sends multi-row VALUES).
    SQLite: the same compiled statement, with each value converted by its column type's own
    bind processor, handed to the driver's ``executemany`` as tuples. This skips
    SQLAlchemy's per-row parameter dictionaries, which cost several times SQLite's own work
    (17 % of the whole load's CPU); the stored values are the ones ``conn.execute`` would store
    (``tests/integration/test_cli.py`` compares the two).
    """

    def __init__(self, conn: Connection, tables: dict[str, Table], *, direct: bool) -> None:
        self.conn = conn
        self.tables = tables
        self.direct = direct
        self.plans: dict[str, tuple[str, list[str], list[Any]]] = {}

    def _plan(self, name: str, row: Row) -> tuple[str, list[str], list[Any]]:
        """The INSERT of the columns the generator fills (the database fills the rest, such
        as ``customer.needs_group``), compiled once per table."""
        if name not in self.plans:
            dialect = self.conn.dialect
            table = self.tables[name]
            compiled = table.insert().compile(dialect=dialect, column_keys=list(row))
            keys = list(compiled.positiontup or [])
            columns = [table.c[key] for key in keys]
            processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
            self.plans[name] = (str(compiled), keys, processors)
        return self.plans[name]

    def __call__(self, rows: dict[str, list[Row]]) -> None:
        for name in TABLES:
            batch = rows.get(name)
            if not batch:
                continue
            if not self.direct:
                self.conn.execute(self.tables[name].insert(), batch)
                continue
            sql, keys, processors = self._plan(name, batch[0])
            # A column the generator leaves to the database (a trigger sets it after the
            # insert) gets the column's own default.
            table = self.tables[name]
            triples = [
                (k, p, getattr(table.c[k].default, "arg", None))
                for k, p in zip(keys, processors, strict=True)
            ]
            self.conn.exec_driver_sql(
                sql,
                [
                    tuple(row.get(k, d) if p is None else p(row.get(k, d)) for k, p, d in triples)
                    for row in batch
                ],
            )


def _audit(conn: Connection, detail: dict[str, Any]) -> None:
    audit = SQLModel.metadata.tables["audit_log"]
    conn.execute(
        audit.insert(),
        [
            {
                "at": datetime.now(UTC),
                "user_id": None,
                "username": "system",
                "action": "demo.load",
                "entity": "",
                "entity_id": None,
                "customer_id": None,
                "detail": json.dumps(detail, sort_keys=True),
            }
        ],
    )


def load_demo(
    engine: Engine,
    *,
    customers: int,
    seed: int = 42,
    today: date,
    progress: bool = True,
) -> dict[str, int]:
    """Load ``customers`` demo customers with their cases; rows written per table.

    Refused (``DemoRefused``) when the database already holds customers. Existing teams with
    the demo's names are reused; demo usernames avoid existing ones. Needs a migrated
    database.

    On SQLite the load runs with ``synchronous=OFF`` (a crash can lose the batch in
    progress, nothing older), restored afterwards; and the non-unique indexes of the three
    big tables (case_event, incident, contact) are dropped while they are empty and built
    again at the end, also when the load fails (but ``KEPT_INDEXES``, which triggers use).
    """
    if customers < 0:
        raise DemoRefused("The number of customers can't be negative.")
    tables = _tables()
    sqlite = engine.dialect.name == "sqlite"
    counts: Counter[str] = Counter()
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(tables["customer"])).scalar():
            raise DemoRefused(
                "The database already holds customers: load demo data into an empty database."
            )
        ids = _Ids(_start_ids(conn, tables))
        team = tables["team"]
        teams = {str(name): int(i) for i, name in conn.execute(select(team.c.id, team.c.name))}
        taken = {str(u) for u in conn.execute(select(tables["app_user"].c.username)).scalars()}
        conn.rollback()
        rng = random.Random(seed)
        people = _people(
            rng, customers=customers, seed=seed, today=today, ids=ids, teams=teams, taken=taken
        )
        dropped: list[str] = []
        insert = _Inserter(conn, tables, direct=sqlite and _DIRECT_SQLITE)
        if sqlite:
            _raw(conn, "PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144")
            dropped = _drop_bulk_indexes(conn, tables)
        try:
            with conn.begin():
                insert(people.rows)
                _audit(conn, {"seed": seed, "today": today.isoformat(), "staff": True})
            counts.update({name: len(rows) for name, rows in people.rows.items()})
            counts["audit_log"] += 1
            batches = _Generator(rng, today, ids, people).batches(customers)
            bar = tqdm(
                total=customers, unit="customer", file=sys.stderr, disable=not progress,
                desc="demo", smoothing=0.05,
            )  # fmt: skip
            with bar:
                for batch in batches:
                    sizes = {name: len(r) for name, r in batch.rows.items() if r}
                    detail: dict[str, Any] = {
                        "seed": seed,
                        "customers": [batch.first, batch.last],
                        "rows": sizes,
                    }
                    if batch.refused:  # the plan asked for steps the engine refused: not written
                        detail["steps_refused"] = batch.refused
                    with conn.begin():
                        insert(batch.rows)
                        _audit(conn, detail)
                    counts.update(sizes)
                    counts["audit_log"] += 1
                    bar.update(batch.last - batch.first + 1)
        finally:
            if sqlite:
                conn.rollback()
                _recreate_indexes(conn, dropped)
                _raw(conn, "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-2000")
        _finish(conn, sqlite)
    return {name: counts.get(name, 0) for name in (*TABLES, "audit_log")}


BULK_TABLES = ("case_event", "incident", "contact")
# Kept while loading: the needs-group trigger (migration 0007) looks up a customer's incidents.
KEPT_INDEXES = frozenset({"ix_incident_customer_on"})
_DIRECT_SQLITE = True  # False: plain ``conn.execute(insert, rows)`` (the tests compare them)


def _drop_bulk_indexes(conn: Connection, tables: dict[str, Table]) -> list[str]:
    """Drop the non-unique indexes of the big tables when they are empty; their SQL."""
    for name in BULK_TABLES:
        if conn.execute(select(tables[name].c.id).limit(1)).first() is not None:
            conn.rollback()
            return []
    found = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('case_event', 'incident', 'contact') ORDER BY name"
        )
    ).all()
    conn.rollback()
    dropped = [
        (str(name), str(sql))
        for name, sql in found
        if not str(sql).upper().startswith("CREATE U") and str(name) not in KEPT_INDEXES
    ]
    with conn.begin():
        for name, _sql in dropped:
            conn.execute(text(f'DROP INDEX "{name}"'))
    return [sql for _name, sql in dropped]


def _recreate_indexes(conn: Connection, statements: list[str]) -> None:
    if not statements:
        return
    with conn.begin():
        for sql in statements:
            conn.execute(text(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)))


def _raw(conn: Connection, *statements: str) -> None:
    """Run statements on SQLite outside any transaction (PRAGMAs that a transaction ignores)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    for statement in statements:
        raw.execute(statement)


def _finish(conn: Connection, sqlite: bool) -> None:
    """Statistics for the query planner, and sequences past the explicit ids (PostgreSQL)."""
    if sqlite:
        _raw(conn, "PRAGMA analysis_limit=1000", "ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)")
        return
    with conn.begin():
        for name in ID_TABLES:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                )
            )
        conn.execute(text("ANALYZE"))
