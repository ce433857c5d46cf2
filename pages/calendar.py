"""Review calendar: everything that falls due, by month, week or as a list; iCalendar export."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ube_core.errors import DomainError
from ube_core.exports import KIND_LABELS, calendar_ics
from ube_core.queries import CALENDAR_FIRST_ITEMS, CALENDAR_FULL_LIST, KINDS
from ube_core.queries_oversight import calendar_export
from ube_ui import reads, runtime
from ube_ui.calendar_view import month_bounds, month_grid, week_bounds, week_grid
from ube_ui.format import uk_date
from ube_ui.oversight import (
    attention_style,
    date_column,
    items_view,
    kind_label,
    open_case,
    selected_row,
)
from ube_ui.widgets import show_error

VIEWS = ("Month", "Week", "List")
LIST_DAYS = (14, 30, 60, 90)

today = runtime.today()
db = reads.db()
options = reads.filter_options(db, user)
teams = dict(options.teams)

if "calendar_day" not in st.session_state:
    st.session_state["calendar_day"] = today


def shift(step: int) -> None:
    """Move the shown date back or on by one month, week or list period."""
    day: date = st.session_state.get("calendar_day") or today
    view = st.session_state.get("calendar_view", VIEWS[0])
    if view == "Month":
        month = day.month - 1 + step
        st.session_state["calendar_day"] = date(day.year + month // 12, month % 12 + 1, 1)
    elif view == "Week":
        st.session_state["calendar_day"] = day + timedelta(weeks=step)
    else:
        span = int(st.session_state.get("calendar_list_days", LIST_DAYS[1]))
        st.session_state["calendar_day"] = day + timedelta(days=step * span)


def back_to_today() -> None:
    st.session_state["calendar_day"] = today


st.title("Review calendar")
st.caption(
    "Case reviews, EIA reviews, appeal deadlines and decisions, reconsiderations, SPOC "
    "quarterly reviews, restriction ends and SPOC review recommendations. Overdue items are "
    "always listed first."
)

top = st.columns([1.3, 1.2, 1.2, 1])
view = top[0].radio("View", VIEWS, horizontal=True, key="calendar_view")
shown = top[1].date_input("Show the date", format="DD/MM/YYYY", key="calendar_day")
team_id = top[2].selectbox(
    "Team",
    [None, *teams],
    format_func=lambda v: "All teams" if v is None else teams[v],
    key="calendar_team",
)
mine = top[3].toggle("Only my items", key="calendar_mine")
filters = st.columns([3, 1])
kinds = filters[0].multiselect(
    "Kinds of item",
    list(KINDS),
    default=list(KINDS),
    format_func=kind_label,
    key="calendar_kinds",
)
# Only the list view has a length. It is offered in that view only (a greyed-out control's
# faded label falls below WCAG AA contrast); the choice is kept while another view shows.
st.session_state.setdefault("calendar_list_days", LIST_DAYS[1])
st.session_state["calendar_list_days"] = st.session_state["calendar_list_days"]
if view == "List":
    span = filters[1].selectbox("List the next (days)", LIST_DAYS, key="calendar_list_days")
else:
    span = st.session_state["calendar_list_days"]
nav = st.columns([1, 1, 1, 5])
nav[0].button("Previous", key="calendar_previous", on_click=shift, args=(-1,))
nav[1].button("Today", key="calendar_today", on_click=back_to_today)
nav[2].button("Next", key="calendar_next", on_click=shift, args=(1,))

day = shown or today
if view == "Month":
    start, end = month_bounds(day.year, day.month)
elif view == "Week":
    start, end = week_bounds(day)
else:
    start, end = day, day + timedelta(days=int(span) - 1)

if not kinds:
    st.info("Choose at least one kind of item to see the calendar.")
    st.stop()

owner_id = user.id if mine else None
chosen = reads.as_tuple(kinds)
try:
    counts = reads.calendar_counts(db, user, start, end, chosen, team_id, owner_id, today)
    # A large book has thousands of items a month: count them all, list the first ones.
    large = int(counts["items"].sum()) > CALENDAR_FULL_LIST
    first = CALENDAR_FIRST_ITEMS if large else None
    items, customers = reads.calendar(db, user, start, end, chosen, team_id, owner_id, today, first)
except DomainError as error:
    show_error(error)
    st.stop()

late = items[items["overdue"].astype(bool)]
in_range = items[(items["due_on"] >= start) & (items["due_on"] <= end)]
if large:  # the first ones of each list (an overdue item of the period is in both)
    late, in_range = late.head(CALENDAR_FIRST_ITEMS), in_range.head(CALENDAR_FIRST_ITEMS)
counted_in_range = counts[counts["due_on"] >= start]
late_total = int(counts.loc[counts["overdue"].astype(bool), "items"].sum())
range_total = int(counted_in_range["items"].sum())
range_late = int(counted_in_range.loc[counted_in_range["overdue"].astype(bool), "items"].sum())


def table(rows: pd.DataFrame, key: str) -> None:
    """Items as a table; selecting a row opens the customer's case."""
    frame = items_view(rows, today)
    event = st.dataframe(
        attention_style(frame, "When", when="Overdue"),
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={"Due": date_column("Due")},
    )
    picked = selected_row(event)
    if picked is not None:
        case_id = int(rows.iloc[picked]["case_id"])
        if case_id in customers:
            open_case(customers[case_id])


