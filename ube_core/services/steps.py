"""The machinery every case step goes through: load, ask the engine, write, audit.

``apply_step`` is the one place where a step is checked and recorded. It locks the case row
(PostgreSQL ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway), refuses a
stale ``expected_version`` (someone else changed the case since it was opened), asks the
engine with the user's roles as the database holds them, then writes the chronology event,
the engine-derived due dates and the audit event — all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from ube_core import procedure as p
from ube_core.errors import ConcurrentChange, InvalidInput, NotFound, StepRefused
from ube_core.storage.codec import from_payload, to_payload
from ube_core.storage.models import Case, CaseEvent, Restriction

from .context import UserContext, audit, current_roles


@dataclass
class Applied:
    """What a recorded step left behind, for the service to add its typed rows."""

    case: Case
    event: CaseEvent
    engine_case: p.Case
    decision: p.Decision


def load_history(session: Session, case_id: int) -> list[p.Event]:
    payloads = session.exec(
        select(CaseEvent.payload).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.seq))
    ).all()
    return [from_payload(payload) for payload in payloads]


def load_engine_case(session: Session, case_id: int) -> p.Case:
    return p.Case.from_history(load_history(session, case_id))


def lock_case(session: Session, case_id: int) -> Case:
    row = session.exec(select(Case).where(Case.id == case_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"Case {case_id} does not exist.")
    return row


def check_date(on: date, today: date, label: str = "Date") -> None:
    if on > today:
        raise InvalidInput("date", f"{label} can't be in the future.")


def apply_step(
    session: Session,
    *,
    user: UserContext,
    case_id: int,
    step: p.Event,
    today: date,
    expected_version: int | None = None,
    summary: str = "",
) -> Applied:
    check_date(step.date, today)
    case = lock_case(session, case_id)
    if expected_version is not None and case.version != expected_version:
        raise ConcurrentChange()
    engine_case = load_engine_case(session, case_id)
    actor = p.Actor(user.username, current_roles(session, user))
    decision = engine_case.decide(step, actor)
    if not decision.allowed:
        raise StepRefused(step.action, decision.reasons)
    engine_case.record(step, actor)
    bumped = session.execute(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.version) == case.version)
        .values(version=case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange()
    case.version += 1
    event = CaseEvent(
        case_id=case_id,
        seq=len(engine_case.history),
        action=step.action.value,
        occurred_on=step.date,
        by_user_id=user.id,
        by_name=user.name,
        summary=summary or step.action.label,
        payload=to_payload(step),
    )
    session.add(event)
    state = engine_case.state
    case.stage = p.stage(state, step.date)
    case.eia_review_due = state.eia_review_due
    session.add(case)
    session.flush()
    audit(
        session,
        user,
        f"case.{step.action.value}",
        entity="case_event",
        entity_id=event.id,
        customer_id=case.customer_id,
        detail={"case_id": case_id, "seq": event.seq, "summary": event.summary},
    )
    return Applied(case, event, engine_case, decision)


def sync_restrictions(session: Session, applied: Applied) -> None:
    """Copy the engine's view of the case's latest restrictions onto their rows."""
    state = applied.engine_case.state
    for restriction in state.restrictions[-2:]:
        row = session.exec(
            select(Restriction).where(
                Restriction.case_id == applied.case.id, Restriction.number == restriction.number
            )
        ).first()
        if row is None:
            continue
        row.case_review_due = restriction.case_review_due
        row.spoc_review_due = restriction.spoc_review_due
        row.spoc_name = restriction.spoc
        row.breaches = restriction.breaches
        if restriction.ended_on is not None and row.ended_on is None:
            row.ended_on = restriction.ended_on
            row.end_reason = row.end_reason or applied.event.action
        session.add(row)


def latest_restriction_row(session: Session, case_id: int) -> Restriction | None:
    return session.exec(
        select(Restriction)
        .where(Restriction.case_id == case_id)
        .order_by(col(Restriction.number).desc())
    ).first()
