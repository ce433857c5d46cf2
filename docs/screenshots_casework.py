"""Screenshots of the incident form and the case page for the README.

Loads the demo data set into a temporary SQLite database, starts the app headless, signs in
as a demo case manager in Chromium (``/usr/bin/chromium``, never a downloaded browser), fills
in the incident form for a customer with an active restriction (without saving it) and opens
that customer's case page with the restriction form open. Saves
``docs/images/incident-form.png`` and ``docs/images/case-page.png``.

    uv run python docs/screenshots_casework.py
"""

from __future__ import annotations

import os
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
WIDTH = 1400


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
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=90_000)
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(1000)


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option).first.click()


def shoot(page: Page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main container, so grow the window."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": WIDTH, "height": min(int(height) + 120, 4000)})
    page.wait_for_timeout(1000)
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": 1000})


def sign_in(page: Page, username: str, password: str) -> None:
    for attempt in range(4):  # the form may be redrawn while the page is still loading
        try:
            page.get_by_label("Username").last.fill(username)
            page.get_by_label("Password", exact=True).last.fill(password)
            page.get_by_role("button", name="Sign in").last.click()
            page.get_by_text("Good to see you").wait_for(timeout=30_000)
            return
        except Exception:
            if attempt == 3:
                raise
            settle(page)


def main() -> int:
    from ube_core.demo import DEMO_PASSWORD, load_demo
    from ube_core.storage.db import make_engine, migrate

    folder = Path(tempfile.mkdtemp(prefix="ube-shots-"))
    url = f"sqlite:///{folder / 'demo.db'}"
    migrate(url)
    engine = make_engine(url)
    today = date.today()
    load_demo(engine, customers=200, today=today, progress=False)
    with engine.connect() as conn:
        username = conn.execute(
            sa.text(
                "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                "WHERE r.role = 'case_manager' ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()
        # a customer with an active SPOC restriction, so the warning marker shows
        customer = conn.execute(
            sa.text(
                "SELECT c.name FROM restriction r JOIN customer c ON c.id = r.customer_id "
                "WHERE r.ended_on IS NULL AND r.start_on <= :d AND r.end_on >= :d "
                "AND r.spoc_name IS NOT NULL ORDER BY r.end_on DESC, c.id LIMIT 1"
            ),
            {"d": today},
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
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000})
            page.goto(base)
            settle(page)
            sign_in(page, username, DEMO_PASSWORD)
            settle(page)

            page.get_by_role("link", name="Log an incident").first.click()
            settle(page)
            page.get_by_placeholder("Name, tenancy reference or address").fill(customer)
            page.keyboard.press("Enter")
            settle(page)
            choose(page, "Matching customers", customer)
            settle(page)
            page.get_by_text("Contact restricted").first.wait_for(timeout=60_000)
            choose(page, "Kind of behaviour (§3) *", "Aggressive or abusive behaviour")
            settle(page)
            choose(page, "How was the customer in contact? *", "Telephone")
            choose(
                page,
                "What the customer did: the example from §3 that fits best *",
                "Persistent swearing and/or shouting",
            )
            choose(page, "Severity *", "Moderate")
            page.get_by_label("What happened *").fill(
                "Customer phoned the repairs line and shouted and swore at the call handler "
                "when told the repair was not an emergency."
            )
            page.get_by_text("The colleague ended the contact").click()
            settle(page)
            shoot(page, IMAGES / "incident-form.png")

            page.get_by_role("link", name="Customer & case").first.click()
            settle(page)
            page.get_by_text("Available today").first.wait_for(timeout=60_000)
            page.get_by_text("Restrict contact").first.click()
            settle(page)
            shoot(page, IMAGES / "case-page.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"Saved {IMAGES / 'incident-form.png'} and {IMAGES / 'case-page.png'} "
        f"(signed in as {username}, customer {customer})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
