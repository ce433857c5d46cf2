"""The floors: hand-written SQL for the same answers as the register's first page and the
dashboard, one plain query per figure, run through the DB-API connection (no ORM, no
DataFrames). What the app's queries are measured against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ube_core.procedure import add_months
from ube_core.queries._sql import quarter_bounds
from ube_core.queries.dashboard import (
    DUE_SOON_DAYS,
    DURATION_BUCKETS,
    NEEDS_GROUPS,
    NO_NEEDS,
    OTHER_NEEDS,
    WINDOW_DAYS,
)
from ube_core.services.cases import quarter_of

Rows = list[tuple[Any, ...]]


class Sql:
    """Dialect-specific fragments and parameter conversion."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def d(self, value: date) -> Any:
        """A date parameter (SQLite stores dates as ISO text)."""
        return value.isoformat() if self.sqlite else value

    def month(self, column: str) -> str:
        return f"substr({column}, 1, 7)" if self.sqlite else f"to_char({column}, 'YYYY-MM')"

    def plus_days(self, column: str, days: int) -> str:
        return f"date({column}, '{days:+d} days')" if self.sqlite else f"({column} + {days})"

    def days_between(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        return f"(CAST({later} AS date) - {earlier})"


def _all(conn: Connection, sql: str, **params: Any) -> Rows:
    return [tuple(row) for row in conn.execute(sa.text(sql), params).all()]


# -- the register: first page, active, review due within N days, by case review due -----------
def register_first_page(
    conn: Connection, *, today: date, due_within_days: int, page_size: int = 50
) -> tuple[int, Rows]:
    q = Sql(conn.dialect.name)
    horizon = today + timedelta(days=due_within_days)
    where = "r.ended_on IS NULL AND r.end_on >= :today AND r.case_review_due <= :horizon"
    params = {"today": q.d(today), "horizon": q.d(horizon)}
    (total,) = _all(conn, f"SELECT count(*) FROM restriction r WHERE {where}", **params)[0]
    rows = _all(
        conn,
        f"""
        SELECT r.id, r.case_id, r.customer_id, c.tenancy_ref, c.name, t.name, r.types,
               r.allowed_channels, COALESCE(u.name, r.spoc_name), r.start_on, r.end_on,
               r.case_review_due, k.eia_review_due,
               COALESCE((SELECT CASE WHEN a.decided_on IS NULL THEN 'pending'
                                     ELSE 'decided-' || COALESCE(a.outcome, '') END
                         FROM appeal a WHERE a.restriction_id = r.id AND a.kind = 'appeal'
                         ORDER BY a.id DESC LIMIT 1), 'none'),
               r.breaches, 'active',
               CASE WHEN r.case_review_due < :today
                    THEN {q.days_between(":today", "r.case_review_due")} ELSE 0 END
        FROM restriction r
        JOIN customer c ON c.id = r.customer_id
        JOIN ube_case k ON k.id = r.case_id
        LEFT JOIN team t ON t.id = r.team_id
        LEFT JOIN app_user u ON u.id = r.spoc_user_id
        WHERE {where}
        ORDER BY r.case_review_due, r.id
        LIMIT {int(page_size)}
        """,
        **params,
    )
    return int(total), rows


# -- the dashboard ---------------------------------------------------------------------------
def _quarters(start: date, end: date, today: date) -> list[tuple[str, date, date]]:
    out = []
    q_start, q_end = quarter_bounds(start)
    while q_start <= min(end, today):
        out.append((quarter_of(q_start), q_start, min(q_end, today)))
        q_start, q_end = quarter_bounds(q_end + timedelta(days=1))
    return out


def dashboard(conn: Connection, *, start: date, end: date, today: date) -> dict[str, Rows]:
    """Every figure of the manager dashboard (whole organisation), hand-written."""
    q = Sql(conn.dialect.name)
    s, e, t = q.d(start), q.d(end), q.d(today)
    soon = q.d(today + timedelta(days=DUE_SOON_DAYS))
    active = "r.ended_on IS NULL AND r.start_on <= :t AND r.end_on >= :t"
    overlaps = "r.start_on <= :e AND r.end_on >= :s AND (r.ended_on IS NULL OR r.ended_on > :s)"
    out: dict[str, Rows] = {}
    # Incidents come from the per-day counts the database keeps (incident_daily).
    for by in ("category", "channel"):
        out[f"incidents_by_{by}"] = _all(
            conn,
            f"SELECT {q.month('day')} AS m, {by}, sum(n) FROM incident_daily "
            f"WHERE day >= :s AND day <= :e GROUP BY m, {by} HAVING sum(n) <> 0 "
            f"ORDER BY m, {by}",
            s=s,
            e=e,
        )
    out["cases_by_stage"] = _all(
        conn,
        "SELECT stage, count(*) AS n FROM ube_case WHERE closed_on IS NULL "
        "GROUP BY stage ORDER BY n DESC, stage",
    )
    out["restrictions_by_type"] = _all(
        conn,
        "SELECT y.type, count(*) AS n FROM restriction_type y "
        f"JOIN restriction r ON r.id = y.restriction_id WHERE {active} "
        "GROUP BY y.type ORDER BY n DESC, y.type",
        t=t,
    )
    m3, m6, m9 = (q.d(add_months(today, -k)) for k in (3, 6, 9))
    running: dict[str, int] = dict(
        _all(
            conn,
            f"SELECT CASE WHEN r.start_on > :m3 THEN '{DURATION_BUCKETS[0]}' "
            f"WHEN r.start_on > :m6 THEN '{DURATION_BUCKETS[1]}' "
            f"WHEN r.start_on > :m9 THEN '{DURATION_BUCKETS[2]}' "
            f"ELSE '{DURATION_BUCKETS[3]}' END AS b, count(*) "
            f"FROM restriction r WHERE {active} GROUP BY b",
            t=t,
            m3=m3,
            m6=m6,
            m9=m9,
        )
    )
    out["restrictions_by_duration"] = [(b, int(running.get(b, 0))) for b in DURATION_BUCKETS]
    (cr_over, cr_soon, sr_over, sr_soon) = _all(
        conn,
        "SELECT count(*) FILTER (WHERE r.case_review_due < :t), "
        "count(*) FILTER (WHERE r.case_review_due >= :t AND r.case_review_due <= :soon), "
        "count(*) FILTER (WHERE r.spoc_review_due < :t), "
        "count(*) FILTER (WHERE r.spoc_review_due >= :t AND r.spoc_review_due <= :soon) "
        f"FROM restriction r WHERE {active}",
        t=t,
        soon=soon,
    )[0]
    (eia_over, eia_soon) = _all(
        conn,
        "SELECT count(*) FILTER (WHERE k.eia_review_due < :t), "
        "count(*) FILTER (WHERE k.eia_review_due >= :t AND k.eia_review_due <= :soon) "
        "FROM ube_case k WHERE k.closed_on IS NULL OR EXISTS "
        f"(SELECT 1 FROM restriction r WHERE r.case_id = k.id AND {active})",
        t=t,
        soon=soon,
    )[0]
    out["reviews"] = [
        ("case_review", cr_over, cr_soon),
        ("spoc_review", sr_over, sr_soon),
        ("eia_review", eia_over, eia_soon),
    ]
    appeals = {
        row[0]: row[1:]
        for row in _all(
            conn,
            "SELECT kind, count(*), count(*) FILTER (WHERE in_time), "
            "count(*) FILTER (WHERE decided_on IS NOT NULL), "
            "count(*) FILTER (WHERE decided_on <= decision_due), "
            "count(*) FILTER (WHERE decided_on > decision_due), "
            "count(*) FILTER (WHERE decided_on IS NULL), "
            "count(*) FILTER (WHERE decided_on IS NULL AND decision_due < :t) "
            "FROM appeal WHERE received_on >= :s AND received_on <= :e GROUP BY kind",
            s=s,
            e=e,
            t=t,
        )
    }
    out["appeals"] = [
        (kind, *appeals.get(kind, (0,) * 7)) for kind in ("appeal", "reconsideration")
    ]
    out["appeal_outcomes"] = _all(
        conn,
        "SELECT kind, outcome, count(*) FROM appeal WHERE received_on >= :s "
        "AND received_on <= :e AND decided_on IS NOT NULL GROUP BY kind, outcome "
        "ORDER BY kind, outcome",
        s=s,
        e=e,
    )
    compliance: Rows = []
    for label, first, as_of in _quarters(start, end, today):
        required, signed = _all(
            conn,
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM spoc_review v "
            "WHERE v.restriction_id = r.id AND v.quarter = :label)) FROM restriction r "
            "WHERE r.spoc_name IS NOT NULL AND r.start_on < :first AND r.end_on >= :as_of "
            "AND (r.ended_on IS NULL OR r.ended_on > :as_of)",
            label=label,
            first=q.d(first),
            as_of=q.d(as_of),
        )[0]
        compliance.append((label, required, signed))
    out["spoc_compliance"] = compliance
    out["breaches"] = _all(
        conn,
        f"SELECT r.breaches, count(*) FROM restriction r WHERE {overlaps} "
        "GROUP BY r.breaches ORDER BY r.breaches",
        s=s,
        e=e,
    )
    last_start = q.d(min(end, today - timedelta(days=WINDOW_DAYS)))
    n, before, after = _all(
        conn,
        "SELECT count(*), COALESCE(sum(b), 0), COALESCE(sum(a), 0) FROM ("
        "SELECT (SELECT count(*) FROM contact c WHERE c.customer_id = r.customer_id "
        f"AND c.occurred_on >= {q.plus_days('r.start_on', -WINDOW_DAYS)} "
        "AND c.occurred_on < r.start_on) AS b, "
        "(SELECT count(*) FROM contact c WHERE c.customer_id = r.customer_id "
        "AND c.occurred_on >= r.start_on "
        f"AND c.occurred_on < {q.plus_days('r.start_on', WINDOW_DAYS)}) AS a "
        "FROM restriction r WHERE r.start_on >= :s AND r.start_on <= :last) AS per",
        s=s,
        last=last_start,
    )[0]
    out["contacts_before_after"] = [
        ("90 days before", n, before),
        ("90 days after", n, after),
    ]
    restricted: dict[str, int] = dict(
        _all(
            conn,
            "SELECT c.needs_group, count(*) FROM restriction r "
            f"JOIN customer c ON c.id = r.customer_id WHERE {overlaps} GROUP BY c.needs_group",
            s=s,
            e=e,
        )
    )
    incidents: dict[str, int] = dict(
        _all(
            conn,
            "SELECT needs_group, sum(n) FROM incident_need_daily "
            "WHERE day >= :s AND day <= :e GROUP BY needs_group",
            s=s,
            e=e,
        )
    )
    names = (NO_NEEDS, *(name for name, _ in NEEDS_GROUPS), OTHER_NEEDS)
    out["equality"] = [(g, int(restricted.get(g, 0)), int(incidents.get(g, 0))) for g in names]
    out["exceptions"] = _exceptions(conn, q, s, e, t)
    return out


def _exceptions(conn: Connection, q: Sql, s: Any, e: Any, t: Any) -> Rows:
    active = "r.ended_on IS NULL AND r.start_on <= :t AND r.end_on >= :t"
    base = (
        "SELECT '{kind}' AS kind, r.case_id, r.id AS rid, c.name, {on} AS on_day "
        "FROM restriction r JOIN customer c ON c.id = r.customer_id WHERE {where}"
    )
    parts = [
        base.format(
            kind="no_eia_before_restriction",
            on="r.start_on",
            where="r.start_on >= :s AND r.start_on <= :e AND NOT EXISTS (SELECT 1 FROM eia x "
            "WHERE x.case_id = r.case_id AND x.assessed_on <= r.start_on)",
        ),
        base.format(
            kind="case_review_overdue",
            on="r.case_review_due",
            where=f"{active} AND r.case_review_due < :t",
        ),
        base.format(
            kind="lapsed_without_review",
            on="r.end_on",
            where="r.ended_on IS NULL AND r.end_on < :t AND r.end_on >= :s AND r.end_on <= :e",
        ),
        "SELECT 'eia_review_overdue', r.case_id, r.id, c.name, k.eia_review_due "
        "FROM restriction r JOIN ube_case k ON k.id = r.case_id "
        "JOIN customer c ON c.id = r.customer_id "
        f"WHERE {active} AND k.eia_review_due < :t",
        base.format(
            kind="spoc_review_overdue",
            on="r.spoc_review_due",
            where=f"{active} AND r.spoc_review_due < :t",
        ),
        "SELECT CASE WHEN a.decided_on > a.decision_due THEN 'decision_late' "
        "ELSE 'decision_overdue' END, a.case_id, a.restriction_id, c.name, "
        "CASE WHEN a.decided_on > a.decision_due THEN a.decided_on ELSE a.decision_due END "
        "FROM appeal a JOIN ube_case k ON k.id = a.case_id "
        "JOIN customer c ON c.id = k.customer_id "
        "WHERE (a.decided_on > a.decision_due AND a.decided_on >= :s AND a.decided_on <= :e) "
        "OR (a.decided_on IS NULL AND a.decision_due < :t)",
        "SELECT 'handover_not_informed', h.case_id, h.restriction_id, c.name, h.handed_on "
        "FROM spoc_handover h JOIN ube_case k ON k.id = h.case_id "
        "JOIN customer c ON c.id = k.customer_id "
        "WHERE NOT h.customer_informed AND h.handed_on >= :s AND h.handed_on <= :e",
    ]
    sql = " UNION ALL ".join(parts) + " ORDER BY 5, 1, 2, 3"
    return _all(conn, sql, s=s, e=e, t=t)


# -- comparing answers -------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _norm(rows: Sequence[Sequence[Any]]) -> list[tuple[str, ...]]:
    """Rows as text: dates as ISO (SQLite hands back text), missing values as ''."""
    return [tuple("" if _missing(v) else str(v) for v in row) for row in rows]


def differences(ours: dict[str, Rows], floor: dict[str, Rows]) -> list[str]:
    """Names of the figures whose answers differ (empty: the same answer)."""
    return [name for name in floor if _norm(ours.get(name, [])) != _norm(floor[name])]
