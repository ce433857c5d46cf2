"""My work: what the signed-in person owns that is overdue or due soon, oldest first."""

from ube_ui.guard import require

user = require()

import pandas as pd
import streamlit as st

from ube_core.queries_oversight import ALL_TEAMS_ROLES, TEAM_TOTALS_ROLES
from ube_core.services.cases import complete_recommendation
from ube_core.services.context import READ_ROLES
from ube_ui import reads, runtime
from ube_ui.format import uk_date
from ube_ui.oversight import (
    CUSTOMER_PAGE,
    DECISIONS_PAGE,
    SPOC_PAGE,
    attention_style,
    date_column,
    destination,
    go,
    items_view,
    kind_label,
    selected_row,
)
from ube_ui.widgets import attempt

HORIZON = 14
PAGE_NAMES = {
    CUSTOMER_PAGE: "Customer & case",
    DECISIONS_PAGE: "Appeals queue",
    SPOC_PAGE: "SPOC oversight",
}

today = runtime.today()
db = reads.db()

st.title(f"Good to see you, {user.name.split()[0]}")
flash = st.session_state.pop("home_flash", None)
if flash:
    st.success(flash)
st.caption(
    f"Today is {uk_date(today)}. Below is everything you own that is overdue or due in the "
    f"next {HORIZON} days, oldest first. Select a row to go where it is done."
)

if not user.roles & READ_ROLES:
    st.info("Your role has no case work. Use the pages in the menu.")
    st.stop()

items, customers = reads.my_work(db, user, today)
if items.empty:
    st.success(f"Nothing of yours is overdue or due in the next {HORIZON} days.")
else:
    late = int(items["overdue"].sum())
    st.markdown(
        f"**{late} overdue** and **{len(items) - late} due** in the next {HORIZON} days "
        f"({len(items)} in all)."
    )
    table = items_view(items, today, with_owner=False, with_why=True)
    table["Done on"] = [PAGE_NAMES[destination(str(k), user.roles)] for k in items["kind"]]
    event = st.dataframe(
        attention_style(table, "When", when="Overdue"),
        key="home_work",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={"Due": date_column("Due")},
    )
    picked = selected_row(event)
    if picked is not None and picked < len(items):
        row = items.iloc[picked]
        where = destination(str(row["kind"]), user.roles)
        go(where, customer_id=customers.get(int(row["case_id"])))

# Recommendations from SPOC reviews that this person owns can be closed here.
mine = reads.recommendations(db, user, today, True, False, None)
mine = mine[mine["owner_id"] == user.id] if len(mine) else mine
if len(mine):
    st.subheader("Recommendations assigned to you")
    by_id = {int(r.recommendation_id): r for r in mine.itertuples(index=False)}
    nonce = int(st.session_state.get("home_done_nonce", 0))
    with st.form(f"home_done_{nonce}"):
        chosen = st.selectbox(
            "Recommendation",
            list(by_id),
            format_func=lambda v: (
                f"{by_id[v].customer_name}: {by_id[v].text[:70]} (due {uk_date(by_id[v].due_on)})"
            ),
            key=f"home_done_{nonce}_choice",
        )
        note = st.text_area("What was done", key=f"home_done_{nonce}_note")
        submitted = st.form_submit_button("Mark done")
    if submitted:
        done = attempt(
            lambda: (
                complete_recommendation(
                    runtime.engine(),
                    user=user,
                    recommendation_id=int(chosen),
                    note=note,
                    today=today,
                )
                or True
            ),
            "Recommendation marked done.",
        )
        if done is not None:
            st.session_state["home_done_nonce"] = nonce + 1
            st.session_state["home_flash"] = "Recommendation marked done."
            st.rerun()

# Managers: their teams' totals.
if user.roles & TEAM_TOTALS_ROLES:
    totals = reads.team_totals(db, user, today)
    scope = "every team" if user.roles & ALL_TEAMS_ROLES else "your teams"
    st.subheader("Your teams")
    st.caption(
        f"Items overdue or due in the next {HORIZON} days across {scope}, by the case's team."
    )
    if totals.empty:
        st.success("Nothing overdue or due soon in your teams.")
    else:
        rows = []
        for team, part in totals.groupby("team", sort=True):
            detail = "; ".join(
                f"{kind_label(str(r.kind))}: {int(r.overdue)} overdue, {int(r.due_soon)} due"
                for r in part.itertuples(index=False)
                if int(r.overdue) or int(r.due_soon)
            )
            rows.append(
                {
                    "Team": team,
                    "Overdue": int(part["overdue"].sum()),
                    f"Due in {HORIZON} days": int(part["due_soon"].sum()),
                    "By kind": detail,
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="home_teams")
