"""Sign-in, sign-out, lockout and idle timeout, around streamlit-authenticator.

The sign-in cookie is set by a small component in the browser, which only acts once the
page has loaded it; a rerun that replaces the page first would lose it. So after a password
sign-in the component is drawn again on every run until the browser reports the cookie
stored.

Signing out is made to stick in two independent ways:

- the browser is told to delete the sign-in cookie on every run of the signed-out session
  (the cookie component stays on the page until the person signs in again, so the deletion
  is not lost to a rerun that replaces the page before the browser has carried it out);
- the server refuses any sign-in cookie issued before its user's last sign-out (the
  ``logout`` events of the audit log), so even a cookie the browser kept — a tab closed at
  once, a copied cookie — no longer signs anyone in.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from ube_core.services import auth as auth_service
from ube_core.services.context import UserContext

from . import runtime

WRONG = "Incorrect username or password, or the account is locked. Try again later."
SIGNED_OUT = "You have signed out. Sign in again to carry on."
COOKIE_NAME = "ube_auth"
COOKIE_DAYS = 1
# Session keys: the browser must drop its cookie; the cookie (token, expiry) the browser
# has yet to confirm storing; the person chose to sign out (say so above the form); the app
# must be drawn once more without the sign-in heading.
DROP_COOKIE = "ube_drop_cookie"
STORE_COOKIE = "ube_store_cookie"
JUST_SIGNED_OUT = "ube_just_signed_out"
REDRAW = "ube_redraw_after_sign_in"


def authenticator() -> tuple[Any, dict[str, Any]]:
    credentials = auth_service.login_credentials(runtime.engine(), now=runtime.now())
    auth = stauth.Authenticate(
        credentials,
        cookie_name=COOKIE_NAME,
        cookie_key=runtime.cookie_key(),
        cookie_expiry_days=COOKIE_DAYS,
        auto_hash=False,
        login_sleep_time=0,
    )
    return auth, credentials


def _delete_cookie(auth: Any) -> None:
    with contextlib.suppress(Exception):  # no cookie to delete
        auth.cookie_controller.delete_cookie()


def _remember_new_cookie(auth: Any) -> None:
    """After a password sign-in in this run (the library has just asked the browser to store
    a cookie): keep its token, to ask again on the next runs until the browser confirms."""
    model = getattr(auth.cookie_controller, "cookie_model", None)
    if model is None or getattr(model, "exp_date", None) is None:
        return
    try:
        token = str(model._token_encode())
    except Exception:  # no username in the session: nothing to keep
        return
    st.session_state[STORE_COOKIE] = (token, float(model.exp_date))


def _store_cookie(auth: Any) -> None:
    """Ask the browser to store the pending sign-in cookie; forget it once it says so."""
    pending = st.session_state.get(STORE_COOKIE)
    if not pending:
        return
    token, expires = pending
    model = getattr(auth.cookie_controller, "cookie_model", None)
    if model is None:
        return
    stored = model.cookie_manager.cookie_manager(
        method="set",
        cookie=COOKIE_NAME,
        value=token,
        options={
            "path": "/",
            "expires": datetime.fromtimestamp(expires).isoformat(),
            "sameSite": "strict",
        },
        key=f"ube_store_cookie_{token[-16:]}",
        default=False,
    )
    if stored:
        st.session_state.pop(STORE_COOKIE, None)


def refuse_revoked_cookie(auth: Any) -> None:
    """Before a cookie can sign someone in: refuse it if it was issued before its user's last
    sign-out (the library then shows the sign-in form) and have the browser delete it."""
    if st.session_state.get("authentication_status") is True or st.session_state.get("logout"):
        return
    if COOKIE_NAME not in st.context.cookies:
        return
    try:
        token = auth.cookie_controller.get_cookie()
    except Exception:  # an unreadable cookie: the library ignores it as well
        return
    if not token or not isinstance(token, dict) or "username" not in token:
        return
    try:
        expires = datetime.fromtimestamp(float(token["exp_date"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return
    issued = expires - timedelta(days=COOKIE_DAYS)
    username = str(token["username"])
    if auth_service.signed_out_since(runtime.engine(), username=username, since=issued):
        st.session_state["logout"] = True  # streamlit-authenticator: ignore the cookie
        st.session_state[DROP_COOKIE] = True


def sign_in(auth: Any, credentials: dict[str, Any]) -> UserContext | None:
    """Render the sign-in form when needed; the signed-in user, or None.

    Right after a sign-in ``st.session_state[REDRAW]`` is set: the router reruns once the
    page asked for is resolved, so the app is drawn without the sign-in heading and a link
    such as ``/customer?customer=7`` opened in a new tab lands on that page.
    """
    refuse_revoked_cookie(auth)
    if st.session_state.get("authentication_status") is not True:
        st.title("UBE")
        st.caption("Unacceptable Behaviour – Tenancy Enforcement Procedure")
        if st.session_state.get(JUST_SIGNED_OUT):
            st.success(SIGNED_OUT, icon=":material/logout:")
    try:
        auth.login(location="main", fields={"Form name": "Sign in to UBE", "Login": "Sign in"})
    except Exception:  # the library raises for a cookie of a removed or deactivated user
        st.session_state["authentication_status"] = None
    failed = [u for u, c in credentials["usernames"].items() if c.get("failed_login_attempts")]
    for username in failed:
        auth_service.record_failed_login(runtime.engine(), username=username, now=runtime.now())
    status = st.session_state.get("authentication_status")
    if status is not True and st.session_state.get(DROP_COOKIE):
        # Drawn on every run until the next sign-in, so the browser surely carries it out.
        _delete_cookie(auth)
    if status is False:
        st.error(WRONG)
        return None
    if status is not True:
        return None
    username = str(st.session_state.get("username", ""))
    if st.session_state.get("ube_signed_in_as") != username:
        user = auth_service.record_login(runtime.engine(), username=username)
        st.session_state["ube_signed_in_as"] = username
        if user is not None:
            st.session_state["ube_last_seen"] = runtime.now()
            st.session_state.pop(DROP_COOKIE, None)
            st.session_state.pop(JUST_SIGNED_OUT, None)
            st.session_state[REDRAW] = True
            _remember_new_cookie(auth)
    else:
        user = auth_service.user_context(runtime.engine(), username=username)
    _store_cookie(auth)
    if user is None:
        sign_out(auth, None, "account deactivated")
        return None
    if idle_expired():
        sign_out(auth, user, "idle timeout")
        st.warning("You were signed out after a period of inactivity. Please sign in again.")
        return None
    st.session_state["ube_last_seen"] = runtime.now()
    return user


def idle_expired() -> bool:
    last = st.session_state.get("ube_last_seen")
    return last is not None and runtime.now() - last > timedelta(minutes=runtime.idle_minutes())


def sign_out(auth: Any, user: UserContext | None, reason: str) -> None:
    """End the session: audited (which also revokes every cookie issued before now), the
    session forgotten, and the browser told to delete its cookie (again on every run until
    the next sign-in)."""
    if user is not None:
        auth_service.record_logout(runtime.engine(), user=user, reason=reason)
    _delete_cookie(auth)
    for key in (
        "authentication_status",
        "username",
        "name",
        "roles",
        "ube_last_seen",
        "ube_signed_in_as",
        "ube_user",
        REDRAW,
        STORE_COOKIE,
    ):
        st.session_state.pop(key, None)
    st.session_state["authentication_status"] = None
    st.session_state["logout"] = True  # streamlit-authenticator: ignore the cookie from now on
    st.session_state[DROP_COOKIE] = True
