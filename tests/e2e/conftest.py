"""Browser fixtures: Debian's Chromium driven by Playwright, the app served by ``streamlit run``.

- ``chromium``: the browser executable (/usr/bin/chromium, or ``UBE_CHROMIUM``). Missing, the
  browser tests skip — and fail under ``UBE_REQUIRE_ALL=1``. A browser is never downloaded.
- ``browser``: one headless Chromium for the session. Playwright's ``launch`` gives every
  launch a fresh, temporary user-data directory; each test opens its own contexts (fresh
  cookies and storage), one per person signing in.
- ``demo_db``: a migrated SQLite database holding the demo data set, built once; every
  server gets its own copy. ``demo_staff`` names a demo user for each role.
- ``serve``: starts ``streamlit run app.py`` on a free localhost port against a database;
  every server started is stopped when the test (or module, for ``serve_module``) ends.
- ``axe_source``: axe-core from the npm registry, fetched once with ``npm pack`` into
  artifacts/.cache.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import skip_or_fail

from .server import ARTIFACTS, AppServer

CHROMIUM = Path(os.environ.get("UBE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
AXE_VERSION = "4.14.1"
DEMO_CUSTOMERS = 60
LONDON = ZoneInfo("Europe/London")


def london_today() -> datetime:
    return datetime.now(LONDON)


# -- the browser -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> Path:
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright_session(chromium: Path) -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, chromium: Path) -> Iterator[Browser]:
    b = playwright_session.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield b
    finally:
        b.close()


NewContext = Callable[[], BrowserContext]


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(60_000)
    return context


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[NewContext]:
    """A fresh browser context per call (one per person); all closed after the test. When
    the test fails, each open page is saved to artifacts/e2e/failures/ first."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        made.append(_context(browser))
        return made[-1]

    yield make
    if request.node.stash.get(FAILED, False):
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in request.node.name)[:80]
        for i, page in enumerate(p for context in made for p in context.pages):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(folder / f"{name}-{i}.png"))
    for context in made:
        context.close()


@pytest.fixture(scope="module")
def module_context(browser: Browser) -> Iterator[NewContext]:
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        made.append(_context(browser))
        return made[-1]

    yield make
    for context in made:
        context.close()


# -- databases -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the demo data set (built once per session)."""
    from ube_core.demo import load_demo
    from ube_core.storage.db import make_engine, migrate

    path = tmp_path_factory.mktemp("demo") / "ube.db"
    url = f"sqlite:///{path}"
    migrate(url)
    engine = make_engine(url)
    try:
        load_demo(engine, customers=DEMO_CUSTOMERS, today=london_today().date(), progress=False)
    finally:
        engine.dispose()
    return path


def copy_db(source: Path, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "ube.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def demo_staff(demo_db: Path) -> dict[str, str]:
    """role → username of a demo user holding exactly that role (``admin`` included)."""
    engine = create_engine(f"sqlite:///{demo_db}", poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT u.username, group_concat(r.role) FROM app_user u "
                "JOIN user_role r ON r.user_id = u.id GROUP BY u.id ORDER BY u.id"
            )
        ).all()
    engine.dispose()
    staff: dict[str, str] = {}
    for username, roles in rows:
        if "," not in roles:
            staff.setdefault(roles, username)
    return staff


# -- servers ---------------------------------------------------------------------------------
Serve = Callable[..., AppServer]


def _serving() -> tuple[Serve, list[AppServer]]:
    started: list[AppServer] = []

    def serve(name: str, database_url: str, **kwargs: object) -> AppServer:
        server = AppServer(name=name, database_url=database_url, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server.start()

    return serve, started


@pytest.fixture
def serve() -> Iterator[Serve]:
    fn, started = _serving()
    yield fn
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def serve_module() -> Iterator[Serve]:
    fn, started = _serving()
    yield fn
    for server in started:
        server.stop()


# -- axe-core --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from the npm registry (``npm pack axe-core``), cached under artifacts/."""
    cache = ARTIFACTS.parent / ".cache" / f"axe-core-{AXE_VERSION}"
    script = cache / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            skip_or_fail("npm not found: axe-core comes from the npm registry")
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                timeout=180,
            )
            tarballs = list(Path(tmp).glob("axe-core-*.tgz"))
            if done.returncode != 0 or not tarballs:
                skip_or_fail(f"npm pack axe-core@{AXE_VERSION} failed: {done.stderr[-500:]}")
            with tarfile.open(tarballs[0]) as tar:
                member = tar.extractfile("package/axe.min.js")
                assert member is not None
                cache.mkdir(parents=True, exist_ok=True)
                script.write_bytes(member.read())
    return script.read_text()
