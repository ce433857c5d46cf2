"""Shared fixtures and hooks for the whole test suite.

``UBE_REQUIRE_ALL=1`` (set by CI): a test that cannot run here — no PostgreSQL server
binaries, no browser — fails instead of being skipped, and any skipped test fails the
session.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def require_all() -> bool:
    """True when every test must really run (``UBE_REQUIRE_ALL=1``)."""
    return os.environ.get("UBE_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test for a missing prerequisite, or fail it when ``UBE_REQUIRE_ALL=1``."""
    if require_all():
        pytest.fail(f"{reason} (UBE_REQUIRE_ALL=1: not skipping)", pytrace=False)
    pytest.skip(reason)


# --- Streamlit ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest re-detects the pages/ folder on every run and then runs page files
    directly; the app routes with st.navigation only.

    Streamlit is imported lazily so that unit tests do not pay for it.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


# --- PostgreSQL -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL 15 cluster for the test session; yields its SQLAlchemy URL.

    As root, initdb and pg_ctl run as the ``postgres`` system user (initdb refuses root).
    """
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        skip_or_fail(f"PostgreSQL server binaries not found in {PG_BIN} (no {initdb})")
    root = Path(tempfile.mkdtemp(prefix="ube-pgtest-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    pre = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if pre:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    pg_ctl = str(PG_BIN / "pg_ctl")
    try:
        subprocess.run(
            [
                *pre,
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                *pre,
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-t",
                "30",
                "-l",
                str(root / "log"),
                "-o",
                f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*pre, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


# --- UBE_REQUIRE_ALL: no silent skips -------------------------------------------------------

# Node ids of everything skipped this session (collection and tests).
_SKIPPED: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _SKIPPED.clear()


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # A module skipped at import (pytest.importorskip, allow_module_level=True).
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # Skips from setup (fixtures, skip markers) and from the test body; xfail is not a skip.
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if require_all() and _SKIPPED and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if require_all() and _SKIPPED:
        terminalreporter.section("UBE_REQUIRE_ALL=1: skipped tests fail the run", red=True)
        for nodeid in _SKIPPED:
            terminalreporter.line(f"SKIPPED (not allowed) {nodeid}", red=True)
