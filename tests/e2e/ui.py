"""Driving the Streamlit app in Chromium the way a person does: labels, buttons, the sidebar.

Streamlit redraws the page after every interaction; ``settle`` waits until the script has
finished and stayed finished for a moment (the sign-in cookie component triggers one more
run shortly after the first), so that the next click lands on the final page.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .server import ARTIFACTS, ROOT, AppServer

APP = '[data-testid="stApp"]'
IMAGES = ROOT / "docs" / "images"
WAIT_MS = 90_000  # Playwright timeout for anything the app draws
# An open list marks the rest of the page aria-hidden, so role locators stop finding it:
# widgets are found with CSS and their visible label instead.
COMBO = 'input[role="combobox"]'

# Text that must never reach a person: a Python trace or Streamlit's exception box.
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.")


def settle(page: Page, *, quiet: float = 0.6, timeout: float = 120.0) -> None:
    """Wait until the app is connected and its script has not run for ``quiet`` seconds."""
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=WAIT_MS)
    deadline = time.monotonic() + timeout
    calm_since: float | None = None
    while time.monotonic() < deadline:
        state = page.locator(APP).first.get_attribute("data-test-script-state")
        busy = state != "notRunning" or page.locator('[data-testid="stStatusWidget"]').count()
        now = time.monotonic()
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError(f"the app kept running for {timeout:.0f} s ({page.url})")


def open_app(context: BrowserContext, server: AppServer, path: str = "/") -> Page:
    page = context.new_page()
    goto(page, server, path)
    return page


def goto(page: Page, server: AppServer, path: str = "/") -> None:
    page.goto(server.url + path, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=WAIT_MS)
    settle(page)


def main(page: Page) -> Locator:
    """The page's own content, without the sidebar."""
    return page.locator('[data-testid="stMain"]')


def text(page: Page) -> str:
    return page.locator("body").inner_text()


