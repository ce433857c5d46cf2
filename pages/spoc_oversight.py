"""SPOC oversight: the quarterly sign-off (§6)."""

from ube_ui.guard import require

user = require("line_manager", "case_manager", "senior_officer")

import streamlit as st

st.title("SPOC oversight")
st.info("This page is being built.")
