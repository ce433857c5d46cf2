"""Customer record and case: warning marker, needs, chronology, next steps."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

import streamlit as st

st.title("Customer record and case")
st.info("This page is being built.")