def first_of(shown: int, total: int, order: str) -> None:
    if shown < total:
        st.caption(
            f"Showing the first {shown:,} of {total:,} ({order}). Narrow the calendar by team, "
            "kind or “Only my items” to see the rest, or export them all below."
        )


if late_total:
    st.subheader(f"Overdue: {late_total:,} item(s)")
    st.error(
        "These are past their due date and not yet done. Select one to open the case.",
        icon=":material/warning:",
    )
    table(late, "calendar_overdue_table")
    first_of(len(late), late_total, "the oldest first")
else:
    st.success("Nothing is overdue for these filters.")

where = "all teams" if team_id is None else teams[team_id]
whose = "your items" if mine else "everyone's items"
if view == "Month":
    st.subheader(day.strftime("%B %Y"))
elif view == "Week":
    st.subheader(f"Week of {uk_date(start)}")
else:
    st.subheader(f"The next {int(span)} days from {uk_date(start)}")
st.caption(f"From {uk_date(start)} to {uk_date(end)}.")
st.markdown(
    f"{range_total:,} item(s) due in this period ({whose}, {where}); "
    f"{range_late:,} of them overdue."
)
grid_counts = counted_in_range if large else None
if view == "Month":
    st.html(
        month_grid(
            in_range,
            year=day.year,
            month=day.month,
            today=today,
            customers=customers,
            counts=grid_counts,
        )
    )
elif view == "Week":
    st.html(week_grid(in_range, day=day, today=today, customers=customers, counts=grid_counts))
if view == "List" or len(in_range):
    st.markdown("**Agenda**" if view == "List" else "**The same items as a list**")
    table(in_range, "calendar_list_table")
    first_of(len(in_range), range_total, "by date")

st.subheader("Subscribe in Outlook")
st.caption(
    "Export the items above (the overdue ones and this period) as an iCalendar file. Each "
    "item keeps the same identifier in every export, so importing a newer file updates your "
    "calendar instead of duplicating it. Exports are recorded in the audit log."
)
signature = repr((start, end, reads.as_tuple(kinds), team_id, owner_id, today))
if st.button(
    f"Prepare iCalendar file ({int(counts['items'].sum()):,} item(s))",
    key="calendar_prepare",
    disabled=items.empty,
):
    try:
        with st.spinner("Preparing the iCalendar file…"):
            exported = calendar_export(
                runtime.engine(),
                user=user,
                start=start,
                end=end,
                kinds=kinds,
                team_id=team_id,
                owner_id=owner_id,
                today=today,
            )
    except DomainError as error:
        show_error(error)
    else:
        st.session_state["calendar_export"] = (
            signature,
            calendar_ics(exported, stamp=runtime.now(), name="UBE reviews and deadlines"),
            len(exported),
        )
prepared = st.session_state.get("calendar_export")
if prepared is not None and prepared[0] == signature:
    st.download_button(
        f"Download .ics ({prepared[2]} events)",
        prepared[1],
        file_name=f"ube-calendar-{today.isoformat()}.ics",
        mime="text/calendar",
        key="calendar_ics",
    )
with st.expander("What each kind means"):
    for kind in KINDS:
        st.markdown(f"- **{kind_label(kind)}**: {KIND_LABELS.get(kind, kind)}")
