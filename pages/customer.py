"""Customer record and case: warning marker, needs, chronology, next steps."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer", "manager")

from datetime import timedelta

import streamlit as st

from ube_core.errors import ConcurrentChange, DomainError
from ube_core.procedure import Action, Behaviour, Category, Channel, Severity
from ube_core.queries import case_chronology
from ube_core.queries_case import case_incidents, case_view
from ube_core.services import casework
from ube_core.services.customers import get_customer
from ube_ui import runtime
from ube_ui.case_forms import FormContext, next_steps
from ube_ui.casework import (
    clear_widgets,
    customer_picker,
    days_phrase,
    default,
    due_list,
    marker_banner,
    md,
    save,
    show_flash,
)
from ube_ui.format import uk_date, uk_datetime

try:
    from ube_ui.letters_panel import letters_panel
except ImportError:  # letters arrive with their own module
    letters_panel = None

engine = runtime.engine()
today = runtime.today()
NEEDS_FRESH = timedelta(minutes=10)
SECTION_KEY = "customer_section"

st.title("Customer and case")
show_flash()
customer = customer_picker(user, "customer")
if customer is None:
    st.info("Find a customer to see their warning marker, case and next steps.")
    st.stop()

# Typed-in forms belong to one customer: start afresh when another one is chosen.
if st.session_state.get("casework_form_customer") != customer.id:
    clear_widgets(["customer_", "casework_needs_"], keep=["customer_search", "customer_match"])
    st.session_state["casework_form_customer"] = customer.id

view = case_view(engine, user=user, today=today, customer_id=customer.id)
seen_key = f"casework_seen_version_{view.case_id}"
# The version the user saw when the forms were drawn (a change since is someone else's).
expected_version = st.session_state.get(seen_key, view.version)

st.header(md(customer.name), anchor=False)
facts = [f"Tenancy {md(customer.tenancy_ref)}"]
if customer.address:
    facts.append(md(customer.address))
if view.team_name:
    facts.append(f"Team: {md(view.team_name)}")
if view.opened_on:
    facts.append(f"Case opened {uk_date(view.opened_on)}")
st.caption(" · ".join(facts))

marker_banner(view)
for pending in view.pending:
    what = "Appeal" if pending.kind == "appeal" else "Reconsideration request"
    days = (pending.decision_due - today).days
    phrase = days_phrase(days)
    shown = f":red[**{phrase}**]" if days < 0 else f"**{phrase}**"
    st.markdown(
        f"{what} received {uk_date(pending.received)}: the senior officer's decision is due "
        f"{uk_date(pending.decision_due)} — {shown}."
    )
due_list(view)

case_role = user.sees_special_category
is_manager = "manager" in user.roles
tabs = ["Next steps"] if case_role else []
tabs += ["Chronology", "Incidents"]
if case_role:
    tabs.append("Needs and support")
if letters_panel is not None and view.case_id is not None and (case_role or is_manager):
    tabs.append("Letters")
# Keyed and stateful: the section chosen stays open across the rerun that follows a save.
if st.session_state.get(SECTION_KEY) not in tabs:
    st.session_state.pop(SECTION_KEY, None)
panels = dict(zip(tabs, st.tabs(tabs, key=SECTION_KEY, on_change="rerun"), strict=True))

# Special-category data: read (and so audited) when this customer is opened, and again at
# most every ten minutes while they stay open, not on every click.
record = None
if case_role:
    cache_key = f"casework_needs_{customer.id}"
    cached = st.session_state.get(cache_key)
    if cached is None or runtime.now() - cached[0] > NEEDS_FRESH:
        cached = (runtime.now(), get_customer(engine, user=user, customer_id=customer.id))
        st.session_state[cache_key] = cached
    record = cached[1]

if "Next steps" in panels:
    with panels["Next steps"]:
        if view.case_id is None:
            st.info(f"No case is open for {md(customer.name)}: log an incident to open one.")
            st.page_link(
                "pages/incident.py",
                label="Log an incident",
                icon=":material/edit_note:",
                query_params={"customer": str(customer.id)},
            )
        else:
            needs_summary = None
            if record is not None:
                needs_summary = "; ".join(x for x in (record.needs, record.adjustments) if x)
            next_steps(
                FormContext(
                    user=user,
                    view=view,
                    expected_version=expected_version,
                    today=today,
                    needs_summary=needs_summary,
                )
            )

with panels["Chronology"]:
    if view.case_id is None:
        st.caption("Nothing recorded yet.")
    else:
        kinds = st.multiselect(
            "Show only",
            [a.value for a in Action],
            format_func=lambda v: Action(v).label,
            placeholder="Every kind of step",
            key="customer_chronology_kinds",
        )
        steps = case_chronology(engine, user=user, case_id=view.case_id, kinds=kinds or None)
        steps = steps.sort_values(["date", "seq"], kind="stable")
        st.caption(f"{len(steps)} steps, oldest first.")
        st.dataframe(
            steps.assign(date=steps["date"].map(uk_date))[["date", "label", "summary", "by"]],
            column_config={
                "date": "Date",
                "label": "Step",
                "summary": "Details",
                "by": "Recorded by",
            },
            hide_index=True,
            width="stretch",
            key="customer_chronology",
        )

with panels["Incidents"]:
    if view.case_id is None:
        st.caption("No incidents recorded.")
    else:
        incidents = case_incidents(engine, user=user, case_id=view.case_id)
        if incidents.empty:
            st.caption("No incidents recorded.")
        else:
            st.dataframe(
                incidents.assign(
                    occurred_at=incidents["occurred_at"].map(
                        lambda v: uk_datetime(v.astimezone(runtime.LONDON))
                    ),
                    category=incidents["category"].map(lambda v: Category(v).label),
                    behaviour=incidents["behaviour"].map(lambda v: Behaviour(v).label if v else ""),
                    severity=incidents["severity"].map(lambda v: Severity(v).label),
                    channel=incidents["channel"].map(lambda v: Channel(v).label),
                    colleague_ended_contact=incidents["colleague_ended_contact"].map(
                        lambda v: "Yes" if v else "No"
                    ),
                    follow_up=incidents["follow_up"].map(lambda v: "Yes" if v else "No"),
                ),
                column_config={
                    "occurred_at": "When",
                    "category": "Kind",
                    "behaviour": "Behaviour (§3)",
                    "severity": "Severity",
                    "channel": "Channel",
                    "colleague": "Colleague",
                    "colleague_ended_contact": "Contact ended (§4)",
                    "police_ref": "Police ref",
                    "witnesses": "Witnesses",
                    "follow_up": "Follow-up",
                    "narrative": "What happened",
                    "action_taken": "Action taken",
                },
                hide_index=True,
                width="stretch",
                key="customer_incidents",
            )


def forget_needs(error: DomainError) -> None:
    """Someone else changed the record: read it afresh (typed values are kept)."""
    if isinstance(error, ConcurrentChange):
        st.session_state.pop(f"casework_needs_{customer.id}", None)


if "Needs and support" in panels and record is not None:
    with panels["Needs and support"]:
        public = record.customer
        st.caption(
            "Special-category information (§2): visible to case roles only; every view is "
            "logged. A change to needs, communication needs or language records a change of "
            "circumstances, so the equality impact assessment must be reviewed."
        )
        shown = {
            "Health and support needs": record.needs,
            "Reasonable adjustments": record.adjustments,
            "Language": public.language,
            "Communication needs": public.communication_needs,
            "Representative or advocate": public.representative,
        }
        for label, value in shown.items():
            st.markdown(f"**{label}:** {md(value) if value else '_none recorded_'}")
        prefix = f"customer_needs_{customer.id}_"
        default(prefix + "needs", record.needs or "")
        default(prefix + "adjustments", record.adjustments or "")
        default(prefix + "language", public.language)
        default(prefix + "communication", public.communication_needs)
        default(prefix + "representative", public.representative)
        with st.form("customer_needs"):
            needs = st.text_area(
                "Health and support needs (disabilities, mental health, vulnerabilities)",
                key=prefix + "needs",
                max_chars=2000,
            )
            adjustments = st.text_area(
                "Reasonable adjustments", key=prefix + "adjustments", max_chars=4000
            )
            c1, c2 = st.columns(2)
            language = c1.text_input("Language", key=prefix + "language", max_chars=60)
            representative = c2.text_input(
                "Representative or advocate", key=prefix + "representative", max_chars=500
            )
            communication = st.text_area(
                "Communication needs (literacy, hearing, sign language, interpreter…)",
                key=prefix + "communication",
                max_chars=2000,
            )
            note = st.text_input(
                "What changed, and how we learnt of it", key=prefix + "note", max_chars=4000
            )
            if st.form_submit_button("Save needs and support", type="primary"):
                save(
                    lambda: casework.update_support(
                        engine,
                        user=user,
                        customer_id=customer.id,
                        needs=needs,
                        adjustments=adjustments,
                        language=language,
                        communication_needs=communication,
                        representative=representative,
                        note=note,
                        today=today,
                        expected_version=record.version,
                    ),
                    lambda saved: (
                        "Needs and support saved."
                        + (
                            " A change of circumstances was recorded on the case: review the "
                            "equality impact assessment before any further formal action (§2)."
                            if saved.circumstances_recorded
                            else ""
                        )
                    ),
                    clear=[prefix, f"casework_needs_{customer.id}"],
                    on_error=forget_needs,
                )

if "Letters" in panels and letters_panel is not None:
    with panels["Letters"]:
        letters_panel(user, view.case_id)

st.session_state[seen_key] = view.version
