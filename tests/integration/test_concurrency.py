"""Optimistic concurrency: two people editing the same case or customer — the second is told
"changed by someone else since you opened it" (ConcurrentChange), never silently overwritten.

The thread tests use two real concurrent sessions. The first writer is held inside its
transaction (after it has locked and changed the row, before it commits) until the second has
started, so the second really runs while the first is in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from ube_core import procedure as p
from ube_core.errors import ConcurrentChange
from ube_core.services import cases, customers, steps
from ube_core.storage.models import Case, CircumstancesChange, Customer

from .conftest import (
    TODAY,
    World,
    audit_events,
    build_case_ready_to_restrict,
    case_row,
    event_actions,
    incident_data,
    one,
    rows,
    snapshot,
)

ON = date(2025, 3, 3)


def _version(world: World, case_id: int) -> int:
    """What a page does when it opens the case: read its version."""
    with Session(world.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.version


def _circumstances(world: World, case_id: int, version: int | None, note: str) -> int:
    return cases.record_circumstances_change(
        world.engine,
        user=world.officer,
        case_id=case_id,
        on=ON,
        note=note,
        today=TODAY,
        expected_version=version,
    )


def test_stale_expected_version_is_refused(world: World) -> None:
    case_id = build_case_ready_to_restrict(world)
    opened = _version(world, case_id)
    _circumstances(world, case_id, opened, "First editor's change.")
    assert _version(world, case_id) == opened + 1

    before = snapshot(world.engine)
    with pytest.raises(ConcurrentChange) as info:
        _circumstances(world, case_id, opened, "Second editor, stale page.")
    assert "changed by someone else since you opened it" in str(info.value)
    assert snapshot(world.engine) == before, "a stale write changed something"

    # Reloading (the new version) lets the second editor go ahead.
    _circumstances(world, case_id, opened + 1, "Second editor after reloading.")
    notes = [c.note for c in rows(world.engine, CircumstancesChange, case_id=case_id)]
    assert notes == ["First editor's change.", "Second editor after reloading."]


def test_every_case_service_checks_the_expected_version(world: World) -> None:
    """Each step service that takes ``expected_version`` refuses a stale one before anything."""
    e = world.engine
    case_id = build_case_ready_to_restrict(world)
    stale = _version(world, case_id) - 1
    cm, so = world.case_manager, world.senior_officer
    assert world.spoc.id is not None
    calls: dict[str, Callable[[], object]] = {
        "informal": lambda: cases.record_informal_step(
            e,
            user=cm,
            case_id=case_id,
            kind=p.InformalKind.SUPPORT,
            on=ON,
            today=TODAY,
            expected_version=stale,
        ),
        "eia": lambda: cases.record_eia(
            e,
            user=cm,
            case_id=case_id,
            on=ON,
            proportionate=True,
            needs_considered="Needs.",
            today=TODAY,
            expected_version=stale,
        ),
        "circumstances": lambda: _circumstances(world, case_id, stale, "Note."),
        "formal_warning": lambda: cases.give_formal_warning(
            e,
            user=cm,
            case_id=case_id,
            on=ON,
            behaviour="Shouting.",
            today=TODAY,
            expected_version=stale,
        ),
        "restrict": lambda: cases.restrict_contact(
            e,
            user=cm,
            case_id=case_id,
            on=ON,
            types=[p.RestrictionType.SPOC],
            months=6,
            reasons="Abuse.",
            spoc_user_id=world.spoc.id,
            today=TODAY,
            expected_version=stale,
        ),
        "breach_warning": lambda: cases.give_breach_warning(
            e, user=cm, case_id=case_id, on=ON, today=TODAY, expected_version=stale
        ),
        "legal": lambda: cases.record_legal_step(
            e,
            user=cm,
            case_id=case_id,
            action=p.Action.LEGAL_ADVICE,
            on=ON,
            today=TODAY,
            expected_version=stale,
        ),
        "review": lambda: cases.review_restriction(
            e,
            user=cm,
            case_id=case_id,
            on=ON,
            outcome=p.ReviewOutcome.REMAIN,
            customer_letter=True,
            today=TODAY,
            expected_version=stale,
        ),
        "appeal": lambda: cases.receive_appeal(
            e,
            user=cm,
            case_id=case_id,
            received_on=ON,
            letter_date=ON,
            today=TODAY,
            expected_version=stale,
        ),
        "reconsideration": lambda: cases.receive_reconsideration(
            e, user=cm, case_id=case_id, received_on=ON, today=TODAY, expected_version=stale
        ),
        "appeal_decision": lambda: cases.decide_appeal(
            e,
            user=so,
            case_id=case_id,
            on=ON,
            outcome=p.AppealOutcome.UPHELD,
            reasons="Fine.",
            fact_sheet_sent=True,
            today=TODAY,
            expected_version=stale,
        ),
        "reconsideration_decision": lambda: cases.decide_reconsideration(
            e,
            user=so,
            case_id=case_id,
            on=ON,
            outcome=p.ReconsiderationOutcome.KEEP,
            reasons="Fine.",
            today=TODAY,
            expected_version=stale,
        ),
        "spoc_handover": lambda: cases.hand_over_spoc(
            e,
            user=cm,
            case_id=case_id,
            on=ON,
            to_user_id=world.spoc.id or 0,
            customer_informed=True,
            today=TODAY,
            expected_version=stale,
        ),
        "spoc_review": lambda: cases.review_spoc(
            e, user=cm, case_id=case_id, on=ON, today=TODAY, expected_version=stale
        ),
    }
    before = snapshot(e)
    for name, call in calls.items():
        with pytest.raises(ConcurrentChange):
            call()
        assert snapshot(e) == before, name


def test_stale_customer_version_is_refused(world: World) -> None:
    e = world.engine
    record = customers.get_customer(e, user=world.case_manager, customer_id=world.customer_id)

    def edit(needs: str) -> None:
        customers.update_needs(
            e,
            user=world.case_manager,
            customer_id=world.customer_id,
            needs=needs,
            adjustments="",
            note="",
            today=TODAY,
            expected_version=record.version,
        )

    edit("First editor.")
    before = snapshot(e)
    with pytest.raises(ConcurrentChange):
        edit("Second editor, stale page.")
    assert snapshot(e) == before
    assert one(e, Customer, id=world.customer_id).needs == "First editor."


# --- two real concurrent sessions ---------------------------------------------------------------
def _race(
    first: Callable[[], object],
    second: Callable[[], object],
    monkeypatch: pytest.MonkeyPatch,
    namespace: Any,
    name: str,
) -> dict[str, object]:
    """Run ``first`` and ``second`` in two threads that start together (a barrier).

    ``namespace.name`` (something each service calls inside its transaction) is wrapped so
    that the first thread to call it then waits, with its transaction still open, while the
    other thread runs: the window in which a lost update or a duplicate would happen.
    """
    outcome: dict[str, object] = {}
    start = threading.Barrier(2, timeout=30)
    holding = threading.Event()
    original = getattr(namespace, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not holding.is_set():
            holding.set()
            time.sleep(0.5)  # the other session runs meanwhile
        return result

    monkeypatch.setattr(namespace, name, held)

    def run(label: str, call: Callable[[], object]) -> None:
        start.wait()
        try:
            outcome[label] = call()
        except Exception as error:  # recorded and asserted on by the caller
            outcome[label] = error

    threads = [
        threading.Thread(target=run, args=("a", first)),
        threading.Thread(target=run, args=("b", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive(), "a session hung"
    return outcome


def test_two_concurrent_editors_one_wins_one_is_told(
    world: World, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both opened the case at version N and both submit with expected_version=N."""
    case_id = build_case_ready_to_restrict(world)
    opened = _version(world, case_id)
    events_before = len(event_actions(world.engine, case_id))

    outcome = _race(
        lambda: _circumstances(world, case_id, opened, "Editor A"),
        lambda: _circumstances(world, case_id, opened, "Editor B"),
        monkeypatch,
        steps,
        "audit",
    )
    errors = [v for v in outcome.values() if isinstance(v, Exception)]
    wins = [v for v in outcome.values() if isinstance(v, int)]
    assert len(wins) == 1, outcome
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentChange), outcome
    assert len(event_actions(world.engine, case_id)) == events_before + 1
    assert case_row(world.engine, case_id).version == opened + 1
    assert len(rows(world.engine, CircumstancesChange, case_id=case_id)) == 1


