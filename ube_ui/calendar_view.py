"""The review calendar's month and week grids as plain HTML (drawn with ``st.html``).

The page's heading names the month or week; the table's caption repeats it for screen
readers only.

Pure functions over ``calendar_items`` rows. Each entry says in words what it is and whether
it is overdue; colour only repeats that. Entries link to the customer's case page.
"""

from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from html import escape
from typing import Any

import pandas as pd

from .format import uk_date
from .oversight import SHORT_KIND, kind_label, text

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_PER_DAY = 4
KIND_COLOURS = {
    "case_review": "#0072B2",
    "eia_review": "#009E73",
    "appeal_deadline": "#999999",
    "appeal_decision": "#D55E00",
    "reconsideration_decision": "#CC79A7",
    "spoc_review": "#E69F00",
    "restriction_end": "#56B4E9",
    "recommendation": "#6A3D9A",
}

STYLE = """
<style>
.ube-cal { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 0.8rem; }
.ube-cal caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.ube-cal th { text-align: left; padding: 4px 6px; background: #F3F4F6; border: 1px solid #D1D5DB;
  font-weight: 600; }
.ube-cal td { vertical-align: top; border: 1px solid #D1D5DB; padding: 4px; height: 96px; }
.ube-cal td.ube-out { background: #FAFAFA; color: #6B7280; }
.ube-cal td.ube-today { outline: 3px solid #1F2937; outline-offset: -3px; }
.ube-day { font-weight: 600; margin-bottom: 3px; }
.ube-chip { display: block; margin: 3px 0; padding: 2px 4px; border-left: 4px solid #999;
  background: #F8FAFC; border-radius: 3px; color: #111827; text-decoration: none;
  line-height: 1.25; overflow-wrap: anywhere; }
.ube-chip b { font-weight: 600; }
.ube-chip.ube-late { background: #FDECEA; color: #8B1A1A; font-weight: 600; }
.ube-more { color: #374151; font-style: italic; }
.ube-legend { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 0; font-size: 0.8rem; }
.ube-legend span { border-left: 4px solid #999; padding-left: 4px; }
.ube-week td { height: 220px; }
</style>
"""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day shown on a month grid: Monday to Sunday whole weeks."""
    first = date(year, month, 1)
    last = date(year, month, pycal.monthrange(year, month)[1])
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _as_date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        day: date = value.date()
        return day
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _by_day(items: pd.DataFrame) -> dict[date, list[Any]]:
    days: dict[date, list[Any]] = defaultdict(list)
    for row in items.itertuples(index=False):
        days[_as_date(row.due_on)].append(row)
    return days


def _chip(row: Any, customers: Mapping[int, int]) -> str:
    kind = str(row.kind)
    late = bool(row.overdue)
    what = f"{'Overdue: ' if late else ''}{kind_label(kind)}"
    label = f"<b>{escape(what)}</b><br>{escape(text(row.customer_name))}"
    owner = text(getattr(row, "owner_name", None), "not assigned")
    title = f"{what}: {row.customer_name} — {row.title} — owner: {owner}"
    style = f"border-left-color: {KIND_COLOURS.get(kind, '#999999')}"
    css = "ube-chip ube-late" if late else "ube-chip"
    customer = customers.get(int(row.case_id))
    if customer is None:
        return f'<span class="{css}" style="{style}" title="{escape(title)}">{label}</span>'
    href = f"customer?customer={customer}"
    return f'<a class="{css}" style="{style}" href="{href}" title="{escape(title)}">{label}</a>'


def _cell(day: date, rows: list[Any], customers: Mapping[int, int], limit: int | None) -> str:
    shown = rows if limit is None else rows[:limit]
    chips = "".join(_chip(r, customers) for r in shown)
    more = len(rows) - len(shown)
    if more:
        chips += f'<span class="ube-more">+{more} more (see the list below)</span>'
    return chips


def day_counts(counts: pd.DataFrame) -> dict[date, list[tuple[str, int, int]]]:
    """``calendar_counts`` rows as day → [(kind, items, of them overdue)], kinds in order."""
    days: dict[date, dict[str, list[int]]] = defaultdict(dict)
    for row in counts.itertuples(index=False):
        got = days[_as_date(row.due_on)].setdefault(str(row.kind), [0, 0])
        got[0] += int(row.items)
        got[1] += int(row.items) if bool(row.overdue) else 0
    order = list(SHORT_KIND)
    return {
        day: sorted(
            ((kind, n, late) for kind, (n, late) in kinds.items()),
            key=lambda k: order.index(k[0]) if k[0] in order else len(order),
        )
        for day, kinds in days.items()
    }


def _count_cell(counted: list[tuple[str, int, int]]) -> str:
    """A day of a large calendar: how many of each kind, in words (no list of names)."""
    lines = []
    for kind, n, late in counted:
        style = f"border-left-color: {KIND_COLOURS.get(kind, '#999999')}"
        css = "ube-chip ube-late" if late else "ube-chip"
        overdue = f", {late} overdue" if late else ""
        lines.append(
            f'<span class="{css}" style="{style}"><b>{n:,}</b> {escape(kind_label(kind))}'
            f"{overdue}</span>"
        )
    return "".join(lines)


def _day(
    day: date,
    rows: list[Any],
    counted: Mapping[date, list[tuple[str, int, int]]] | None,
    customers: Mapping[int, int],
    limit: int | None,
) -> tuple[int, str]:
    """(items due, cell HTML): names when every item is at hand, else counts per kind."""
    if counted is None:
        return len(rows), _cell(day, rows, customers, limit)
    kinds = counted.get(day, [])
    return sum(n for _kind, n, _late in kinds), _count_cell(kinds)


def legend() -> str:
    parts = "".join(
        f'<span style="border-left-color: {KIND_COLOURS[k]}">{escape(label)}</span>'
        for k, label in SHORT_KIND.items()
    )
    return f'<div class="ube-legend" aria-label="Kinds of item">{parts}</div>'


def month_grid(
    items: pd.DataFrame,
    *,
    year: int,
    month: int,
    today: date,
    customers: Mapping[int, int],
    counts: pd.DataFrame | None = None,
) -> str:
    """A Monday-first month table; each day lists what falls due on it. With ``counts``
    (``calendar_counts`` rows: a book too large to list), each day says how many of each
    kind fall due instead."""
    first, last = month_bounds(year, month)
    days = _by_day(items)
    counted = None if counts is None else day_counts(counts)
    head = "".join(f'<th scope="col">{d}</th>' for d in WEEKDAYS)
    body = []
    day = first
    while day <= last:
        cells = []
        for _ in range(7):
            classes = []
            if day.month != month:
                classes.append("ube-out")
            if day == today:
                classes.append("ube-today")
            due, cell = _day(day, days.get(day, []), counted, customers, MAX_PER_DAY)
            label = uk_date(day) + (" (today)" if day == today else "")
            count = f", {due} due" if due else ""
            cells.append(
                f'<td class="{" ".join(classes)}" aria-label="{label}{count}">'
                f'<div class="ube-day">{day.day}{" · Today" if day == today else ""}</div>'
                f"{cell}</td>"
            )
            day += timedelta(days=1)
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = date(year, month, 1).strftime("%B %Y")
    return (
        STYLE
        + f'<table class="ube-cal"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
        + f"<tbody>{''.join(body)}</tbody></table>"
        + legend()
    )


def week_grid(
    items: pd.DataFrame,
    *,
    day: date,
    today: date,
    customers: Mapping[int, int],
    counts: pd.DataFrame | None = None,
) -> str:
    """Monday to Sunday of the week holding ``day``, every item listed (with ``counts``:
    how many of each kind, as on the month grid)."""
    monday, sunday = week_bounds(day)
    days = _by_day(items)
    counted = None if counts is None else day_counts(counts)
    head = "".join(
        f'<th scope="col">{WEEKDAYS[i]} {uk_date(monday + timedelta(days=i))}</th>'
        for i in range(7)
    )
    cells = []
    for i in range(7):
        current = monday + timedelta(days=i)
        _due, cell = _day(current, days.get(current, []), counted, customers, None)
        css = "ube-today" if current == today else ""
        cells.append(f'<td class="{css}">{cell or "—"}</td>')
    caption = f"Week of {uk_date(monday)} to {uk_date(sunday)}"
    return (
        STYLE
        + f'<table class="ube-cal ube-week"><caption>{caption}</caption>'
        + f"<thead><tr>{head}</tr></thead><tbody><tr>{''.join(cells)}</tr></tbody></table>"
        + legend()
    )
