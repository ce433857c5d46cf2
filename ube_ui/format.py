"""UK formats for people: 24 Nov 2026."""

from __future__ import annotations

from datetime import date, datetime


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return f"{value.day} {value:%b %Y}"


def uk_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{uk_date(value)} {value:%H:%M}"
