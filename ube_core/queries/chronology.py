"""A case's chronology: its recorded steps in the order they were recorded."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ube_core.errors import InvalidInput, NotFound
from ube_core.procedure import Action
from ube_core.services.context import UserContext

from ._sql import CASE, EVENT, frame, reading

COLUMNS = ("seq", "date", "action", "label", "summary", "by")


def case_chronology(
    engine: Engine, *, user: UserContext, case_id: int, kinds: Iterable[str] | None = None
) -> pd.DataFrame:
    """Every step of the case (or only the actions in ``kinds``) ordered by ``seq``."""
    wanted = None if kinds is None else sorted(set(kinds))
    if wanted is not None:
        known = {a.value for a in Action}
        unknown = [k for k in wanted if k not in known]
        if unknown:
            raise InvalidInput("kinds", f"Unknown step: {unknown[0]}")
    e = EVENT.c
    stmt = (
        select(e.seq, e.occurred_on, e.action, e.summary, e.by_name)
        .where(e.case_id == case_id)
        .order_by(e.seq)
    )
    if wanted is not None:
        stmt = stmt.where(e.action.in_(wanted))
    with reading(engine, user, "case chronologies") as session:
        if session.execute(select(CASE.c.id).where(CASE.c.id == case_id)).first() is None:
            raise NotFound("That case does not exist.")
        rows = session.execute(stmt).all()
    records = [
        (row.seq, row.occurred_on, row.action, Action(row.action).label, row.summary, row.by_name)
        for row in rows
    ]
    return frame(records, COLUMNS)