def assert_no_trace(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, "an exception box shows"
    body = text(page)
    for marker in TRACE_MARKERS:
        assert marker not in body, f"a trace reaches the person: {marker!r}"


def sign_in_form_visible(page: Page) -> bool:
    return page.get_by_role("button", name="Sign in", exact=True).count() > 0


def sign_in(page: Page, username: str, password: str) -> None:
    """Fill the sign-in form and wait for the signed-in app (the sidebar's Sign out)."""
    attempt_sign_in(page, username, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=WAIT_MS)
    settle(page)


def attempt_sign_in(page: Page, username: str, password: str) -> None:
    settle(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    expect(page.get_by_label("Username")).to_have_value(username)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=WAIT_MS)
    settle(page)


def nav_titles(page: Page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    titles = []
    for i in range(links.count()):
        span = links.nth(i).locator('[data-testid="stSidebarNavLink"] span, span').last
        titles.append(span.inner_text().strip())
    return titles


def go_to(page: Page, title: str) -> None:
    """Open a page from the sidebar, as a person would."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    link = nav.locator("a").filter(has=page.get_by_text(title, exact=True))
    expect(link).to_have_count(1, timeout=WAIT_MS)
    link.click()
    settle(page)


# -- widgets, found by their visible label --------------------------------------------------
def widget(scope: Page | Locator, testid: str, label: str) -> Locator:
    """The Streamlit widget of kind ``testid`` (e.g. ``stSelectbox``) whose label is ``label``."""
    root = scope if isinstance(scope, Page) else scope.page
    # An inner locator is matched inside each candidate, so it is built from the page.
    found = scope.locator(f'[data-testid="{testid}"]').filter(
        has=root.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
    )
    expect(found.first).to_be_visible(timeout=WAIT_MS)
    return found.first


def _pick(page: Page, combo: Locator, option: str) -> None:
    """Type into a combo box to filter its list, then click the option with that exact name."""
    combo.click()
    combo.fill("")
    combo.press_sequentially(option[:40], delay=20)
    wanted = page.get_by_role("option", name=option, exact=True)
    try:
        wanted.first.wait_for(timeout=3_000)
    except PlaywrightTimeout:
        combo.press("ArrowDown")
    wanted.first.click()


def choose(page: Page, label: str, option: str, *, scope: Page | Locator | None = None) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    box = widget(scope or page, "stSelectbox", label)
    _pick(page, box.locator(COMBO), option)
    settle(page)


def choose_many(
    page: Page, label: str, options: list[str], *, scope: Page | Locator | None = None
) -> None:
    """Pick each of ``options`` in the multiselect labelled ``label``."""
    box = widget(scope or page, "stMultiSelect", label)
    for option in options:
        _pick(page, box.locator(COMBO), option)
    page.keyboard.press("Escape")
    settle(page)


def pick_radio(page: Page, label: str, option: str, *, scope: Page | Locator | None = None) -> None:
    """Choose the radio button whose text starts with ``option`` in the group ``label``."""
    group = (scope or page).get_by_role("radiogroup", name=label, exact=True)
    expect(group).to_be_visible(timeout=WAIT_MS)
    group.locator("label").filter(has_text=option).first.click()
    settle(page)


def tick(page: Page, label: str, *, scope: Page | Locator | None = None, on: bool = True) -> None:
    box = (scope or page).get_by_role("checkbox", name=label, exact=True)
    if box.is_checked() != on:
        (scope or page).locator('[data-testid="stCheckbox"]').filter(has_text=label).locator(
            "label"
        ).first.click()
    settle(page)


def fill_date(page: Page, box: Locator, day: date) -> None:
    """Type a date into a date input (Streamlit 1.67 draws day, month and year segments)."""
    segments = box.locator('[role="spinbutton"]')
    if segments.count():
        segments.first.click()
        page.keyboard.type(day.strftime("%d%m%Y"), delay=30)
    else:
        field = box.locator("input").first
        field.fill(day.strftime("%d/%m/%Y"))
        field.press("Enter")
    page.keyboard.press("Escape")
    settle(page)


def shot(page: Page, name: str, *, readme: str | None = None) -> Path:
    """Save a full-page screenshot to artifacts/e2e/<name>.png.

    ``readme``: the file name under docs/images/ this screenshot is published as; copied
    there only when ``UBE_UPDATE_SCREENSHOTS=1`` (so that a test run never changes docs/).
    """
    settle(page)
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its main container, not the document: grow the window to
    # the content's height for the picture, then put it back.
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
            '[data-testid="stMain"], [data-testid="stSidebarContent"]')
        ].map(e => e.scrollHeight))"""
    )
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(size["height"], height), 6000)}
    )
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    if readme:
        target = IMAGES / readme
        if os.environ.get("UBE_UPDATE_SCREENSHOTS") == "1":
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return path


def choose_first(
    page: Page, label: str, containing: str = "", *, scope: Page | Locator | None = None
) -> str:
    """Pick the first option of a select box (containing ``containing``); its text."""
    box = widget(scope or page, "stSelectbox", label)
    combo = box.locator(COMBO)
    combo.click()
    combo.press("ArrowDown")
    option = page.get_by_role("option")
    if containing:
        option = option.filter(has_text=containing)
    picked = option.first.inner_text()
    option.first.click()
    settle(page)
    return picked


def find_customer(page: Page, search: str, *, pick: str | None = None) -> None:
    """The customer picker of the case-work pages: search, then choose from the matches."""
    box = page.get_by_label("Find a customer", exact=True)
    box.fill(search)
    box.press("Enter")
    matches = page.locator('[data-testid="stSelectbox"]').filter(has_text="Matching customers")
    expect(matches.first).to_be_visible(timeout=WAIT_MS)
    settle(page)
    combo = matches.first.locator(COMBO)
    combo.click()
    combo.press("ArrowDown")
    option = page.get_by_role("option").filter(has_text=pick or search)
    option.first.click()
    settle(page)
