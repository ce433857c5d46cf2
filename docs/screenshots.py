"""Screenshots of the dashboard and the review calendar for the README.

Loads the demo data set into a temporary SQLite database, starts the app headless, signs in
as a demo manager in Chromium (``/usr/bin/chromium``, never a downloaded browser) and saves
``docs/images/dashboard.png`` and ``docs/images/calendar.png``.

    uv run python docs/screenshots.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(url: str, deadline: float = 60.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the app did not start")


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=60_000)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(1500)


def open_page(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    settle(page)


def shoot(page: Page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main container, so grow the window."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": int(height) + 40})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def main() -> int:
    from ube_core.demo import DEMO_PASSWORD, load_demo
    from ube_core.storage.db import make_engine, migrate

    folder = Path(tempfile.mkdtemp(prefix="ube-shots-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    migrate(url)
    engine = make_engine(url)
    load_demo(engine, customers=200, today=date.today(), progress=False)
    with engine.connect() as conn:
        username = conn.execute(
            sa.text(
                "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                "WHERE r.role = 'manager' ORDER BY u.username LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()

    port = free_port()
    env = {**os.environ, "UBE_DATABASE_URL": url, "UBE_COOKIE_KEY": "s" * 48}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
            "--client.toolbarMode=viewer",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    IMAGES.mkdir(parents=True, exist_ok=True)
    try:
        wait_healthy(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base)
            settle(page)
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            settle(page)
            open_page(page, "Dashboard")
            page.get_by_text("Compliance exceptions").first.wait_for(timeout=60_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 12",
                timeout=60_000,
            )
            shoot(page, IMAGES / "dashboard.png")
            open_page(page, "Review calendar")
            page.locator("table.ube-cal").wait_for(timeout=60_000)
            shoot(page, IMAGES / "calendar.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"Saved {IMAGES / 'dashboard.png'} and {IMAGES / 'calendar.png'} (signed in as {username})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
