"""Cached reads for the oversight pages: ``st.cache_data(ttl=60)`` keyed on the filter values.

Every function takes the database URL first (so two databases never share an entry), then the
acting user (a frozen, hashable ``UserContext``: a change of roles is a new key) and the
filters. ``runtime.clear_reads()`` after any write empties them all. Exports are not cached:
they are audited each time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from ube_core import queries, queries_oversight
from ube_core.config import database_url
from ube_core.queries import Dashboard, RegisterPage
from ube_core.queries_oversight import Correspondence, FilterOptions
from ube_core.services.context import UserContext

from . import runtime

TTL = 60


def db() -> str:
    """The cache key for the configured database."""
    return database_url()


@st.cache_data(ttl=TTL, show_spinner=False)
def filter_options(db_key: str, user: UserContext) -> FilterOptions:
    """Teams, SPOCs, colleagues and line managers for the filters and forms."""
    return queries_oversight.filter_options(runtime.engine(), user=user)


@st.cache_data(ttl=TTL, show_spinner="Reading the register…")
def register_page(
    db_key: str,
    user: UserContext,
    today: date,
    status: str | None,
    types: tuple[str, ...],
    spoc: int | None,
    team_id: int | None,
    due_within_days: int | None,
    overdue_only: bool,
    open_appeal: bool | None,
    search: str,
    sort: str,
    descending: bool,
    page: int,
    page_size: int,
) -> tuple[RegisterPage, pd.DataFrame]:
    """One page of the register and the SPOC / temporary SPOC of its rows."""
    engine = runtime.engine()
    result = queries.restriction_register(
        engine,
        user=user,
        today=today,
        status=status,
        types=types,
        spoc=spoc,
        team_id=team_id,
        due_within_days=due_within_days,
        overdue_only=overdue_only,
        open_appeal=open_appeal,
        search=search or None,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
    )
    cover = queries_oversight.spoc_cover(
        engine, user=user, restriction_ids=[int(i) for i in result.rows["restriction_id"]]
    )
    return result, cover


@st.cache_data(ttl=TTL, show_spinner="Counting the calendar…")
def calendar_counts(
    db_key: str,
    user: UserContext,
    start: date,
    end: date,
    kinds: tuple[str, ...],
    team_id: int | None,
    owner_id: int | None,
    today: date,
) -> pd.DataFrame:
    """Items per day, kind and overdue or not (for a large book's calendar)."""
    return queries.calendar_counts(
        runtime.engine(),
        user=user,
        start=start,
        end=end,
        kinds=kinds,
        team_id=team_id,
        owner_id=owner_id,
        today=today,
    )


@st.cache_data(ttl=TTL, show_spinner="Reading the calendar…")
def calendar(
    db_key: str,
    user: UserContext,
    start: date,
    end: date,
    kinds: tuple[str, ...],
    team_id: int | None,
    owner_id: int | None,
    today: date,
    limit: int | None = None,
) -> tuple[pd.DataFrame, dict[int, int]]:
    """The calendar's items (the first ``limit`` overdue and in the period, or all), and the
    customer of each case among them (for links)."""
    engine = runtime.engine()
    items = queries.calendar_items(
        engine,
        user=user,
        start=start,
        end=end,
        kinds=kinds,
        team_id=team_id,
        owner_id=owner_id,
        today=today,
        limit=limit,
    )
    customers = queries_oversight.customers_of_cases(
        engine, user=user, case_ids=[int(c) for c in items["case_id"]]
    )
    return items, customers


@st.cache_data(ttl=TTL, show_spinner=False)
def my_work(db_key: str, user: UserContext, today: date) -> tuple[pd.DataFrame, dict[int, int]]:
    engine = runtime.engine()
    items = queries.my_work(engine, user=user, today=today)
    customers = queries_oversight.customers_of_cases(
        engine, user=user, case_ids=[int(c) for c in items["case_id"]]
    )
    return items, customers


@st.cache_data(ttl=TTL, show_spinner=False)
def team_totals(db_key: str, user: UserContext, today: date) -> pd.DataFrame:
    return queries_oversight.team_work_totals(runtime.engine(), user=user, today=today)


@st.cache_data(ttl=TTL, show_spinner="Counting…")
def dashboard(
    db_key: str, user: UserContext, start: date, end: date, team_id: int | None, today: date
) -> tuple[Dashboard, tuple[int, int], dict[int, int]]:
    """The dashboard's frames, (open, overdue) recommendations, and the exceptions' customers."""
    engine = runtime.engine()
    board = queries.dashboard(engine, user=user, start=start, end=end, team_id=team_id, today=today)
    recs = queries_oversight.recommendation_counts(engine, user=user, today=today, team_id=team_id)
    customers = queries_oversight.customers_of_cases(
        engine, user=user, case_ids=[int(c) for c in board.exceptions["case_id"]]
    )
    return board, recs, customers


@st.cache_data(ttl=TTL, show_spinner=False)
def recommendations(
    db_key: str,
    user: UserContext,
    today: date,
    mine_only: bool,
    overdue_only: bool,
    team_id: int | None,
) -> pd.DataFrame:
    return queries_oversight.open_recommendations(
        runtime.engine(),
        user=user,
        today=today,
        mine_only=mine_only,
        overdue_only=overdue_only,
        team_id=team_id,
    )


@st.cache_data(ttl=TTL, show_spinner="Reading the SPOC worklist…")
def spoc_worklist(
    db_key: str, user: UserContext, manager_id: int, today: date
) -> tuple[pd.DataFrame, dict[int, int]]:
    """The line manager's SPOC worklist, and the customer of each case in it."""
    engine = runtime.engine()
    work = queries.spoc_worklist(engine, user=user, manager_id=manager_id, today=today)
    customers = queries_oversight.customers_of_cases(
        engine, user=user, case_ids=[int(c) for c in work["case_id"]]
    )
    return work, customers


@st.cache_data(ttl=TTL, show_spinner=False)
def correspondence(
    db_key: str, user: UserContext, restriction_id: int, today: date
) -> Correspondence:
    return queries_oversight.spoc_quarter_correspondence(
        runtime.engine(), user=user, restriction_id=restriction_id, today=today
    )


def as_tuple(values: Sequence[str]) -> tuple[str, ...]:
    """A sorted tuple: the same filter in any order is the same cache entry."""
    return tuple(sorted(set(values)))
