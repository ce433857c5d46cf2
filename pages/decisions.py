"""Senior officer's queue: pending appeals and reconsiderations (§11)."""

from ube_ui.guard import require

user = require("senior_officer")

import streamlit as st

from ube_core.procedure import Action, AppealOutcome, ReconsiderationOutcome
from ube_core.queries import pending_decisions
from ube_core.queries_case import case_view
from ube_core.services import casework
from ube_ui import runtime
from ube_ui.casework import (
    CUSTOMER_PAGE,
    case_link_params,
    clear_widgets,
    date_field,
    days_phrase,
    marker_banner,
    md,
    save,
    show_flash,
)
from ube_ui.format import uk_date

engine = runtime.engine()
today = runtime.today()
KIND = {"appeal": "Appeal", "reconsideration": "Reconsideration request"}

st.title("Appeals and reconsiderations")
st.caption(
    "Each must be decided within 28 days of receipt (§11). Your decision is final; a customer "
    "who remains dissatisfied is signposted to the Housing Ombudsman."
)
show_flash()

queue = pending_decisions(engine, user=user, today=today)
if queue.empty:
    st.success("Nothing is waiting for a decision.", icon=":material/task_alt:")
    st.stop()

overdue = int((queue["days_left"] < 0).sum())
st.markdown(
    f"**{len(queue)} waiting**"
    + (f" · :red[**{overdue} overdue**]" if overdue else " · none overdue")
)
table = queue.assign(
    what=queue["kind"].map(KIND),
    received=queue["received_on"].map(uk_date),
    due=queue["decision_due"].map(uk_date),
    status=queue["days_left"].map(days_phrase),
    made_by=queue["restriction_made_by"].fillna("—"),
)[["customer_name", "tenancy_ref", "what", "received", "due", "status", "made_by"]]
late = set(queue.index[queue["days_left"] < 0])
st.dataframe(
    table.style.apply(
        lambda row: [
            "color: #b00020; font-weight: bold" if row.name in late and c == "status" else ""
            for c in row.index
        ],
        axis=1,
    ),
    column_config={
        "customer_name": "Customer",
        "tenancy_ref": "Tenancy ref",
        "what": "Request",
        "received": "Received",
        "due": "Decision due",
        "status": "Time left",
        "made_by": "Restriction made by",
    },
    hide_index=True,
    width="stretch",
    key="decisions_queue",
)

by_id = {int(row.appeal_id): row for row in queue.itertuples(index=False)}
picked = st.selectbox(
    "Request to decide",
    list(by_id),
    format_func=lambda i: (
        f"{KIND[by_id[i].kind]} — {by_id[i].customer_name} ({by_id[i].tenancy_ref}) — "
        f"{days_phrase(int(by_id[i].days_left))}"
    ),
    key="decisions_pick",
)
item = by_id[picked]
if st.session_state.get("casework_decision_item") != picked:
    clear_widgets(["decisions_form_"])
    st.session_state["casework_decision_item"] = picked

view = case_view(engine, user=user, today=today, case_id=int(item.case_id))
seen_key = f"casework_seen_version_{view.case_id}"
expected_version = st.session_state.get(seen_key, view.version)

st.subheader(f"{KIND[item.kind]}: {md(item.customer_name)}", anchor=False)
received = f"Received {uk_date(item.received_on)}"
if item.kind == "appeal" and item.letter_date is not None:
    received += f" against the decision letter of {uk_date(item.letter_date)} (in time)"
phrase = days_phrase(int(item.days_left))
shown = f":red[**{phrase}**]" if item.days_left < 0 else f"**{phrase}**"
st.markdown(f"{received}. Decision due {uk_date(item.decision_due)} — {shown}.")
st.page_link(
    CUSTOMER_PAGE,
    label=f"Open the case of {md(item.customer_name)}",
    icon=":material/folder_open:",
    query_params=case_link_params(view.customer.id),
)
marker_banner(view)
if view.restriction is not None and view.restriction.reasons:
    st.markdown(f"**Reasons given for the restriction:** {md(view.restriction.reasons)}")

action = Action.APPEAL_DECISION if item.kind == "appeal" else Action.RECONSIDERATION_DECISION
option = view.option(action)
blocked = option is None or not option.allowed
if option is not None and option.reasons:
    st.markdown(f":gray[**You can't decide this {KIND[item.kind].lower()}:**]")
    for text in option.explanations:
        st.caption(f"• {text}")

outcomes = (
    {o.value: o.label for o in AppealOutcome}
    if item.kind == "appeal"
    else {o.value: o.label for o in ReconsiderationOutcome}
)
prefix = f"decisions_form_{item.kind}_"
with st.form("decisions_form"):
    on = date_field("Date of the decision *", prefix + "on", today)
    outcome = st.radio(
        "Decision *",
        list(outcomes),
        index=None,
        format_func=outcomes.__getitem__,
        horizontal=True,
        key=prefix + "outcome",
    )
    reasons = st.text_area(
        "Reasons (they go in the letter to the customer) *", key=prefix + "reasons", height=140
    )
    fact_sheet = False
    if item.kind == "appeal":
        fact_sheet = st.checkbox(
            "The fact sheet is sent with the decision letter (§11)", key=prefix + "fact_sheet"
        )
    if st.form_submit_button("Record decision", type="primary", disabled=blocked):
        save(
            lambda: casework.decide(
                engine,
                user=user,
                case_id=int(item.case_id),
                kind=str(item.kind),
                on=on,
                outcome=outcome,
                reasons=reasons,
                fact_sheet_sent=fact_sheet,
                today=today,
                expected_version=expected_version,
            ),
            f"Decision recorded for {md(item.customer_name)}: "
            f"{outcomes.get(outcome or '', '').lower()}. Write to the customer"
            + (" with the fact sheet." if item.kind == "appeal" else "."),
            clear=["decisions_form_", "decisions_pick"],
            link=(f"Open the case of {md(item.customer_name)}", case_link_params(view.customer.id)),
        )

st.session_state[seen_key] = view.version
