"""Users: create, give roles, deactivate (never delete), reset passwords. Admins only."""

from ube_ui.guard import require

user = require("admin")

import pandas as pd
import streamlit as st

from ube_core.procedure import Role
from ube_core.services import users
from ube_core.storage.models import UserCreate
from ube_ui import runtime
from ube_ui.widgets import attempt

st.title("Users")
engine = runtime.engine()
people = users.list_users(engine, user=user)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Username": u.username,
                "Name": u.name,
                "Roles": ", ".join(Role(r).label for r in u.roles),
                "Active": "Yes" if u.active else "No",
            }
            for u in people
        ]
    ),
    hide_index=True,
    width="stretch",
)

role_options = [r.value for r in Role]
with (
    st.expander("Add a colleague", expanded=not people[1:]),
    st.form("users_create", clear_on_submit=False),
):
    username = st.text_input("Username", key="users_new_username")
    name = st.text_input("Full name", key="users_new_name")
    password = st.text_input(
        "Temporary password (at least 12 characters)", type="password", key="users_new_password"
    )
    roles = st.multiselect(
        "Roles", role_options, format_func=lambda v: Role(v).label, key="users_new_roles"
    )
    if st.form_submit_button("Add colleague"):
        attempt(
            lambda: users.create_user(
                engine,
                user=user,
                data=UserCreate.model_construct(
                    username=username.strip().lower(),
                    name=name.strip(),
                    password=password,
                    roles=roles,
                    email=None,
                    team_id=None,
                    line_manager_id=None,
                ),
            ),
            f"{name or username} can now sign in.",
        )

st.subheader("Change a colleague")
by_name = {f"{u.name} ({u.username})": u for u in people}
chosen = st.selectbox("Colleague", list(by_name), key="users_pick")
if chosen:
    target = by_name[chosen]
    with st.form("users_roles"):
        new_roles = st.multiselect(
            "Roles",
            role_options,
            default=target.roles,
            format_func=lambda v: Role(v).label,
            key="users_roles",
        )
        if st.form_submit_button("Save roles"):
            attempt(
                lambda: users.set_roles(engine, user=user, user_id=target.id, roles=new_roles),
                "Roles saved.",
            )
    with st.form("users_password"):
        new_password = st.text_input("New password", type="password", key="users_reset_pw")
        if st.form_submit_button("Reset password"):
            attempt(
                lambda: users.reset_password(
                    engine, user=user, user_id=target.id, password=new_password
                ),
                "Password reset.",
            )
    label = "Deactivate" if target.active else "Reactivate"
    if st.button(label, key="users_toggle_active"):
        attempt(
            lambda: users.set_active(
                engine, user=user, user_id=target.id, active=not target.active
            ),
            f"{target.name} is now {'inactive' if target.active else 'active'}.",
        )
