"""The naive approach: read the tables into pandas and filter, join and count there.

This is what a dashboard written straight onto DataFrames does. It is kept fair to itself:
it reads only the columns each answer needs (``SELECT *`` of a million incidents with their
narratives would be far slower still). The answers are the same as the floors'.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ube_core.procedure import add_months
from ube_core.queries.dashboard import (
    DUE_SOON_DAYS,
    DURATION_BUCKETS,
    NEEDS_GROUPS,
    NO_NEEDS,
    OTHER_NEEDS,
    WINDOW_DAYS,
)

from .floors import Rows, _quarters

DATE_COLUMNS = {
    "occurred_on",
    "start_on",
    "end_on",
    "ended_on",
    "case_review_due",
    "spoc_review_due",
    "eia_review_due",
    "closed_on",
    "received_on",
    "decision_due",
    "decided_on",
    "assessed_on",
    "handed_on",
}


def _read(conn: Connection, table: str, columns: str) -> pd.DataFrame:
    frame = pd.read_sql_query(f"SELECT {columns} FROM {table}", conn)
    for column in frame.columns:
        if column in DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _day(value: Any) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def register_first_page(
    conn: Connection, *, today: date, due_within_days: int, page_size: int = 50
) -> tuple[int, Rows]:
    t, horizon = _ts(today), _ts(today + timedelta(days=due_within_days))
    r = _read(conn, "restriction", "*")
    customers = _read(conn, "customer", "id, tenancy_ref, name")
    cases = _read(conn, "ube_case", "id, eia_review_due")
    teams = _read(conn, "team", "id, name")
    users = _read(conn, "app_user", "id, name")
    appeals = _read(conn, "appeal", "id, restriction_id, kind, decided_on, outcome")
    rows = r[r.ended_on.isna() & (r.end_on >= t) & (r.case_review_due <= horizon)]
    total = len(rows)
    last = appeals[appeals.kind == "appeal"].sort_values("id").groupby("restriction_id").tail(1)
    m = (
        rows.merge(customers, left_on="customer_id", right_on="id", suffixes=("", "_c"))
        .merge(cases, left_on="case_id", right_on="id", suffixes=("", "_k"))
        .merge(teams.rename(columns={"id": "team_id", "name": "team"}), how="left", on="team_id")
        .merge(
            users.rename(columns={"id": "spoc_user_id", "name": "spoc"}),
            how="left",
            on="spoc_user_id",
        )
        .merge(
            last.rename(columns={"id": "appeal_id", "restriction_id": "id"}),
            how="left",
            on="id",
            suffixes=("", "_a"),
        )
    )
    m = m.sort_values(["case_review_due", "id"]).head(page_size)
    out: Rows = []
    for row in m.itertuples(index=False):
        if pd.isna(row.appeal_id):
            appeal = "none"
        elif pd.isna(row.decided_on):
            appeal = "pending"
        else:
            appeal = f"decided-{row.outcome or ''}"
        overdue = (t - row.case_review_due).days if row.case_review_due < t else 0
        out.append(
            (
                row.id,
                row.case_id,
                row.customer_id,
                row.tenancy_ref,
                row.name,
                row.team,
                row.types,
                row.allowed_channels,
                row.spoc if isinstance(row.spoc, str) else row.spoc_name,
                _day(row.start_on),
                _day(row.end_on),
                _day(row.case_review_due),
                _day(row.eia_review_due),
                appeal,
                row.breaches,
                "active",
                overdue,
            )
        )
    return total, out


def _needs_group(needs: pd.Series) -> pd.Series:
    text = needs.fillna("").str.lower()
    conditions = [text.str.strip() == ""]
    names = [NO_NEEDS]
    for name, patterns in NEEDS_GROUPS:
        words = [pattern.strip("%") for pattern in patterns]
        conditions.append(text.str.contains("|".join(words), regex=True))
        names.append(name)
    return pd.Series(np.select(conditions, names, default=OTHER_NEEDS), index=needs.index)


def _counts(frame: pd.DataFrame, by: list[str]) -> Rows:
    if frame.empty:
        return []
    grouped = frame.groupby(by).size().reset_index(name="n")
    return [tuple(row) for row in grouped.itertuples(index=False)]


def dashboard(conn: Connection, *, start: date, end: date, today: date) -> dict[str, Rows]:
    s, e, t = _ts(start), _ts(end), _ts(today)
    soon = _ts(today + timedelta(days=DUE_SOON_DAYS))
    out: dict[str, Rows] = {}

    incidents = _read(conn, "incident", "occurred_on, category, channel, customer_id")
    period = incidents[(incidents.occurred_on >= s) & (incidents.occurred_on <= e)].copy()
    period["month"] = period.occurred_on.dt.strftime("%Y-%m")
    out["incidents_by_category"] = _counts(period, ["month", "category"])
    out["incidents_by_channel"] = _counts(period, ["month", "channel"])

    cases = _read(conn, "ube_case", "id, customer_id, stage, closed_on, eia_review_due")
    stages = cases[cases.closed_on.isna()].groupby("stage").size().reset_index(name="n")
    stages = stages.sort_values(["n", "stage"], ascending=[False, True])
    out["cases_by_stage"] = [tuple(row) for row in stages.itertuples(index=False)]

    r = _read(
        conn,
        "restriction",
        "id, case_id, customer_id, start_on, end_on, ended_on, spoc_name, "
        "case_review_due, spoc_review_due, breaches",
    )
    active = r[r.ended_on.isna() & (r.start_on <= t) & (r.end_on >= t)]
    types = _read(conn, "restriction_type", "restriction_id, type")
    by_type = types[types.restriction_id.isin(active.id)].groupby("type").size()
    by_type_frame = by_type.reset_index(name="n").sort_values(
        ["n", "type"], ascending=[False, True]
    )
    out["restrictions_by_type"] = [tuple(row) for row in by_type_frame.itertuples(index=False)]
    m3, m6, m9 = (_ts(add_months(today, -k)) for k in (3, 6, 9))
    bucket = np.select(
        [active.start_on > m3, active.start_on > m6, active.start_on > m9],
        list(DURATION_BUCKETS[:3]),
        default=DURATION_BUCKETS[3],
    )
    running = pd.Series(bucket).value_counts()
    out["restrictions_by_duration"] = [(b, int(running.get(b, 0))) for b in DURATION_BUCKETS]

    def due(column: pd.Series) -> tuple[int, int]:
        return int((column < t).sum()), int(((column >= t) & (column <= soon)).sum())

    restricted_cases = set(active.case_id)
    eia_cases = cases[cases.closed_on.isna() | cases.id.isin(restricted_cases)]
    out["reviews"] = [
        ("case_review", *due(active.case_review_due)),
        ("spoc_review", *due(active.spoc_review_due)),
        ("eia_review", *due(eia_cases.eia_review_due)),
    ]

    appeals = _read(
        conn,
        "appeal",
        "id, case_id, restriction_id, kind, received_on, in_time, decision_due, decided_on, "
        "outcome",
    )
    received = appeals[(appeals.received_on >= s) & (appeals.received_on <= e)]
    rows: Rows = []
    for kind in ("appeal", "reconsideration"):
        a = received[received.kind == kind]
        decided = a.decided_on.notna()
        rows.append(
            (
                kind,
                len(a),
                int(a.in_time.astype(bool).sum()),
                int(decided.sum()),
                int((a.decided_on <= a.decision_due).sum()),
                int((a.decided_on > a.decision_due).sum()),
                int((~decided).sum()),
                int(((~decided) & (a.decision_due < t)).sum()),
            )
        )
    out["appeals"] = rows
    out["appeal_outcomes"] = _counts(received[received.decided_on.notna()], ["kind", "outcome"])

    reviews = _read(conn, "spoc_review", "restriction_id, quarter")
    compliance: Rows = []
    with_spoc = r[r.spoc_name.notna()]
    for label, first, as_of in _quarters(start, end, today):
        a_ts, f_ts = _ts(as_of), _ts(first)
        need = with_spoc[
            (with_spoc.start_on < f_ts)
            & (with_spoc.end_on >= a_ts)
            & (with_spoc.ended_on.isna() | (with_spoc.ended_on > a_ts))
        ]
        signed = set(reviews[reviews.quarter == label].restriction_id)
        compliance.append((label, len(need), int(need.id.isin(signed).sum())))
    out["spoc_compliance"] = compliance

    overlaps = r[(r.start_on <= e) & (r.end_on >= s) & (r.ended_on.isna() | (r.ended_on > s))]
    out["breaches"] = _counts(overlaps, ["breaches"])

    contacts = _read(conn, "contact", "customer_id, occurred_on")
    last_start = _ts(min(end, today - timedelta(days=WINDOW_DAYS)))
    begun = r[(r.start_on >= s) & (r.start_on <= last_start)][["customer_id", "start_on"]]
    joined = begun.merge(contacts, on="customer_id")
    window = pd.Timedelta(days=WINDOW_DAYS)
    before = (
        (joined.occurred_on >= joined.start_on - window) & (joined.occurred_on < joined.start_on)
    ).sum()
    after = (
        (joined.occurred_on >= joined.start_on) & (joined.occurred_on < joined.start_on + window)
    ).sum()
    out["contacts_before_after"] = [
        ("90 days before", len(begun), int(before)),
        ("90 days after", len(begun), int(after)),
    ]

    customers = _read(conn, "customer", "id, name, needs")
    customers["group"] = _needs_group(customers.needs)
    groups = customers.set_index("id")["group"]
    restricted = overlaps.customer_id.map(groups).value_counts()
    by_need = period.customer_id.map(groups).value_counts()
    names = (NO_NEEDS, *(name for name, _ in NEEDS_GROUPS), OTHER_NEEDS)
    out["equality"] = [(g, int(restricted.get(g, 0)), int(by_need.get(g, 0))) for g in names]

    eia = _read(conn, "eia", "case_id, assessed_on")
    handovers = _read(
        conn, "spoc_handover", "case_id, restriction_id, handed_on, customer_informed"
    )
    out["exceptions"] = _exceptions(r, active, cases, customers, appeals, eia, handovers, s, e, t)
    return out


def _exceptions(
    r: pd.DataFrame,
    active: pd.DataFrame,
    cases: pd.DataFrame,
    customers: pd.DataFrame,
    appeals: pd.DataFrame,
    eia: pd.DataFrame,
    handovers: pd.DataFrame,
    s: pd.Timestamp,
    e: pd.Timestamp,
    t: pd.Timestamp,
) -> Rows:
    names = customers.set_index("id")["name"]
    case_customer = cases.set_index("id")["customer_id"]
    parts: list[pd.DataFrame] = []

    def add(kind: str | pd.Series, frame: pd.DataFrame, on: pd.Series, rid: str = "id") -> None:
        parts.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "case_id": frame.case_id,
                    "restriction_id": frame[rid],
                    "name": frame.case_id.map(case_customer).map(names),
                    "on": on,
                }
            )
        )

    begun = r[(r.start_on >= s) & (r.start_on <= e)]
    first_eia = eia.groupby("case_id").assessed_on.min()
    had = begun.case_id.map(first_eia)
    no_eia = begun[~(had.notna() & (had <= begun.start_on))]
    add("no_eia_before_restriction", no_eia, no_eia.start_on)
    overdue = active[active.case_review_due < t]
    add("case_review_overdue", overdue, overdue.case_review_due)
    lapsed = r[r.ended_on.isna() & (r.end_on < t) & (r.end_on >= s) & (r.end_on <= e)]
    add("lapsed_without_review", lapsed, lapsed.end_on)
    eia_due = active.case_id.map(cases.set_index("id")["eia_review_due"])
    eia_late = active[eia_due < t]
    add("eia_review_overdue", eia_late, eia_due[eia_due < t])
    spoc_late = active[active.spoc_review_due < t]
    add("spoc_review_overdue", spoc_late, spoc_late.spoc_review_due)
    late = (
        (appeals.decided_on > appeals.decision_due)
        & (appeals.decided_on >= s)
        & (appeals.decided_on <= e)
    )
    pending = appeals.decided_on.isna() & (appeals.decision_due < t)
    chosen = appeals[late | pending]
    is_late = late[late | pending]
    add(
        pd.Series(np.where(is_late, "decision_late", "decision_overdue"), index=chosen.index),
        chosen,
        chosen.decided_on.where(is_late, chosen.decision_due),
        rid="restriction_id",
    )
    informed = handovers.customer_informed.astype(bool)
    silent = handovers[~informed & (handovers.handed_on >= s) & (handovers.handed_on <= e)]
    add("handover_not_informed", silent, silent.handed_on, rid="restriction_id")
    every = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if every.empty:
        return []
    every = every.sort_values(["on", "kind", "case_id", "restriction_id"])
    return [
        (row.kind, row.case_id, row.restriction_id, row.name, _day(row.on))
        for row in every.itertuples(index=False)
    ]
