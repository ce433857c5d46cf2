"""Settings read from the environment (the edge); everything else takes them as parameters."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
TIMEZONE = "Europe/London"


def database_url() -> str:
    """``UBE_DATABASE_URL``, or the embedded SQLite database in ``data/ube.db``."""
    url = os.environ.get("UBE_DATABASE_URL", "").strip()
    if url:
        return url
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'ube.db'}"
