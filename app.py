"""UBE: the router. Sign-in, then navigation built from the signed-in user's roles."""

import streamlit as st

from ube_core.services.users import user_count
from ube_ui import runtime
from ube_ui.navigation import pages_for
from ube_ui.setup import setup_page
from ube_ui.signin import authenticator, sign_in, sign_out

st.set_page_config(page_title="UBE", page_icon=":material/shield_person:", layout="wide")

try:
    runtime.cookie_key()
except runtime.ConfigError as error:
    st.error(str(error))
    st.stop()


def sign_in_page() -> None:
    """The sign-in form is drawn above, before any page runs."""


if user_count(runtime.engine()) == 0:
    st.navigation([st.Page(setup_page, title="Set up UBE", default=True)]).run()
    st.stop()

auth, credentials = authenticator()
user = sign_in(auth, credentials)
if user is None:
    st.navigation([st.Page(sign_in_page, title="Sign in", default=True)]).run()
    st.stop()

sections: dict[str, list[st.Page]] = {}
for spec in pages_for(user.roles):
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.path == "pages/home.py")
    )
with st.sidebar:
    st.markdown(f"**{user.name}**  \n{', '.join(r.label for r in sorted(user.roles))}")
    if st.button("Sign out", key="app_sign_out"):
        sign_out(auth, user, "signed out")
        st.rerun()
st.navigation(sections).run()
