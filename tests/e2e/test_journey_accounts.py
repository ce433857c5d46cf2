"""Journeys around accounts, on one server that starts with an empty database:

first-run setup of the administrator (with the demo data set), the administrator adding an
officer, a case manager, a line manager, a senior officer and a manager, everyone's pages,
lockout after five wrong passwords, an officer opening a case manager's page by its URL, and
signing out. The tests run in order and build on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from ube_ui.signin import SIGNED_OUT, WRONG

from .conftest import NewContext, Serve
from .server import AppServer
from .ui import (
    WAIT_MS,
    assert_no_trace,
    attempt_sign_in,
    choose_many,
    go_to,
    goto,
    main,
    nav_titles,
    open_app,
    settle,
    shot,
    sign_in,
    sign_in_form_visible,
    sign_out,
)

ADMIN = ("ada.admin", "Ada Admin", "Harbour lights 2024")
PASSWORD = "Temporary pass 4 now"
COLLEAGUES = {
    # role label → (username, full name)
    "Housing officer": ("olly.officer", "Olly Officer"),
    "Case manager": ("cara.case", "Cara Case"),
    "SPOC line manager": ("lena.line", "Lena Line"),
    "Senior officer": ("sam.senior", "Sam Senior"),
    "Manager": ("mo.manager", "Mo Manager"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("accounts") / "ube.db"


@pytest.fixture(scope="module")
def server(serve_module: Serve, db: Path, chromium: Path) -> AppServer:
    return serve_module("accounts", f"sqlite:///{db}")


@pytest.fixture(scope="module")
def engine(db: Path, server: AppServer) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{db}", poolclass=NullPool)
    yield eng
    eng.dispose()


def test_first_run_setup_creates_the_administrator_and_loads_the_demo(
    server: AppServer, module_context: NewContext, engine: Engine
) -> None:
    page = open_app(module_context(), server)
    expect(main(page).get_by_text("Welcome to UBE")).to_be_visible(timeout=WAIT_MS)
    username, name, password = ADMIN
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Full name", exact=True).fill(name)
    page.get_by_label("Password (at least 12 characters)", exact=True).fill(password)
    page.get_by_label("Repeat password", exact=True).fill(password)
    page.locator('[data-testid="stCheckbox"]').filter(has_text="Load a demo data set").click()
    shot(page, "setup", readme="setup.png")
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_text("Administrator created. Sign in to continue.")).to_be_visible(
        timeout=WAIT_MS
    )
    settle(page)
    assert_no_trace(page)
    page.get_by_role("button", name="Continue to sign in").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=WAIT_MS)
    shot(page, "sign-in", readme="sign-in.png")
    sign_in(page, username, password)
    assert nav_titles(page) == ["My work", "Users", "Audit log", "Letter templates"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM customer")).scalar_one() >= 100
        roles = conn.execute(
            text(
                "SELECT r.role FROM user_role r JOIN app_user u ON u.id = r.user_id "
                "WHERE u.username = :u"
            ),
            {"u": username},
        ).scalars()
        assert list(roles) == ["admin"]
    # Setup can never be reached again: a new visitor gets the sign-in form.
    other = open_app(module_context(), server)
    assert sign_in_form_visible(other)
    assert "Welcome to UBE" not in main(other).inner_text()


def test_admin_adds_an_officer_a_case_manager_a_line_manager_a_senior_officer_and_a_manager(
    server: AppServer, module_context: NewContext, engine: Engine
) -> None:
    page = open_app(module_context(), server)
    sign_in(page, ADMIN[0], ADMIN[2])
    go_to(page, "Users")
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Add a colleague").click()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Add colleague")
    for role, (username, name) in COLLEAGUES.items():
        form.get_by_label("Username", exact=True).fill(username)
        form.get_by_label("Full name", exact=True).fill(name)
        form.get_by_label("Temporary password (at least 12 characters)", exact=True).fill(PASSWORD)
        clear = form.locator('[aria-label="Clear all"]')
        if clear.count():
            clear.click()
        choose_many(page, "Roles", [role], scope=form)
        form.get_by_role("button", name="Add colleague").click()
        expect(main(page).get_by_text(f"{name} can now sign in.")).to_be_visible(timeout=WAIT_MS)
        settle(page)
        assert_no_trace(page)
    shot(page, "users", readme="users.png")
    with engine.connect() as conn:
        made = dict(
            conn.execute(
                text(
                    "SELECT u.username, group_concat(r.role) FROM app_user u "
                    "JOIN user_role r ON r.user_id = u.id WHERE u.username IN "
                    "('olly.officer', 'cara.case', 'lena.line', 'sam.senior', 'mo.manager') "
                    "GROUP BY u.username"
                )
            ).all()
        )
    assert made == {
        "olly.officer": "officer",
        "cara.case": "case_manager",
        "lena.line": "line_manager",
        "sam.senior": "senior_officer",
        "mo.manager": "manager",
    }


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (
            "Housing officer",
            [
                "My work",
                "Log an incident",
                "Contact screening",
                "Customer & case",
                "Restriction register",
                "Review calendar",
            ],
        ),
        (
            "Manager",
            ["My work", "Customer & case", "Restriction register", "Review calendar", "Dashboard"],
        ),
    ],
)
def test_each_colleague_signs_in_and_sees_only_their_pages(
    role: str, pages: list[str], server: AppServer, new_context: NewContext
) -> None:
    username, name = COLLEAGUES[role]
    page = open_app(new_context(), server)
    sign_in(page, username, PASSWORD)
    assert nav_titles(page) == pages
    expect(page.get_by_text(name).first).to_be_visible()
    assert_no_trace(page)


def test_five_wrong_passwords_lock_the_account(
    server: AppServer, new_context: NewContext, engine: Engine
) -> None:
    username, _ = COLLEAGUES["SPOC line manager"]
    page = open_app(new_context(), server)
    for attempt in range(5):
        attempt_sign_in(page, username, f"wrong password {attempt}")
        expect(page.get_by_text(WRONG)).to_be_visible(timeout=WAIT_MS)
    # The right password no longer works, and the message is the same as for a wrong one.
    attempt_sign_in(page, username, PASSWORD)
    expect(page.get_by_text(WRONG)).to_be_visible(timeout=WAIT_MS)
    assert page.get_by_role("button", name="Sign out").count() == 0
    shot(page, "lockout")
    with engine.connect() as conn:
        locked = conn.execute(
            text("SELECT locked_until FROM app_user WHERE username = :u"), {"u": username}
        ).scalar_one()
        actions = list(
            conn.execute(
                text("SELECT action FROM audit_log WHERE username = :u ORDER BY id"),
                {"u": username},
            ).scalars()
        )
    assert locked is not None
    assert actions.count("login.failed") == 5
    assert "login.locked" in actions
    assert "login.success" not in actions
    # Another person is not affected.
    other = open_app(new_context(), server)
    sign_in(other, COLLEAGUES["Senior officer"][0], PASSWORD)


def test_an_officer_cannot_open_a_case_manager_page_by_its_url(
    server: AppServer, new_context: NewContext
) -> None:
    officer = COLLEAGUES["Housing officer"][0]
    page = open_app(new_context(), server)
    sign_in(page, officer, PASSWORD)
    for path in ("/spoc_oversight", "/dashboard", "/decisions", "/users"):
        # Typed into the address bar: a full page load of a page not routed for an officer.
        goto(page, server, path)
        dialog = page.get_by_role("dialog").filter(has_text="Page not found")
        if dialog.count():
            shot(page, "officer-url" + path.replace("/", "_"))
            page.keyboard.press("Escape")
            expect(dialog).to_have_count(0)
            settle(page)
        signed_in = page.get_by_role("button", name="Sign out")
        form = page.get_by_role("button", name="Sign in", exact=True)
        expect(signed_in.or_(form).first).to_be_visible(timeout=WAIT_MS)
        settle(page)
        if sign_in_form_visible(page):
            sign_in(page, officer, PASSWORD)
        content = main(page).inner_text()
        lines = [line.strip() for line in content.splitlines()]
        for title in ("SPOC oversight", "Dashboard", "Appeals and reconsiderations", "Users"):
            assert title not in lines, (path, content)
        assert "Good to see you, Olly" in content or "not give you access" in content, content
        assert "Lena Line" not in content and "mo.manager" not in content
        assert_no_trace(page)


def test_a_link_opened_in_a_new_tab_keeps_its_page_through_the_cookie_sign_in(
    server: AppServer, new_context: NewContext, engine: Engine
) -> None:
    with engine.connect() as conn:
        customer_id, ref = conn.execute(
            text("SELECT id, tenancy_ref FROM customer ORDER BY id LIMIT 1")
        ).one()
    context = new_context()
    page = open_app(context, server)
    sign_in(page, COLLEAGUES["Case manager"][0], PASSWORD)
    # A new tab is a new session, signed in from the cookie: the link's page and customer
    # are kept, not swapped for the home page.
    tab = open_app(context, server, f"/customer?customer={customer_id}")
    expect(main(tab).get_by_role("heading", name="Customer and case")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(main(tab).get_by_text(f"Tenancy {ref}")).to_be_visible(timeout=WAIT_MS)
    assert tab.url.split("?")[0].endswith("/customer"), tab.url
    assert f"customer={customer_id}" in tab.url, tab.url
    assert_no_trace(tab)


def test_sign_out_ends_the_session(server: AppServer, new_context: NewContext) -> None:
    context = new_context()
    page = open_app(context, server)
    sign_in(page, COLLEAGUES["Case manager"][0], PASSWORD)
    kept = [c for c in context.cookies() if c["name"] == "ube_auth" and c["value"]]
    assert kept, "no sign-in cookie was set"
    sign_out(page)
    assert sign_in_form_visible(page)
    expect(main(page).get_by_text(SIGNED_OUT)).to_be_visible()
    shot(page, "signed-out")
    # Neither a reload nor a page URL brings the session back: the cookie is gone.
    page.reload()
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=WAIT_MS)
    settle(page)
    assert sign_in_form_visible(page)
    assert page.get_by_role("button", name="Sign out").count() == 0
    goto(page, server, "/customer")
    assert "Sign in to UBE" in main(page).inner_text()
    assert page.get_by_role("button", name="Sign out").count() == 0
    assert "ube_auth" not in {c["name"] for c in context.cookies() if c["value"]}
    # A copy of the cookie taken before signing out no longer signs anyone in either: the
    # server refuses cookies issued before the user's last sign-out.
    other = new_context()
    other.add_cookies(kept)  # type: ignore[arg-type]
    stolen = open_app(other, server, "/customer")
    assert "Sign in to UBE" in main(stolen).inner_text()
    assert stolen.get_by_role("button", name="Sign out").count() == 0
    assert_no_trace(stolen)