def test_two_concurrent_first_incidents_open_one_case(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two officers log the first incident for the same customer at the same moment: one
    case, two incidents — never two open cases for one customer."""
    data_a = incident_data(world.customer_id, date(2025, 1, 6))
    data_b = incident_data(world.customer_id, date(2025, 1, 7))
    outcome = _race(
        lambda: cases.record_incident(world.engine, user=world.officer, data=data_a, today=TODAY),
        lambda: cases.record_incident(
            world.engine, user=world.case_manager, data=data_b, today=TODAY
        ),
        monkeypatch,
        cases,
        "_open_case",
    )
    assert not [v for v in outcome.values() if isinstance(v, Exception)], outcome
    open_cases = rows(world.engine, Case, customer_id=world.customer_id)
    assert len(open_cases) == 1, "two open cases for one customer"
    assert event_actions(world.engine, open_cases[0].id or 0) == ["incident", "incident"]


def test_two_concurrent_needs_edits_one_is_told(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = world.engine
    record = customers.get_customer(e, user=world.case_manager, customer_id=world.customer_id)

    def edit(user: Any, needs: str) -> Callable[[], object]:
        return lambda: customers.update_needs(
            e,
            user=user,
            customer_id=world.customer_id,
            needs=needs,
            adjustments="",
            note="",
            today=TODAY,
            expected_version=record.version,
        )

    outcome = _race(
        edit(world.case_manager, "Editor A"),
        edit(world.senior_officer, "Editor B"),
        monkeypatch,
        customers,
        "audit",
    )
    errors = [v for v in outcome.values() if isinstance(v, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentChange), outcome
    row = one(e, Customer, id=world.customer_id)
    assert row.version == record.version + 1
    winner = "Editor A" if outcome["a"] is None else "Editor B"
    assert row.needs == winner
    updates = [a for a in audit_events(e) if a.action == "customer.update_needs"]
    assert len(updates) == 1
