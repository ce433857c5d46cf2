"""UBE: the router. Sign-in, then navigation built from the signed-in user's roles.

Whatever a page does, a database that can't be reached never shows as a trace or as
Streamlit's error box: the person reads a plain message, the pooled connections are dropped,
and the next click connects afresh.
"""

import logging
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import DBAPIError

from ube_core.services.users import user_count
from ube_ui import runtime
from ube_ui.navigation import PageSpec, pages_for
from ube_ui.setup import setup_page
from ube_ui.signin import JUST_SIGNED_OUT, REDRAW, authenticator, sign_in, sign_out

st.set_page_config(page_title="UBE", page_icon=":material/shield_person:", layout="wide")

log = logging.getLogger("ube")
NAV_ROLES = "ube_nav_roles"  # the roles the navigation was last built for

try:
    runtime.cookie_key()
except runtime.ConfigError as error:
    st.error(str(error))
    st.stop()


def sign_in_page() -> None:
    """The sign-in form is drawn above, before any page runs."""


def database_down_page() -> None:
    """The message is drawn above, by the error handler below."""


def navigation(specs: list[PageSpec], page: object) -> dict[str, list[st.Page]]:
    """The sidebar's sections; each entry runs ``page`` (a file, or a stand-in function)."""
    sections: dict[str, list[st.Page]] = {}
    for spec in specs:
        sections.setdefault(spec.section, []).append(
            st.Page(
                spec.path if page is None else page,  # type: ignore[arg-type]
                title=spec.title,
                icon=spec.icon,
                url_path=Path(spec.path).stem,
                default=spec.path == "pages/home.py",
            )
        )
    return sections


def route(routed: list[bool]) -> None:
    if user_count(runtime.engine()) == 0:
        routed.append(True)
        st.navigation([st.Page(setup_page, title="Set up UBE", default=True)]).run()
        st.stop()

    auth, credentials = authenticator()
    user = sign_in(auth, credentials)
    if user is None:
        routed.append(True)
        st.navigation([st.Page(sign_in_page, title="Sign in", default=True)]).run()
        st.stop()

    sections = navigation(pages_for(user.roles), None)
    st.session_state[NAV_ROLES] = user.roles
    with st.sidebar:
        st.markdown(f"**{user.name}**  \n{', '.join(r.label for r in sorted(user.roles))}")
        if st.button("Sign out", key="app_sign_out"):
            sign_out(auth, user, "signed out")
            st.session_state[JUST_SIGNED_OUT] = True
            st.rerun()
    routed.append(True)
    page = st.navigation(sections)
    if st.session_state.pop(REDRAW, False):
        # Just signed in: draw again without the sign-in heading, on the page that was asked
        # for (resolved just now, so a link such as /customer?customer=7 keeps its page).
        st.rerun()
    page.run()


def unreachable(error: DBAPIError) -> bool:
    """A lost or refused connection, as opposed to a statement the database refused."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError) or bool(
        error.connection_invalidated
    )


routed: list[bool] = []
notice = st.empty()
try:
    route(routed)
except DBAPIError as error:
    if not unreachable(error):
        raise
    log.warning("database unreachable: %s", error.__class__.__name__, exc_info=error)
    runtime.drop_connections()
    notice.error(runtime.DATABASE_DOWN, icon=":material/cloud_off:")
    if not routed:  # every run calls st.navigation (STACK-NOTES §0)
        roles = st.session_state.get(NAV_ROLES)
        if roles and st.session_state.get("authentication_status") is True:
            # Signed in: keep the sidebar and the page's address, each page a stand-in that
            # shows only the message; the next click runs the real page again.
            with st.sidebar:
                st.markdown(f"**{st.session_state.get('name') or ''}**")
            st.navigation(navigation(pages_for(roles), database_down_page)).run()
        else:
            st.navigation([st.Page(database_down_page, title="UBE", default=True)]).run()
