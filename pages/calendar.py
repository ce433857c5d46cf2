"""Review calendar: everything that is due."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

import streamlit as st

st.title("Review calendar")
st.info("This page is being built.")
