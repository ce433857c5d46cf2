"""Presentation helpers shared by the oversight pages: labels, due-date wording, flags, links.

Pure functions turn query frames into the tables people read; ``open_case`` and
``selected_row`` are the only Streamlit calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from ube_core.procedure import Channel, RestrictionType, Role

from .format import uk_date

CUSTOMER_PAGE = "pages/customer.py"
DECISIONS_PAGE = "pages/decisions.py"
SPOC_PAGE = "pages/spoc_oversight.py"
SPOC_PAGE_ROLES = frozenset({Role.LINE_MANAGER, Role.CASE_MANAGER, Role.SENIOR_OFFICER})

SHORT_KIND = {
    "case_review": "Case review",
    "eia_review": "EIA review",
    "appeal_deadline": "Appeal deadline",
    "appeal_decision": "Appeal decision",
    "reconsideration_decision": "Reconsideration decision",
    "spoc_review": "SPOC review",
    "restriction_end": "Restriction ends",
    "recommendation": "Recommendation",
}
STATUS_LABELS = {"active": "Active", "ended": "Ended", "lapsed": "Lapsed"}
SPOC_STATUS_LABELS = {"signed_off": "Signed off", "due": "Due", "overdue": "Overdue"}
TYPE_LABELS = {t.value: t.label for t in RestrictionType}
CHANNEL_LABELS = {c.value: c.label for c in Channel}
DATE_FORMAT = "D MMM YYYY"  # st.column_config: 24 Nov 2026


def text(value: Any, default: str = "") -> str:
    """A text cell for people: ``default`` for None and for pandas' missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return default
    return str(value) or default


def kind_label(kind: str) -> str:
    return SHORT_KIND.get(kind, kind.replace("_", " ").capitalize())


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def due_text(due_on: date, today: date, *, overdue: bool) -> str:
    """'Overdue by 3 days', 'Due today', 'Due in 5 days' or, for a customer's deadline
    that has passed, 'Passed 2 days ago'."""
    delta = (due_on - today).days
    if overdue:
        return f"Overdue by {days(-delta)}"
    if delta < 0:
        return f"Passed {days(-delta)} ago"
    if delta == 0:
        return "Due today"
    return f"Due in {days(delta)}"


def labels(value: Any, names: Mapping[str, str]) -> str:
    """'spoc,written_only' -> 'Single point of contact (SPOC); Contact in writing only'."""
    parts = [p for p in text(value).split(",") if p]
    return "; ".join(names.get(p, p) for p in parts) or "—"


def appeal_label(value: Any) -> str:
    value = text(value, "none")
    if value == "none":
        return "None"
    if value == "pending":
        return "Pending decision"
    if value.startswith("decided-"):
        outcome = value.removeprefix("decided-") or "decided"
        return f"Decided: {outcome}"
    return value


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        day: date = value.date()
        return day
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def register_flag(row: Any, today: date) -> str:
    """Why a register row needs attention (§10), in words: empty when nothing is wrong."""
    if row.status == "ended":
        return ""
    flags = []
    end_on = _as_date(row.end_on)
    if row.status == "lapsed" and end_on is not None:
        flags.append(
            f"Lapsed: past its end ({uk_date(end_on)}) for {days((today - end_on).days)} "
            "without a review or lift"
        )
    if int(row.days_overdue or 0) > 0:
        flags.append(f"Review overdue by {days(int(row.days_overdue))}")
    eia = _as_date(row.eia_review_due)
    if row.status == "active" and eia is not None and eia < today:
        flags.append(f"EIA review overdue by {days((today - eia).days)}")
    return "; ".join(flags)


REGISTER_VIEW_COLUMNS = (
    "Customer",
    "Tenancy ref",
    "Team",
    "Types",
    "Allowed channels",
    "SPOC",
    "Temporary SPOC",
    "Start",
    "End",
    "Next review",
    "EIA review",
    "Appeal",
    "Breaches",
    "Status",
    "Attention",
)


