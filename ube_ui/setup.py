"""First run: create the first admin and, optionally, load a small demo data set."""

from __future__ import annotations

import streamlit as st

from ube_core.errors import DomainError
from ube_core.services import users
from ube_core.storage.models import UserCreate

from . import runtime
from .widgets import show_error

DEMO_CUSTOMERS = 200


def setup_page() -> None:
    st.title("Welcome to UBE")
    st.write(
        "No one has an account yet. Create the first administrator; they can then add "
        "colleagues and give them roles."
    )
    with st.form("setup_form"):
        username = st.text_input("Username", key="setup_username")
        name = st.text_input("Full name", key="setup_name")
        password = st.text_input(
            "Password (at least 12 characters)", type="password", key="setup_password"
        )
        confirm = st.text_input("Repeat password", type="password", key="setup_confirm")
        demo = st.checkbox(
            f"Load a demo data set (about {DEMO_CUSTOMERS} customers)", key="setup_demo"
        )
        submitted = st.form_submit_button("Create administrator")
    if not submitted:
        return
    if password != confirm:
        st.error("The two passwords don't match.")
        return
    if not username.strip():
        st.error("Username is required.")
        return
    if not name.strip():
        st.error("Full name is required.")
        return
    try:
        users.create_first_admin(
            runtime.engine(),
            data=UserCreate.model_construct(
                username=username.strip(), name=name.strip(), password=password, roles=[]
            ),
        )
    except DomainError as error:
        show_error(error)
        return
    if demo:
        from ube_core.demo import load_demo

        with st.status("Loading demo data…", expanded=True) as status:
            counts = load_demo(
                runtime.engine(), customers=DEMO_CUSTOMERS, today=runtime.today(), progress=False
            )
            status.update(
                label=f"Demo data loaded: {counts.get('customer', 0)} customers", state="complete"
            )
    runtime.clear_reads()
    st.success("Administrator created. Sign in to continue.")
    st.button("Continue to sign in", key="setup_continue")
