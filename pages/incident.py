"""Log an incident (§3, §4)."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer")

import streamlit as st

st.title("Log an incident")
st.info("This page is being built.")
