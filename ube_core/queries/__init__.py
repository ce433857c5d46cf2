"""Read-side queries for the pages: every count and filter runs in SQL, results are small.

Each function takes the engine, keyword-only arguments, the acting ``user`` (checked for a
read role — officer, case roles or manager — as the database holds it now) and ``today``
where a rule depends on the day. None returns customers' special-category data; the
dashboard's equality view gives counts per recorded-needs group only.
"""

from .chronology import case_chronology
from .dashboard import Dashboard, dashboard
from .due import (
    CALENDAR_FIRST_ITEMS,
    CALENDAR_FULL_LIST,
    KINDS,
    calendar_counts,
    calendar_items,
    my_work,
    pending_decisions,
)
from .register import SORTS, STATUSES, RegisterPage, register_export, restriction_register
from .worklist import spoc_worklist

__all__ = [
    "CALENDAR_FIRST_ITEMS",
    "CALENDAR_FULL_LIST",
    "KINDS",
    "SORTS",
    "STATUSES",
    "Dashboard",
    "RegisterPage",
    "calendar_counts",
    "calendar_items",
    "case_chronology",
    "dashboard",
    "my_work",
    "pending_decisions",
    "register_export",
    "restriction_register",
    "spoc_worklist",
]
