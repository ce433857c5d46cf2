"""Shared plumbing for the read side: table handles, dialect-aware SQL, role checks, frames.

Every query here aggregates in SQL and returns a small result; nothing loads a whole table.
Dates are compared as SQL dates (SQLite stores them as ISO text, which sorts the same way).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Date, Integer, String, and_, cast, func, literal, literal_column
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.schema import Table
from sqlmodel import Session, SQLModel

import ube_core.storage.models  # noqa: F401  (registers the tables)
from ube_core.errors import InvalidInput
from ube_core.services.context import READ_ROLES, UserContext, require_roles

_TABLES = SQLModel.metadata.tables

TEAM: Table = _TABLES["team"]
USER: Table = _TABLES["app_user"]
CUSTOMER: Table = _TABLES["customer"]
CASE: Table = _TABLES["ube_case"]
EVENT: Table = _TABLES["case_event"]
INCIDENT: Table = _TABLES["incident"]
INCIDENT_DAILY: Table = _TABLES["incident_daily"]
INCIDENT_NEED_DAILY: Table = _TABLES["incident_need_daily"]
EIA: Table = _TABLES["eia"]
RESTRICTION: Table = _TABLES["restriction"]
RESTRICTION_TYPE: Table = _TABLES["restriction_type"]
CONTACT: Table = _TABLES["contact"]
APPEAL: Table = _TABLES["appeal"]
HANDOVER: Table = _TABLES["spoc_handover"]
SPOC_REVIEW: Table = _TABLES["spoc_review"]
RECOMMENDATION: Table = _TABLES["recommendation"]
LETTER: Table = _TABLES["letter"]


@contextmanager
def reading(engine: Engine, user: UserContext, what: str) -> Iterator[Session]:
    """A session for reads, after checking the user holds a read role (officer, case roles,
    manager) as the database has it now. ``NotAuthorised`` otherwise."""
    with Session(engine) as session:
        require_roles(session, user, READ_ROLES, what)
        yield session


def frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns``, even when there are no rows."""
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))


# -- dialect-aware expressions -------------------------------------------------------------
def month_of(dialect: str, column: ColumnElement[Any]) -> ColumnElement[str]:
    """'YYYY-MM' of a date column, on SQLite and PostgreSQL."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column, type_=String)
    return func.to_char(column, "YYYY-MM", type_=String)


def plus_days(dialect: str, column: ColumnElement[Any], days: int) -> ColumnElement[date]:
    """``column`` moved by ``days`` calendar days (negative: earlier)."""
    days = int(days)
    if dialect == "sqlite":
        return func.date(column, f"{days:+d} days", type_=Date)
    return cast(column + literal_column(str(days), Integer), Date)


def days_between(dialect: str, later: date, earlier: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole days from ``earlier`` (a date column) to ``later`` (a day)."""
    if dialect == "sqlite":
        return cast(func.julianday(literal(later, Date)) - func.julianday(earlier), Integer)
    return cast(literal(later, Date) - earlier, Integer)


def text_const(value: str) -> ColumnElement[str]:
    """A string constant for a SELECT list (typed, so UNIONs agree on PostgreSQL)."""
    return cast(literal(value, String), String)


def null_int() -> ColumnElement[int]:
    return cast(literal(None, Integer), Integer)


def null_text() -> ColumnElement[str]:
    return cast(literal(None, String), String)


# -- the procedure's notions, in SQL ----------------------------------------------------
def restriction_active(today: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """In force on ``today``: started, not ended by a step, not past its end (rule 4)."""
    r = RESTRICTION.c
    return and_(r.ended_on.is_(None), r.start_on <= today, r.end_on >= today)


def search_pattern(text: str) -> str:
    """A LIKE pattern for free text: wildcards typed by the user are taken literally."""
    cleaned = text.strip().replace("\\", "").replace("%", "").replace("_", "")
    return f"%{cleaned}%"


def check_choice(field: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise InvalidInput(
            field, f"{field.replace('_', ' ').capitalize()}: choose one of the options."
        )


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    nxt = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)
