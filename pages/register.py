"""Restriction register (§5, §10): every restriction, filtered, sorted, paged and exported."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

import streamlit as st

from ube_core.errors import DomainError
from ube_core.exports import register_csv, register_xlsx
from ube_core.procedure import RestrictionType
from ube_core.queries import SORTS, register_export
from ube_ui import reads, runtime
from ube_ui.format import uk_date
from ube_ui.oversight import (
    attention_style,
    date_column,
    open_case,
    selected_row,
)
from ube_ui.oversight import register_view as view_of
from ube_ui.widgets import show_error

SORT_LABELS = {
    "case_review_due": "Next review",
    "eia_review_due": "EIA review",
    "start_on": "Start",
    "end_on": "End",
    "customer_name": "Customer",
    "tenancy_ref": "Tenancy ref",
    "team": "Team",
    "spoc": "SPOC",
    "breaches": "Breaches",
    "status": "Status",
    "days_overdue": "Days overdue",
    "restriction_id": "Restriction number",
    "case_id": "Case number",
}
STATUS_CHOICES = {"All": None, "Active": "active", "Ended": "ended", "Lapsed": "lapsed"}
REVIEW_CHOICES = ("Any", "Overdue", "Overdue or due within the days below")
APPEAL_CHOICES = {"Any": None, "Yes": True, "No": False}

today = runtime.today()
db = reads.db()
options = reads.filter_options(db, user)
teams = dict(options.teams)
spocs = dict(options.spocs)

st.title("Restriction register")
st.caption(
    "Every contact restriction (§5) with its SPOC, dates and appeal. Each is reviewed every "
    "six months (§10); a restriction past its end must be reviewed or lifted, never left to run "
    "on. Select a row to open the case."
)

with st.form("register_filters"):
    row1 = st.columns(4)
    status_label = row1[0].selectbox("Status", list(STATUS_CHOICES), key="register_status")
    types = row1[1].multiselect(
        "Restriction type (any of)",
        [t.value for t in RestrictionType],
        format_func=lambda v: RestrictionType(v).label,
        key="register_types",
    )
    spoc = row1[2].selectbox(
        "SPOC",
        [None, *spocs],
        format_func=lambda v: "Any SPOC" if v is None else spocs[v],
        key="register_spoc",
    )
    team_id = row1[3].selectbox(
        "Team",
        [None, *teams],
        format_func=lambda v: "All teams" if v is None else teams[v],
        key="register_team",
    )
    row2 = st.columns(4)
    review = row2[0].selectbox("Next review", REVIEW_CHOICES, key="register_review")
    within = row2[1].number_input(
        "Days ahead (for 'due within')",
        min_value=0,
        max_value=366,
        value=30,
        step=1,
        key="register_within",
    )
    appeal_label = row2[2].selectbox(
        "Open appeal or reconsideration", list(APPEAL_CHOICES), key="register_appeal"
    )
    search = row2[3].text_input("Customer name or tenancy ref", key="register_search")
    row3 = st.columns(4)
    sort = row3[0].selectbox(
        "Sort by", list(SORTS), format_func=lambda v: SORT_LABELS.get(v, v), key="register_sort"
    )
    descending = row3[1].checkbox("Descending order", key="register_descending")
    page_size = row3[2].selectbox(
        "Rows a page", [25, 50, 100, 200], index=1, key="register_page_size"
    )
    st.form_submit_button("Apply filters", type="primary")

filters = {
    "status": STATUS_CHOICES[status_label],
    "types": reads.as_tuple(types),
    "spoc": spoc,
    "team_id": team_id,
    "due_within_days": int(within) if review == REVIEW_CHOICES[2] else None,
    "overdue_only": review == REVIEW_CHOICES[1],
    "open_appeal": APPEAL_CHOICES[appeal_label],
    "search": search.strip(),
    "sort": sort,
    "descending": bool(descending),
}
signature = repr(sorted(filters.items())) + f"|{page_size}"
if st.session_state.get("register_signature") != signature:
    st.session_state["register_signature"] = signature
    st.session_state["register_page"] = 1

requested = int(st.session_state.get("register_page", 1))
try:
    result, cover = reads.register_page(
        db, user, today, **filters, page=requested, page_size=int(page_size)
    )
    if requested > result.pages:
        st.session_state["register_page"] = result.pages
        result, cover = reads.register_page(
            db, user, today, **filters, page=result.pages, page_size=int(page_size)
        )
except DomainError as error:
    show_error(error)
    st.stop()

# Across the whole register, whatever the filters: what needs attention now (§10).
overdue_all, _ = reads.register_page(
    db, user, today, "active", (), None, None, None, True, None, "", "case_review_due", False, 1, 1
)
lapsed_all, _ = reads.register_page(
    db, user, today, "lapsed", (), None, None, None, False, None, "", "end_on", False, 1, 1
)
if overdue_all.total or lapsed_all.total:
    st.error(
        f"Needs attention: {overdue_all.total} active restriction(s) with the six-monthly "
        f"review overdue, and {lapsed_all.total} past their end date without a review or "
        "lift. Filter on Next review “Overdue” or Status “Lapsed” to list them."
    )

st.markdown(
    f"**{result.total} restriction(s) match.** Page {result.page} of {result.pages}; "
    f"reviews judged on {uk_date(today)}."
)
table = view_of(result.rows, cover, today)
event = st.dataframe(
    attention_style(table, "Attention"),
    key="register_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    column_config={
        "Start": date_column("Start"),
        "End": date_column("End"),
        "Next review": date_column("Next review"),
        "EIA review": date_column("EIA review"),
        "Breaches": st.column_config.NumberColumn("Breaches", help="Breaches since the start"),
        "Attention": st.column_config.TextColumn("Attention", width="large"),
    },
)
picked = selected_row(event)
if picked is not None and picked < len(result.rows):
    open_case(int(result.rows["customer_id"].iloc[picked]))

st.number_input("Page", min_value=1, max_value=result.pages, step=1, key="register_page", width=160)

st.subheader("Export")
st.caption(
    "The export holds every row that matches the filters above, in the same order. "
    "Exports are recorded in the audit log."
)
if st.button(
    f"Prepare CSV and Excel of the {result.total} matching row(s)",
    key="register_prepare",
    disabled=result.total == 0,
):
    try:
        everything = register_export(runtime.engine(), user=user, today=today, **filters)
    except DomainError as error:
        show_error(error)
    else:
        title = f"Restriction register on {uk_date(today)} ({len(everything)} rows)"
        st.session_state["register_export"] = (
            signature,
            register_csv(everything),
            register_xlsx(everything, title=title),
        )
prepared = st.session_state.get("register_export")
if prepared is not None and prepared[0] == signature:
    stamp = today.isoformat()
    columns = st.columns(2)
    columns[0].download_button(
        "Download CSV",
        prepared[1],
        file_name=f"restriction-register-{stamp}.csv",
        mime="text/csv",
        key="register_csv",
    )
    columns[1].download_button(
        "Download Excel",
        prepared[2],
        file_name=f"restriction-register-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="register_xlsx",
    )
