"""Export bytes from query results: CSV, Excel (openpyxl) and iCalendar (.ics).

Pure functions: a DataFrame in, bytes out; the time stamp of an iCalendar file is a parameter
(no clock here). Column headings are the ones people read on the pages.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from icalendar import Calendar, Event
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from ube_core.procedure.deadlines import DUE_LABELS, Due

# The register's export: query column -> heading, in this order.
REGISTER_HEADINGS: dict[str, str] = {
    "tenancy_ref": "Tenancy ref",
    "customer_name": "Customer",
    "team": "Team",
    "types": "Restriction types",
    "allowed_channels": "Allowed channels",
    "spoc": "SPOC",
    "start_on": "Start",
    "end_on": "End",
    "case_review_due": "Next review",
    "eia_review_due": "EIA review",
    "appeal_status": "Appeal",
    "breaches": "Breaches since start",
    "status": "Status",
    "days_overdue": "Review overdue (days)",
    "restriction_id": "Restriction id",
    "case_id": "Case id",
    "customer_id": "Customer id",
}

KIND_LABELS: dict[str, str] = {
    **{due.value: DUE_LABELS[due] for due in Due},
    "recommendation": "SPOC review recommendation (§6)",
}

_RED = "C62828"
_CTRL = {i: None for i in (*range(0, 9), 11, 12, *range(14, 32))}


def _clean(value: Any) -> Any:
    """Text safe for XML (Excel) and for spreadsheet formulas (no leading =, +, -, @)."""
    if not isinstance(value, str):
        return value
    value = value.translate(_CTRL)
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _headed(rows: pd.DataFrame, headings: Mapping[str, str] | None) -> pd.DataFrame:
    if headings is None:
        return rows.copy()
    present = [c for c in headings if c in rows.columns]
    return rows.loc[:, present].rename(columns={c: headings[c] for c in present})


def to_csv(rows: pd.DataFrame, *, headings: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens it with the right encoding); dates ISO."""
    table = _headed(rows, headings)
    table = table.apply(lambda column: column.map(_clean)) if len(table) else table
    text: str = table.to_csv(index=False)
    return text.encode("utf-8-sig")


def to_xlsx(
    rows: pd.DataFrame,
    *,
    headings: Mapping[str, str] | None = None,
    sheet: str = "Export",
    title: str | None = None,
    flag_column: str | None = None,
) -> bytes:
    """An Excel workbook: one sheet, a bold frozen header row with filters, real date cells
    shown as 24 Nov 2026. Rows where ``flag_column`` (a query column) is truthy get red
    text in that column; the column's own words carry the meaning."""
    table = _headed(rows, headings)
    flagged_heading = (
        (headings or {}).get(flag_column, flag_column) if flag_column is not None else None
    )
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    first = 1
    if title:
        ws.cell(row=1, column=1, value=_clean(title)).font = Font(bold=True, size=13)
        first = 3
    columns = list(table.columns)
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=first, column=j, value=str(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EAF6")
    widths = [len(str(name)) for name in columns]
    for i, record in enumerate(table.itertuples(index=False), start=first + 1):
        for j, value in enumerate(record, start=1):
            value = _cell(value)
            cell = ws.cell(row=i, column=j, value=_clean(value))
            if isinstance(value, date):
                cell.number_format = "d mmm yyyy"
                widths[j - 1] = max(widths[j - 1], 11)
            else:
                widths[j - 1] = max(widths[j - 1], min(60, len(str(value or ""))))
            if flagged_heading is not None and columns[j - 1] == flagged_heading and value:
                cell.font = Font(bold=True, color=_RED)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width + 2
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    if columns:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{first}:{last}{max(first, first + len(table))}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Plain Python values for openpyxl (no NaN, no numpy, no pandas timestamps)."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def register_csv(rows: pd.DataFrame) -> bytes:
    return to_csv(rows, headings=REGISTER_HEADINGS)


def register_xlsx(rows: pd.DataFrame, *, title: str | None = None) -> bytes:
    return to_xlsx(
        rows,
        headings=REGISTER_HEADINGS,
        sheet="Restriction register",
        title=title,
        flag_column="days_overdue",
    )


def calendar_ics(
    items: pd.DataFrame,
    *,
    stamp: datetime,
    name: str = "UBE reviews and deadlines",
    link: str | None = None,
) -> bytes:
    """An iCalendar file of ``calendar_items`` rows: one all-day event each.

    Each event's UID is the item's own (``ube-<kind>-<entity>-<id>@ube``), so a second export
    of the same items imports as updates, not duplicates; ``stamp`` (timezone-aware) is the
    DTSTAMP. ``link``, when given, is the address of UBE, put in each description."""
    if stamp.tzinfo is None:
        raise ValueError("stamp must be timezone-aware")
    cal = Calendar()
    cal.add("prodid", "-//UBE//Unacceptable Behaviour case management//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for row in items.itertuples(index=False):
        due = _as_date(row.due_on)
        kind = str(row.kind)
        label = KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
        event = Event()
        event.add("uid", str(row.uid))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        prefix = "OVERDUE: " if bool(row.overdue) else ""
        event.add("summary", f"{prefix}{_title(row)} – {row.customer_name}")
        lines = [
            label,
            f"Customer: {row.customer_name}",
            f"Case: {row.case_id}",
            f"Owner: {_text(row.owner_name) or 'not assigned'}",
        ]
        if link:
            lines.append(f"Open UBE: {link}")
        event.add("description", "\n".join(lines))
        event.add("categories", [label])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())


def _text(value: Any) -> str:
    """A text cell as a string: '' for None and for pandas' missing values."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return str(value)


def _title(row: Any) -> str:
    return _text(row.title) or KIND_LABELS.get(str(row.kind), str(row.kind))


def _as_date(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        day: date = value.date()
        return day
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def ics_uids(data: bytes) -> list[str]:
    """The UIDs of the events in an iCalendar file (for checks and tests)."""
    cal = Calendar.from_ical(data)
    return [str(component["uid"]) for component in cal.walk("VEVENT")]


__all__: Sequence[str] = (
    "KIND_LABELS",
    "REGISTER_HEADINGS",
    "calendar_ics",
    "ics_uids",
    "register_csv",
    "register_xlsx",
    "to_csv",
    "to_xlsx",
)
