"""Restriction register (§5, §10)."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

import streamlit as st

st.title("Restriction register")
st.info("This page is being built.")
