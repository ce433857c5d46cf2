"""The line manager's SPOC worklist: this quarter's sign-off for every SPOC they oversee (§6)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import case, exists, func, select
from sqlalchemy.engine import Engine

from ube_core.services.cases import quarter_of
from ube_core.services.context import UserContext

from ._sql import (
    CONTACT,
    CUSTOMER,
    LETTER,
    RECOMMENDATION,
    RESTRICTION,
    SPOC_REVIEW,
    USER,
    frame,
    quarter_bounds,
    reading,
    restriction_active,
)

COLUMNS = (
    "spoc_user_id",
    "spoc_name",
    "restriction_id",
    "case_id",
    "customer_name",
    "tenancy_ref",
    "start_on",
    "end_on",
    "quarter",
    "status",
    "spoc_review_due",
    "last_reviewed_on",
    "letters_in_quarter",
    "contacts_in_quarter",
    "breaches_in_quarter",
    "open_recommendations",
)
STATUSES = ("signed_off", "due", "overdue")


def spoc_worklist(
    engine: Engine, *, user: UserContext, manager_id: int, today: date
) -> pd.DataFrame:
    """Each active restriction with a SPOC that ``manager_id`` oversees, with this quarter's
    sign-off status and the quarter's correspondence.

    The SPOCs overseen are the users whose line manager is ``manager_id``. Where no SPOC of
    an active restriction has a line manager recorded at all, every SPOC is listed (a small
    team that has not filled line managers in still sees its SPOCs).

    ``status``: ``signed_off`` when a SPOC review of that restriction is recorded in the
    current quarter; otherwise ``overdue`` when its SPOC review was due before ``today``,
    else ``due``. Letters count the case's letters dated in the quarter; contacts and
    breaches count contacts screened against this restriction in the quarter (up to today).
    """
    r = RESTRICTION.c
    quarter = quarter_of(today)
    q_start, q_end = quarter_bounds(today)
    spoc = USER.alias("spoc")
    active = [restriction_active(today), r.spoc_user_id.is_not(None)]
    signed = exists().where(SPOC_REVIEW.c.restriction_id == r.id, SPOC_REVIEW.c.quarter == quarter)
    status = case((signed, "signed_off"), (r.spoc_review_due < today, "overdue"), else_="due")
    in_quarter_contacts = select(func.count()).where(
        CONTACT.c.restriction_id == r.id,
        CONTACT.c.occurred_on >= q_start,
        CONTACT.c.occurred_on <= q_end,
    )
    stmt = (
        select(
            r.spoc_user_id,
            spoc.c.name,
            r.id,
            r.case_id,
            CUSTOMER.c.name.label("customer_name"),
            CUSTOMER.c.tenancy_ref,
            r.start_on,
            r.end_on,
            status.label("status"),
            r.spoc_review_due,
            select(func.max(SPOC_REVIEW.c.reviewed_on))
            .where(SPOC_REVIEW.c.restriction_id == r.id)
            .scalar_subquery(),
            select(func.count())
            .where(
                LETTER.c.case_id == r.case_id,
                LETTER.c.dated >= q_start,
                LETTER.c.dated <= q_end,
            )
            .scalar_subquery(),
            in_quarter_contacts.scalar_subquery(),
            in_quarter_contacts.where(CONTACT.c.screen == "breach").scalar_subquery(),
            select(func.count())
            .where(RECOMMENDATION.c.case_id == r.case_id, RECOMMENDATION.c.done_on.is_(None))
            .scalar_subquery(),
        )
        .select_from(RESTRICTION)
        .join(CUSTOMER, CUSTOMER.c.id == r.customer_id)
        .join(spoc, spoc.c.id == r.spoc_user_id)
        .where(*active)
        .order_by(
            spoc.c.name,
            r.spoc_user_id,
            case((status == "overdue", 0), (status == "due", 1), else_=2),
            r.spoc_review_due,
            r.id,
        )
    )
    with reading(engine, user, "the SPOC worklist") as session:
        any_managed = session.execute(
            select(
                exists().where(
                    spoc.c.id == r.spoc_user_id, spoc.c.line_manager_id.is_not(None), *active
                )
            )
        ).scalar_one()
        if any_managed:
            stmt = stmt.where(spoc.c.line_manager_id == manager_id)
        rows = session.execute(stmt).all()
    records = [(*row[:8], quarter, *row[8:]) for row in rows]
    return frame(records, COLUMNS)
