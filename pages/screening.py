"""Contact screening: "the customer is on the phone" (§5, §7, §8)."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer")

import streamlit as st

st.title("Contact screening")
st.info("This page is being built.")
