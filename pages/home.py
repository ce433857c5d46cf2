"""My work: what the signed-in person owns that is overdue or due soon."""

from ube_ui.guard import require

user = require()

import streamlit as st

from ube_ui import runtime
from ube_ui.format import uk_date

st.title(f"Good to see you, {user.name.split()[0]}")
st.caption(f"Today is {uk_date(runtime.today())}.")
try:
    from ube_core.queries import my_work
except ImportError:  # pragma: no cover - the worklist arrives with the oversight pages
    my_work = None

if my_work is None:
    st.info("Your worklist will appear here.")
else:
    items = my_work(runtime.engine(), user=user, today=runtime.today())
    if items.empty:
        st.success("Nothing of yours is overdue or due in the next 14 days.")
    else:
        st.dataframe(items, hide_index=True, width="stretch")
