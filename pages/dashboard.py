"""Manager dashboard."""

from ube_ui.guard import require

user = require("manager", "senior_officer", "case_manager", "line_manager")

import streamlit as st

st.title("Manager dashboard")
st.info("This page is being built.")
