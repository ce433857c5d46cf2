"""Contact screening: "the customer is on the phone" (§5, §7, §8)."""

from ube_ui.guard import require

user = require("officer", "case_manager", "line_manager", "senior_officer")

import streamlit as st

from ube_core.procedure import Channel, ExclusionTopic, Screen
from ube_core.queries_case import case_view
from ube_core.services import casework
from ube_core.services.cases import Screening, screen_contact
from ube_ui import runtime
from ube_ui.casework import customer_picker, describe, marker_banner, md, save, show_flash

engine = runtime.engine()
today = runtime.today()

st.title("Contact screening")
st.caption("The customer is on the phone, at the desk or in the inbox: may we take this contact?")
show_flash()
customer = customer_picker(user, "screening")
if customer is None:
    st.info("Find the customer to see at once whether you may take the contact.")
    st.stop()

st.markdown(f"**Customer:** {md(describe(customer))}")
view = case_view(engine, user=user, today=today, customer_id=customer.id)
marker_banner(view)

c1, c2 = st.columns(2)
channel = c1.radio(
    "How are they in touch?",
    [c.value for c in Channel],
    format_func=lambda v: Channel(v).label,
    horizontal=True,
    key="screening_channel",
)
topic = c2.selectbox(
    "What is it about?",
    ["", *(t.value for t in ExclusionTopic)],
    format_func=lambda v: ExclusionTopic(v).label if v else "Anything else",
    key="screening_topic",
    help="Critical anti-social behaviour, new or urgent repairs, emergencies, safeguarding "
    "and domestic abuse are always handled, whatever the restriction (§7).",
)
via_spoc = st.checkbox(
    "The contact came through the single point of contact (SPOC)", key="screening_via_spoc"
)

result = screen_contact(
    engine,
    user=user,
    customer_id=customer.id,
    channel=Channel(channel),
    topic=topic or None,
    via_spoc=via_spoc,
    today=today,
)
why = md(result.why)
if result.screen is Screen.ALLOWED:
    reason = (
        "It keeps to the restriction's arrangements."
        if result.marker.restricted
        else "There is no contact restriction."
    )
    st.success(f"**Take this contact.** {reason}", icon=":material/check_circle:")
elif result.screen is Screen.EXCLUSION:
    st.warning(
        f"**Handle it: {md(ExclusionTopic(topic).label)} is always dealt with (§7)**, even "
        f"though {why}. Record the contact below.",
        icon=":material/priority_high:",
    )
else:
    st.error(
        f"**Don't take this contact: it breaches the restriction** — {why}.  \n"
        "Explain politely how they may contact us (see the marker above), and record it "
        "below: the breach is kept on the case (§8).",
        icon=":material/block:",
    )

label = {
    Screen.ALLOWED: "Record this contact",
    Screen.EXCLUSION: "Record this contact (exclusion)",
    Screen.BREACH: "Record the breach",
}[result.screen]


def recorded(saved: Screening) -> str:
    if saved.screen is Screen.BREACH:
        return (
            f"Breach recorded by {Channel(channel).label.lower()} for {md(customer.name)}: "
            "the case manager can now send a warning about ignoring the restrictions (§8)."
        )
    return f"Contact recorded for {md(customer.name)} ({saved.screen.label.lower()})."


with st.form("screening_record"):
    note = st.text_area(
        "Note (what they wanted, what you told them)", key="screening_note", max_chars=4000
    )
    if st.form_submit_button(label, type="primary", icon=":material/save:"):
        save(
            lambda: casework.contact(
                engine,
                user=user,
                customer_id=customer.id,
                channel=channel,
                topic=topic or None,
                via_spoc=via_spoc,
                note=note,
                today=today,
            ),
            recorded,
            clear=["screening_note", "screening_topic", "screening_via_spoc", "screening_channel"],
        )
