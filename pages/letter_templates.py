"""Letter templates: edit, preview, versions. Admins only."""

from ube_ui.guard import require

user = require("admin")

import streamlit as st

st.title("Letter templates")
st.info("This page is being built.")
