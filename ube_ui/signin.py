"""Sign-in, sign-out, lockout and idle timeout, around streamlit-authenticator."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from ube_core.services import auth as auth_service
from ube_core.services.context import UserContext

from . import runtime

WRONG = "Incorrect username or password, or the account is locked. Try again later."


def authenticator() -> tuple[Any, dict[str, Any]]:
    credentials = auth_service.login_credentials(runtime.engine(), now=runtime.now())
    auth = stauth.Authenticate(
        credentials,
        cookie_name="ube_auth",
        cookie_key=runtime.cookie_key(),
        cookie_expiry_days=1,
        auto_hash=False,
        login_sleep_time=0,
    )
    return auth, credentials


def sign_in(auth: Any, credentials: dict[str, Any]) -> UserContext | None:
    """Render the sign-in form when needed; the signed-in user, or None."""
    if st.session_state.get("authentication_status") is not True:
        st.title("UBE")
        st.caption("Unacceptable Behaviour – Tenancy Enforcement Procedure")
    try:
        auth.login(location="main", fields={"Form name": "Sign in to UBE", "Login": "Sign in"})
    except Exception:  # the library raises for a cookie of a removed or deactivated user
        st.session_state["authentication_status"] = None
    failed = [u for u, c in credentials["usernames"].items() if c.get("failed_login_attempts")]
    for username in failed:
        auth_service.record_failed_login(runtime.engine(), username=username, now=runtime.now())
    status = st.session_state.get("authentication_status")
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
            st.rerun()  # draw the signed-in app without the sign-in heading
    else:
        user = auth_service.user_context(runtime.engine(), username=username)
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
    if user is not None:
        auth_service.record_logout(runtime.engine(), user=user, reason=reason)
    with contextlib.suppress(Exception):  # no cookie to delete
        auth.cookie_controller.delete_cookie()
    for key in (
        "authentication_status",
        "username",
        "name",
        "roles",
        "ube_last_seen",
        "ube_signed_in_as",
        "ube_user",
    ):
        st.session_state.pop(key, None)
    st.session_state["authentication_status"] = None
