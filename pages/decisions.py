"""Senior officer's queue: pending appeals and reconsiderations (§11)."""

from ube_ui.guard import require

user = require("senior_officer")

import streamlit as st

st.title("Senior officer's queue")
st.info("This page is being built.")
