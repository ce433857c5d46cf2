"""Audit log: search by person, customer, action and dates; export to CSV. Admins only."""

from ube_ui.guard import require

user = require("admin")

import streamlit as st

from ube_core.services.audit_log import search_audit
from ube_ui import runtime

st.title("Audit log")
with st.form("audit_filters"):
    cols = st.columns(5)
    person = cols[0].text_input("Person (username)", key="audit_person")
    customer = cols[1].text_input("Customer (tenancy ref)", key="audit_customer")
    action = cols[2].text_input("Action starts with", key="audit_action")
    start = cols[3].date_input("From", value=None, format="DD/MM/YYYY", key="audit_start")
    end = cols[4].date_input("To", value=None, format="DD/MM/YYYY", key="audit_end")
    st.form_submit_button("Search")
page = st.number_input("Page", min_value=1, value=1, step=1, key="audit_page")
result = search_audit(
    runtime.engine(),
    user=user,
    person=person,
    customer_ref=customer,
    action=action,
    start=start,
    end=end,
    page=int(page),
    page_size=50,
)
st.caption(f"{result.total} events; page {int(page)} of {max(1, -(-result.total // 50))}.")
st.dataframe(result.rows, hide_index=True, width="stretch")
if st.button("Prepare CSV of all matching events", key="audit_prepare_csv"):
    everything = search_audit(
        runtime.engine(),
        user=user,
        person=person,
        customer_ref=customer,
        action=action,
        start=start,
        end=end,
        page=1,
        page_size=10_000,
    )
    st.download_button(
        "Download CSV",
        everything.rows.to_csv(index=False).encode(),
        file_name="ube-audit.csv",
        mime="text/csv",
        key="audit_csv",
    )
