"""The edge: the one place the app reads the clock, the environment and builds the engine."""

from __future__ import annotations

import os
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.engine import Engine

from ube_core.config import DATA_DIR, TIMEZONE, database_url
from ube_core.storage.db import make_engine, migrate

LONDON = ZoneInfo(TIMEZONE)
DATABASE_DOWN = (
    "The database can't be reached just now. Your last change may not have been saved; "
    "try again in a minute."
)
MIN_KEY_BYTES = 32


def engine() -> Engine:
    """The engine for the configured database, migrated to head once per process."""
    return _engine_for(database_url())


@st.cache_resource(show_spinner="Opening the database…")
def _engine_for(url: str) -> Engine:
    migrate(url)
    return make_engine(url)


def now() -> datetime:
    return datetime.now(LONDON)


def today() -> date:
    return now().date()


def idle_minutes() -> int:
    try:
        return max(1, int(os.environ.get("UBE_IDLE_MINUTES", "30")))
    except ValueError:
        return 30


class ConfigError(RuntimeError):
    """A setting the app cannot start without; the message is one line saying why."""


def cookie_key() -> str:
    """``UBE_COOKIE_KEY``, then ``.streamlit/secrets.toml`` ``cookie_key``; in development a
    random key kept in ``data/``. Production refuses to start without a 32-byte key."""
    key = os.environ.get("UBE_COOKIE_KEY", "")
    if not key:
        try:
            key = str(st.secrets.get("cookie_key", ""))
        except Exception:  # no secrets file at all
            key = ""
    production = os.environ.get("UBE_ENV", "").lower() == "production"
    if key:
        if production and len(key.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"UBE_COOKIE_KEY must be at least {MIN_KEY_BYTES} bytes in production."
            )
        return key
    if production:
        raise ConfigError(
            "UBE_ENV=production needs UBE_COOKIE_KEY (at least 32 bytes) or cookie_key in "
            ".streamlit/secrets.toml."
        )
    path = DATA_DIR / "cookie_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def clear_reads() -> None:
    """After any write: cached reads are stale."""
    st.cache_data.clear()


def drop_connections() -> None:
    """After the database could not be reached: close every pooled connection, so that the
    next run connects afresh (PostgreSQL restarted, network back)."""
    try:
        cached = engine()
    except Exception:  # still unreachable: nothing pooled to drop
        return
    cached.dispose()
