"""Sign-in, first-run setup, lockout, idle timeout and role-based navigation (AppTest)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from ube_core.procedure import Role
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine
from ube_core.storage.models import AppUser, AuditEvent
from ube_ui import runtime
from ube_ui.navigation import PAGES
from ube_ui.signin import WRONG

from .conftest import PASSWORD, ROOT, sign_in

App = Callable[[], AppTest]


def audit_actions(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        actions = list(session.exec(select(AuditEvent.action)).all())
    engine.dispose()
    return actions


def test_first_run_offers_setup_and_creates_the_admin(db_url: str, app: App) -> None:
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Welcome to UBE"
    at.text_input(key="setup_username").input("Boss")
    at.text_input(key="setup_name").input("Bo Boss")
    at.text_input(key="setup_password").input(PASSWORD)
    at.text_input(key="setup_confirm").input(PASSWORD)
    at.button[0].click().run()
    assert "Administrator created" in at.success[0].value
    engine = make_engine(db_url)
    with Session(engine) as session:
        (admin,) = session.exec(select(AppUser)).all()
    assert admin.username == "boss"
    # once a user exists, the setup screen is gone for good
    again = app().run()
    assert [t.value for t in again.title] == ["UBE"]
    assert "setup_username" not in [w.key for w in again.text_input]


def test_setup_refuses_a_short_password(db_url: str, app: App) -> None:
    at = app().run()
    at.text_input(key="setup_username").input("boss")
    at.text_input(key="setup_name").input("Bo Boss")
    at.text_input(key="setup_password").input("short")
    at.text_input(key="setup_confirm").input("short")
    at.button[0].click().run()
    assert at.error and "12" in at.error[0].value
    assert not at.success


def test_sign_in_success_and_failure(staff: dict[str, UserContext], app: App) -> None:
    at = sign_in(app(), "officer", "not the password")
    assert [e.value for e in at.error] == [WRONG]
    assert at.session_state["authentication_status"] is False
    at = sign_in(app(), "officer")
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert at.title[0].value.startswith("Good to see you")


def test_unknown_and_locked_usernames_get_the_same_message(
    staff: dict[str, UserContext], app: App, db_url: str
) -> None:
    for _ in range(5):
        at = sign_in(app(), "officer", "wrong password here")
        assert [e.value for e in at.error] == [WRONG]
    # locked now: even the right password is refused, with the same words as an unknown user
    locked = sign_in(app(), "officer", PASSWORD)
    assert [e.value for e in locked.error] == [WRONG]
    assert locked.session_state["authentication_status"] is not True
    unknown = sign_in(app(), "nobody", PASSWORD)
    assert [e.value for e in unknown.error] == [WRONG]
    actions = audit_actions(db_url)
    assert actions.count("login.failed") == 5
    assert "login.locked" in actions
    assert "login.locked_attempt" in actions


def test_lock_expires_after_fifteen_minutes(
    staff: dict[str, UserContext], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        sign_in(app(), "officer", "wrong password here")
    start = runtime.now()
    monkeypatch.setattr(runtime, "now", lambda: start + timedelta(minutes=16))
    at = sign_in(app(), "officer")
    assert at.session_state["authentication_status"] is True


def test_idle_session_is_signed_out(
    staff: dict[str, UserContext], app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = sign_in(app(), "officer")
    assert at.session_state["authentication_status"] is True
    start = runtime.now()
    monkeypatch.setattr(runtime, "now", lambda: start + timedelta(minutes=31))
    at.run()
    assert at.session_state["authentication_status"] is not True
    assert "inactivity" in at.warning[0].value


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_sees_exactly_its_pages(
    role: Role, staff: dict[str, UserContext], app: App
) -> None:
    at = sign_in(app(), role.value.replace("_", ""))
    assert at.session_state["authentication_status"] is True
    for page in PAGES:
        if role in page.roles:
            at.switch_page(page.path).run()
            assert not at.exception, page.path
            assert not at.error, (page.path, [e.value for e in at.error])
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page.path)


def test_officer_cannot_open_the_users_page(staff: dict[str, UserContext], app: App) -> None:
    at = sign_in(app(), "officer")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/users.py")


@pytest.mark.parametrize("path", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_a_page_opened_directly_without_sign_in_shows_only_the_prompt(
    path: str, staff: dict[str, UserContext]
) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / path), default_timeout=60).run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Please sign in to use UBE."]
    assert not at.dataframe and not at.table and not at.title


def test_sign_out(staff: dict[str, UserContext], app: App, db_url: str) -> None:
    at = sign_in(app(), "root")
    at.sidebar.button[0].click().run()
    assert at.session_state["authentication_status"] is not True
    assert "logout" in audit_actions(db_url)


def test_every_page_starts_with_the_guard() -> None:
    for path in sorted((ROOT / "pages").glob("*.py")):
        body = ast.parse(path.read_text()).body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the page's docstring
        first, second = body[0], body[1]
        assert isinstance(first, ast.ImportFrom), path.name
        assert first.module == "ube_ui.guard", path.name
        assert [a.name for a in first.names] == ["require"], path.name
        assert isinstance(second, ast.Assign), path.name
        call = second.value
        assert isinstance(call, ast.Call), path.name
        assert isinstance(call.func, ast.Name) and call.func.id == "require", path.name
        for arg in call.args:
            assert isinstance(arg, ast.Constant) and Role(arg.value), path.name


def test_navigation_lists_every_page_file() -> None:
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    assert files == {page.path for page in PAGES}
