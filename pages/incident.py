"""Log an incident (§3, §4)."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer")

from datetime import datetime, time, timedelta

import streamlit as st

from ube_core.procedure import BEHAVIOURS, Behaviour, Category, Channel, Severity
from ube_core.queries_case import case_view, manages_anyone, reported_incidents, team_choices
from ube_core.services import casework
from ube_core.storage.models import CustomerPublic, IncidentPublic
from ube_ui import runtime
from ube_ui.casework import (
    case_link_params,
    choose_customer,
    customer_picker,
    date_field,
    default,
    describe,
    marker_banner,
    md,
    save,
    show_flash,
)
from ube_ui.format import uk_datetime

engine = runtime.engine()
now = runtime.now()
today = now.date()

st.title("Log an incident")
st.caption(
    "Record the behaviour as soon as you can (§4). Fields marked * are needed; the rest help "
    "the case manager."
)
show_flash()

# -- who: one search box, then the warning marker before anything is typed -----------------
customer = customer_picker(user, "incident")
if customer is not None:
    st.markdown(f"**Customer:** {md(describe(customer))}")
    marker_banner(case_view(engine, user=user, today=today, customer_id=customer.id))
else:
    st.info("Find the customer first: their warning marker shows here before you save.")


def added(new: CustomerPublic) -> str:
    choose_customer(new.id)
    return f"{md(new.name)} ({md(new.tenancy_ref)}) added: log the incident below."


with st.expander("Customer not on the system? Add them", expanded=False):
    teams = team_choices(engine, user=user)
    team_names = dict(teams.teams)
    with st.form("incident_new_customer"):
        c1, c2 = st.columns(2)
        ref = c1.text_input("Tenancy reference *", key="incident_new_ref", max_chars=32)
        name = c2.text_input("Full name *", key="incident_new_name", max_chars=200)
        address = st.text_input("Address", key="incident_new_address", max_chars=500)
        c3, c4 = st.columns(2)
        phone = c3.text_input("Phone", key="incident_new_phone", max_chars=40)
        email = c4.text_input("Email", key="incident_new_email", max_chars=254)
        c5, c6 = st.columns(2)
        language = c5.text_input("Language", value="English", key="incident_new_language")
        team = c6.selectbox(
            "Team",
            list(team_names),
            index=list(team_names).index(teams.mine) if teams.mine in team_names else None,
            format_func=lambda i: team_names[i],
            placeholder="Choose the team" if team_names else "No teams set up",
            key="incident_new_team",
        )
        if st.form_submit_button("Add customer", icon=":material/person_add:"):
            save(
                lambda: casework.add_customer(
                    engine,
                    user=user,
                    tenancy_ref=ref,
                    name=name,
                    address=address,
                    phone=phone,
                    email=email,
                    language=language,
                    team_id=team,
                ),
                added,
                clear=["incident_new_"],
            )

# -- what: the category first, so the §3 examples follow it --------------------------------
category = st.selectbox(
    "Kind of behaviour (§3) *",
    [c.value for c in Category],
    index=None,
    format_func=lambda v: Category(v).label,
    placeholder="Choose the kind of behaviour",
    key="incident_category",
)
examples = [b.value for b in BEHAVIOURS[Category(category)]] if category else []

default("incident_date", today)
default("incident_time", time(now.hour, now.minute))
default("incident_colleague", user.name)
with st.form("incident_form"):
    c1, c2, c3 = st.columns(3)
    with c1:
        when_day = date_field("Date of incident *", "incident_date", today)
    when_time = c2.time_input("Time *", step=timedelta(minutes=1), key="incident_time")
    channel = c3.selectbox(
        "How was the customer in contact? *",
        [c.value for c in Channel],
        index=None,
        format_func=lambda v: Channel(v).label,
        placeholder="Choose the channel",
        key="incident_channel",
    )
    behaviour = st.selectbox(
        "What the customer did: the example from §3 that fits best *",
        examples,
        index=None,
        format_func=lambda v: Behaviour(v).label,
        placeholder="Choose an example" if examples else "Choose the kind of behaviour above",
        key="incident_behaviour",
    )
    c4, c5 = st.columns(2)
    severity = c4.selectbox(
        "Severity *",
        [s.value for s in Severity],
        index=None,
        format_func=lambda v: Severity(v).label,
        placeholder="Choose how serious it was",
        key="incident_severity",
    )
    colleague = c5.text_input(
        "Colleague the behaviour was directed at *", key="incident_colleague", max_chars=120
    )
    narrative = st.text_area(
        "What happened *",
        key="incident_narrative",
        height=160,
        max_chars=20000,
        placeholder="What was said or done, in the customer's words where possible.",
    )
    ended = st.checkbox(
        "The colleague ended the contact after telling the customer their behaviour was "
        "unacceptable (§4)",
        key="incident_ended_contact",
    )
    action_taken = st.text_area("Action taken at the time", key="incident_action", height=80)
    c6, c7 = st.columns(2)
    police_ref = c6.text_input("Police reference", key="incident_police_ref", max_chars=40)
    witnesses = c7.text_input("Witness colleagues", key="incident_witnesses", max_chars=500)
    follow_up = st.checkbox("Follow-up needed by the case manager", key="incident_follow_up")
    submitted = st.form_submit_button("Save incident", type="primary", icon=":material/save:")


def logged(saved: IncidentPublic) -> str:
    kind = Category(saved.category).label.lower()
    return (
        f"Incident logged for {md(customer.name if customer else '')} "
        f"({Severity(saved.severity).label.lower()}, {kind}). "
        "It is on the case, and your line manager sees it in their reported incidents."
    )


if submitted:
    moment = (
        datetime.combine(when_day, when_time, tzinfo=runtime.LONDON)
        if when_day is not None and when_time is not None
        else None
    )
    save(
        lambda: casework.log_incident(
            engine,
            user=user,
            customer_id=customer.id if customer else None,
            occurred_at=moment,
            channel=channel,
            colleague=colleague,
            category=category,
            behaviour=behaviour,
            severity=severity,
            narrative=narrative,
            colleague_ended_contact=ended,
            police_ref=police_ref,
            witnesses=witnesses,
            follow_up=follow_up,
            action_taken=action_taken,
            now=runtime.now(),
        ),
        logged,
        clear=["incident_"],
        link=(
            (f"Open the case of {md(customer.name)}", case_link_params(customer.id))
            if customer
            else None
        ),
    )

# -- line managers: what their colleagues reported (§4) ------------------------------------
if manages_anyone(engine, user=user):
    st.subheader("Incidents reported to you")
    reported = reported_incidents(engine, user=user, since=today - timedelta(days=14))
    if reported.empty:
        st.caption("Nobody you manage has logged an incident in the last 14 days.")
    else:
        st.caption("Logged in the last 14 days by colleagues you manage, newest first.")
        st.dataframe(
            reported.assign(
                occurred_at=reported["occurred_at"].map(
                    lambda v: uk_datetime(v.astimezone(runtime.LONDON))
                ),
                category=reported["category"].map(lambda v: Category(v).label),
                severity=reported["severity"].map(lambda v: Severity(v).label),
                channel=reported["channel"].map(lambda v: Channel(v).label),
                follow_up=reported["follow_up"].map(lambda v: "Yes" if v else "No"),
                colleague_ended_contact=reported["colleague_ended_contact"].map(
                    lambda v: "Yes" if v else "No"
                ),
            ).drop(columns=["customer_id"]),
            column_config={
                "customer_name": "Customer",
                "tenancy_ref": "Tenancy ref",
                "occurred_at": "When",
                "category": "Kind",
                "severity": "Severity",
                "channel": "Channel",
                "reported_by": "Reported by",
                "follow_up": "Follow-up needed",
                "colleague_ended_contact": "Contact ended",
            },
            hide_index=True,
            width="stretch",
            key="incident_reported",
        )
