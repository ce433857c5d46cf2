"""UBE — entry point and router.

Calls ``st.navigation`` on every run, signed in or not: Streamlit otherwise treats the
``pages/`` folder as a legacy multipage app and serves its files directly.
"""

import streamlit as st

COMING_PAGES = (
    "Incident log",
    "Contact screening",
    "Customer & case",
    "Appeals queue",
    "Restriction register",
    "Review calendar",
    "SPOC oversight",
    "My work",
    "Manager dashboard",
    "Users",
    "Audit",
)


def home() -> None:
    st.title("UBE")
    st.markdown(
        "UBE is the case-management dashboard for the Unacceptable Behaviour – Tenancy "
        "Enforcement Procedure. It takes a customer's case from the first logged incident "
        "through warnings, the equality impact assessment, contact restrictions, reviews, "
        "appeals and legal steps, and makes the procedure's safeguards hard to skip."
    )
    st.subheader("Coming pages")
    st.markdown("\n".join(f"- {name}" for name in COMING_PAGES))


st.set_page_config(page_title="UBE", layout="wide")
st.navigation([st.Page(home, title="Home", default=True)]).run()
