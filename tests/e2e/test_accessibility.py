"""Accessibility: axe-core (from the npm registry) on every page, as each role sees it; the
dashboard's charts have text alternatives; signing in and moving between pages work from the
keyboard alone.

axe runs the WCAG 2.0/2.1 A and AA rules; a screenshot of every page visited is kept in
artifacts/e2e/page-<role>-<page>.png. No serious or critical violation is allowed.
``STREAMLIT_INTERNAL`` lists the only exclusions: markup that Streamlit itself draws and our
pages cannot change, each with the rule and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ube_core.demo import DEMO_PASSWORD

from .conftest import NewContext, Serve, copy_db
from .server import ARTIFACTS, AppServer
from .ui import WAIT_MS, find_customer, go_to, main, open_app, settle, shot, sign_in

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# Streamlit's own markup that our pages cannot change: (rule id, the Streamlit container the
# node is in) → why. Only that rule, only inside that container, is let through.
STREAMLIT_INTERNAL: dict[tuple[str, str], str] = {
    ("list", '[data-testid="stSidebarNav"]'): (
        "st.navigation with sections draws each section's heading as a direct child of the "
        "<ul> of its links (Streamlit 1.67 sidebar); the links themselves are a list"
    ),
    ("listitem", '[data-testid="stSidebarNav"]'): (
        "the same sidebar: a section's <li> items sit in a wrapper <div>, not directly in <ul>"
    ),
}

ADMIN_PAGES = ["My work", "Users", "Audit log", "Letter templates"]
CASE_PAGES = [
    "My work",
    "Log an incident",
    "Contact screening",
    "Customer & case",
    "Appeals queue",
    "Restriction register",
    "Review calendar",
    "SPOC oversight",
    "Dashboard",
]


@pytest.fixture(scope="module")
def server(
    serve_module: Serve,
    demo_db: Path,
    tmp_path_factory: pytest.TempPathFactory,
    chromium: Path,
) -> AppServer:
    return serve_module("a11y", copy_db(demo_db, tmp_path_factory.mktemp("a11y")))


def first_ref(db: Path) -> str:
    """The tenancy reference of the first demo customer (one with a long history)."""
    engine = create_engine(f"sqlite:///{db}", poolclass=NullPool)
    with engine.connect() as conn:
        ref = conn.execute(
            text("SELECT tenancy_ref FROM customer ORDER BY id LIMIT 1")
        ).scalar_one()
    engine.dispose()
    return str(ref)


@pytest.fixture(scope="module")
def findings() -> Iterator[dict[str, Any]]:
    """Everything axe reported (blocking or not), kept in artifacts/e2e/axe.json."""
    found: dict[str, Any] = {}
    yield found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    settle(page)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _inside(page: Page, target: list[Any], container: str) -> bool:
    selector = " ".join(str(t) for t in target) if len(target) == 1 else str(target[0])
    inside: bool = page.evaluate(
        "([sel, box]) => { const e = document.querySelector(sel); "
        "return !!(e && e.closest(box)); }",
        [selector, container],
    )
    return inside


def check(page: Page, name: str, axe_source: str, findings: dict[str, Any]) -> None:
    """Run axe; fail on a serious or critical violation that is not Streamlit's own
    (``STREAMLIT_INTERNAL``)."""
    violations = run_axe(page, axe_source)
    findings[name] = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in violations
    ]
    blocking = []
    for v in violations:
        if v["impact"] not in BLOCKING:
            continue
        for node in v["nodes"]:
            target = node["target"]
            if any(
                rule == v["id"] and _inside(page, target, box) for rule, box in STREAMLIT_INTERNAL
            ):
                continue
            where = " ".join(str(t) for t in target)
            blocking.append(f"{v['id']} ({v['impact']}): {where} — {v['help']}")
    assert not blocking, f"{name}: " + "; ".join(blocking)


def test_sign_in_page(
    server: AppServer, new_context: NewContext, axe_source: str, findings: dict[str, Any]
) -> None:
    page = open_app(new_context(), server)
    check(page, "sign-in", axe_source, findings)


def test_setup_page(
    serve: Serve,
    new_context: NewContext,
    tmp_path: Path,
    axe_source: str,
    findings: dict[str, Any],
) -> None:
    empty = serve("a11y-setup", f"sqlite:///{tmp_path / 'ube.db'}")
    page = open_app(new_context(), empty)
    expect(main(page).get_by_text("Welcome to UBE")).to_be_visible(timeout=WAIT_MS)
    check(page, "setup", axe_source, findings)


@pytest.mark.parametrize(
    ("role", "pages"), [("admin", ADMIN_PAGES), ("senior_officer", CASE_PAGES)]
)
def test_every_page_as_each_role(
    role: str,
    pages: list[str],
    server: AppServer,
    new_context: NewContext,
    demo_staff: dict[str, str],
    axe_source: str,
    findings: dict[str, Any],
    demo_db: Path,
) -> None:
    demo_ref = first_ref(demo_db)
    page = open_app(new_context(), server)
    sign_in(page, demo_staff[role], DEMO_PASSWORD)
    failures = []
    for title in pages:
        go_to(page, title)
        if title in ("Customer & case", "Contact screening"):
            find_customer(page, demo_ref)
        try:
            check(page, f"{role}: {title}", axe_source, findings)
        except AssertionError as error:
            failures.append(str(error))
        # Every page as this role sees it, kept with the run's artifacts.
        shot(page, f"page-{role}-" + "".join(c if c.isalnum() else "-" for c in title.lower()))
    assert not failures, "\n".join(failures)


def test_dashboard_charts_have_text_alternatives(
    server: AppServer, new_context: NewContext, demo_staff: dict[str, str]
) -> None:
    page = open_app(new_context(), server)
    sign_in(page, demo_staff["manager"], DEMO_PASSWORD)
    go_to(page, "Dashboard")
    charts = main(page).locator('[data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible(timeout=WAIT_MS)
    summaries = [
        t
        for t in main(page).locator('[data-testid="stCaptionContainer"]').all_inner_texts()
        if t.startswith("Summary:")
    ]
    assert charts.count() >= 1
    assert len(summaries) == charts.count(), (charts.count(), summaries)
    assert all(len(s) > len("Summary: ") + 10 for s in summaries), summaries


def test_sign_in_and_move_between_pages_with_the_keyboard_alone(
    server: AppServer, new_context: NewContext, demo_staff: dict[str, str], demo_db: Path
) -> None:
    page = open_app(new_context(), server)

    def tab_to(accessible_name: str, limit: int = 60, *, field: bool = False) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            name = page.evaluate(
                """() => { const e = document.activeElement; return (
                    e.getAttribute('aria-label') || e.innerText || e.value || '').trim(); }"""
            )
            label = page.evaluate(
                "() => document.activeElement.labels?.[0]?.innerText?.trim() || ''"
            )
            tag = page.evaluate("() => document.activeElement.tagName")
            if field and tag not in ("INPUT", "TEXTAREA"):
                continue
            if accessible_name in (name, label) or name.endswith(accessible_name):
                return
        raise AssertionError(f"{accessible_name!r} is not reachable with Tab")

    tab_to("Username", field=True)
    page.keyboard.type(demo_staff["officer"])
    tab_to("Password", field=True)
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=WAIT_MS)
    settle(page)
    tab_to("Log an incident")
    page.keyboard.press("Enter")
    settle(page)
    expect(main(page).get_by_role("heading", name="Log an incident")).to_be_visible()
    tab_to("Find a customer", field=True)
    page.keyboard.type(first_ref(demo_db))
    page.keyboard.press("Enter")
    settle(page)
    expect(main(page).get_by_text("Matching customers")).to_be_visible()
