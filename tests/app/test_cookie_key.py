"""Production refuses to start without a cookie key of at least 32 bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ube_ui import runtime

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UBE_ENV", "production")
    monkeypatch.delenv("UBE_COOKIE_KEY", raising=False)
    with pytest.raises(runtime.ConfigError, match="UBE_COOKIE_KEY"):
        runtime.cookie_key()


def test_production_refuses_a_short_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UBE_ENV", "production")
    monkeypatch.setenv("UBE_COOKIE_KEY", "x" * 31)
    with pytest.raises(runtime.ConfigError, match="at least 32 bytes"):
        runtime.cookie_key()


def test_production_accepts_a_long_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UBE_ENV", "production")
    monkeypatch.setenv("UBE_COOKIE_KEY", "x" * 32)
    assert runtime.cookie_key() == "x" * 32


def test_development_generates_and_keeps_a_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("UBE_ENV", raising=False)
    monkeypatch.delenv("UBE_COOKIE_KEY", raising=False)
    monkeypatch.setattr(runtime, "DATA_DIR", tmp_path)
    first = runtime.cookie_key()
    assert len(first) >= 32
    assert runtime.cookie_key() == first
    assert (tmp_path / "cookie_key").stat().st_mode & 0o077 == 0


def test_the_app_says_why_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UBE_ENV", "production")
    monkeypatch.delenv("UBE_COOKIE_KEY", raising=False)
    monkeypatch.setenv("UBE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and "UBE_COOKIE_KEY" in at.error[0].value
    assert "\n" not in at.error[0].value
