"""The access guard: the first statement of every page (pages/ may be opened directly)."""

from __future__ import annotations

import streamlit as st

from ube_core.procedure import Role
from ube_core.services.auth import user_context
from ube_core.services.context import UserContext

from . import runtime

SESSION_USER = "ube_user"


def signed_in_user() -> UserContext | None:
    """The signed-in user, re-read from the database (a deactivated user is signed out)."""
    if st.session_state.get("authentication_status") is not True:
        return None
    username = st.session_state.get("username")
    if not username:
        return None
    user = user_context(runtime.engine(), username=str(username))
    st.session_state[SESSION_USER] = user
    return user


def require(*roles: str) -> UserContext:
    """Stop the page unless someone is signed in and holds one of ``roles`` (any, if none)."""
    wanted = {Role(r) for r in roles}
    user = signed_in_user()
    if user is None:
        st.info("Please sign in to use UBE.")
        st.markdown("[Go to sign in](/)")
        st.stop()
        raise AssertionError("unreachable")
    if wanted and not (user.roles & wanted):
        st.error("Your role does not give you access to this page.")
        st.stop()
    return user