def register_view(rows: pd.DataFrame, cover: pd.DataFrame, today: date) -> pd.DataFrame:
    """The register page's table: people's words, UK-formatted by the column config."""
    by_id = {int(r.restriction_id): r for r in cover.itertuples(index=False)}
    records = []
    for row in rows.itertuples(index=False):
        spoc = by_id.get(int(row.restriction_id))
        temporary = ""
        if spoc is not None and text(spoc.temporary_spoc):
            since = uk_date(_as_date(spoc.temporary_since))
            temporary = f"{text(spoc.temporary_spoc)} (since {since})"
        records.append(
            (
                row.customer_name,
                row.tenancy_ref,
                text(row.team, "—"),
                labels(row.types, TYPE_LABELS),
                labels(row.allowed_channels, CHANNEL_LABELS),
                text(spoc.spoc if spoc is not None else row.spoc, "—"),
                temporary,
                _as_date(row.start_on),
                _as_date(row.end_on),
                _as_date(row.case_review_due),
                _as_date(row.eia_review_due),
                appeal_label(row.appeal_status),
                int(row.breaches),
                STATUS_LABELS.get(str(row.status), str(row.status)),
                register_flag(row, today),
            )
        )
    return pd.DataFrame(records, columns=list(REGISTER_VIEW_COLUMNS))


def items_view(
    items: pd.DataFrame, today: date, *, with_owner: bool = True, with_why: bool = False
) -> pd.DataFrame:
    """Calendar or work items as a table: when, what, whose, and how late in words."""
    records = []
    for row in items.itertuples(index=False):
        due = _as_date(row.due_on)
        assert due is not None
        record: dict[str, Any] = {
            "Due": due,
            "When": due_text(due, today, overdue=bool(row.overdue)),
            "What": kind_label(str(row.kind)),
            "Customer": row.customer_name,
            "Details": row.title,
        }
        if with_owner:
            record["Owner"] = text(getattr(row, "owner_name", None), "Not assigned")
        if with_why:
            record["Yours as"] = text(getattr(row, "why", None))
        records.append(record)
    columns = ["Due", "When", "What", "Customer", "Details"]
    columns += ["Owner"] if with_owner else []
    columns += ["Yours as"] if with_why else []
    return pd.DataFrame(records, columns=columns)


def attention_style(table: pd.DataFrame, column: str, *, when: str | None = None) -> Any:
    """A Styler that shows ``column`` in bold red where it has text (or equals ``when``);
    the words themselves carry the meaning."""

    def colour(value: Any) -> str:
        hit = bool(value) if when is None else str(value).startswith(when)
        return "color: #B71C1C; font-weight: 600" if hit else ""

    return table.style.map(colour, subset=[column])


def destination(kind: str, roles: frozenset[Role]) -> str:
    """Where an item of ``kind`` is done, among the pages the user may open."""
    if kind in ("appeal_decision", "reconsideration_decision") and Role.SENIOR_OFFICER in roles:
        return DECISIONS_PAGE
    if kind in ("spoc_review", "recommendation") and roles & SPOC_PAGE_ROLES:
        return SPOC_PAGE
    return CUSTOMER_PAGE


def date_column(label: str) -> Any:
    return st.column_config.DateColumn(label, format=DATE_FORMAT)


def selected_row(event: Any) -> int | None:
    """The row picked in an ``st.dataframe(on_select="rerun")``, or None."""
    try:
        rows = event.selection.rows
    except AttributeError:
        try:
            rows = event["selection"]["rows"]
        except (KeyError, TypeError):
            return None
    return int(rows[0]) if rows else None


def open_case(customer_id: int) -> None:
    """Go to the customer's case page: it reads ``st.session_state["customer_id"]`` and
    ``?customer=`` (which also makes the address a link to the case)."""
    st.session_state["customer_id"] = int(customer_id)
    st.switch_page(CUSTOMER_PAGE, query_params={"customer": str(int(customer_id))})


def go(path: str, *, customer_id: int | None = None) -> None:
    if path == CUSTOMER_PAGE and customer_id is not None:
        open_case(customer_id)
    st.switch_page(path)
