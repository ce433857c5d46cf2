"""Manager dashboard: headline figures, charts with text summaries, compliance exceptions."""

from ube_ui.guard import require

user = require("manager", "senior_officer", "case_manager", "line_manager")

from datetime import timedelta

import pandas as pd
import streamlit as st

from ube_core.errors import DomainError
from ube_core.services.cases import quarter_of
from ube_ui import charts, reads, runtime
from ube_ui.format import uk_date
from ube_ui.oversight import date_column, open_case, selected_row
from ube_ui.widgets import show_error

today = runtime.today()
db = reads.db()
options = reads.filter_options(db, user)
teams = dict(options.teams)

st.title("Dashboard")
st.caption(
    "Flows (incidents, appeals, breaches, contacts, the equality view) count over the period "
    f"chosen; the state of things (open cases, active restrictions, reviews due) is taken on "
    f"{uk_date(today)}. Each chart has a summary in words below it."
)

controls = st.columns([2, 1])
period = controls[0].date_input(
    "Period",
    value=(today - timedelta(days=364), today),
    max_value=today,
    format="DD/MM/YYYY",
    key="dashboard_period",
)
team_id = controls[1].selectbox(
    "Team",
    [None, *teams],
    format_func=lambda v: "All teams" if v is None else teams[v],
    key="dashboard_team",
)
if not isinstance(period, tuple) or len(period) != 2:
    st.info("Choose the first and the last day of the period.")
    st.stop()
start, end = period

try:
    board, (recs_open, recs_late), customers = reads.dashboard(db, user, start, end, team_id, today)
except DomainError as error:
    show_error(error)
    st.stop()

# -- headline figures ------------------------------------------------------------------------
open_cases = int(board.cases_by_stage["cases"].sum())
active = int(board.restrictions_by_duration["restrictions"].sum())
reviews = board.reviews.set_index("review")
reviews_overdue = int(reviews["overdue"].sum())
appeals = board.appeals.set_index("kind")
pending_late = int(appeals["pending_overdue"].sum())
decided_late = int(appeals["decided_late"].sum())
this_quarter = quarter_of(today)
compliance = board.spoc_compliance
current = compliance[compliance["quarter"] == this_quarter]
if len(current) and int(current["required"].iloc[0]):
    signed, required = int(current["signed_off"].iloc[0]), int(current["required"].iloc[0])
    spoc_text = f"{round(100 * signed / required)}%"
    spoc_help = f"{signed} of {required} SPOC restrictions signed off in {this_quarter}"
else:
    spoc_text, spoc_help = "—", f"No SPOC sign-offs needed in {this_quarter}"
exceptions = board.exceptions

row1 = st.columns(4)
row1[0].metric("Open cases", open_cases)
row1[1].metric("Active restrictions", active)
row1[2].metric(
    "Reviews overdue",
    reviews_overdue,
    help="Case, SPOC and EIA reviews past their due date",
)
row1[3].metric(f"SPOC sign-off {this_quarter}", spoc_text, help=spoc_help)
row2 = st.columns(4)
row2[0].metric("Decisions overdue", pending_late, help="Appeals and reconsiderations")
row2[1].metric("Decided late in period", decided_late, help="After the 28 days (§11)")
row2[2].metric("Recommendations overdue", recs_late, help=f"{recs_open} open in all")
row2[3].metric("Compliance exceptions", len(exceptions))
st.markdown(
    f"In short: {open_cases} open cases and {active} active restrictions; "
    f"{reviews_overdue} reviews overdue; {pending_late} appeal or reconsideration decisions "
    f"overdue and {decided_late} made late in the period; SPOC sign-off this quarter "
    f"{spoc_text}; {recs_late} of {recs_open} recommendations overdue; "
    f"{len(exceptions)} compliance exceptions."
)

# -- charts ------------------------------------------------------------------------------------
figures = charts.all_charts(board)
for i in range(0, len(figures), 2):
    columns = st.columns(2)
    for column, chart in zip(columns, figures[i : i + 2], strict=False):
        with column:
            st.plotly_chart(
                chart.figure,
                key=f"dashboard_chart_{figures.index(chart)}",
                width="stretch",
                config={"displaylogo": False},
            )
            st.caption(f"Summary: {chart.summary}")

# -- compliance exceptions ---------------------------------------------------------------------
st.header("Compliance exceptions")
st.caption(
    "Every case where a safeguard of the procedure was missed: overdue reviews and decisions "
    f"as of {uk_date(today)}; restrictions without an EIA, late decisions, handovers and "
    "lapses that fell in the period. Select a row to open the case."
)
if exceptions.empty:
    st.success("No safeguard was missed.")
else:
    counts = exceptions.groupby("label").size().sort_values(ascending=False)
    st.markdown("; ".join(f"{label}: {n}" for label, n in counts.items()))
    table = pd.DataFrame(
        {
            "Date": exceptions["on"],
            "Safeguard missed": exceptions["label"],
            "Customer": exceptions["customer_name"],
            "Case": exceptions["case_id"],
        }
    )
    event = st.dataframe(
        table,
        key="dashboard_exceptions",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={"Date": date_column("Date")},
    )
    picked = selected_row(event)
    if picked is not None and picked < len(exceptions):
        customer = customers.get(int(exceptions["case_id"].iloc[picked]))
        if customer is not None:
            open_case(customer)
