"""SPOC oversight (§6): this quarter's sign-off of each SPOC's work, and recommendations."""

from ube_ui.guard import require

user = require("line_manager", "case_manager", "senior_officer")

import pandas as pd
import streamlit as st

from ube_core.procedure import Role
from ube_core.services.cases import RecommendationIn, complete_recommendation, quarter_of
from ube_core.services.oversight import CHECK_LABELS, sign_off_spoc
from ube_ui import reads, runtime
from ube_ui.format import uk_date
from ube_ui.oversight import (
    SPOC_STATUS_LABELS,
    attention_style,
    date_column,
    due_text,
    open_case,
)
from ube_ui.widgets import attempt

RECOMMENDATION_SLOTS = 3

today = runtime.today()
db = reads.db()
options = reads.filter_options(db, user)
colleagues = dict(options.colleagues)
quarter = quarter_of(today)

st.title("SPOC oversight")
flash = st.session_state.pop("spoc_flash", None)
if flash:
    st.success(flash)
st.caption(
    "Each quarter a colleague who is not the SPOC — usually their line manager — checks the "
    "SPOC's correspondence and decisions, records the check on the case and follows up any "
    "recommendations until they are done (§6)."
)

# -- whose SPOCs ---------------------------------------------------------------------------
managers = {user.id: f"{user.name} (you)", **dict(options.line_managers)}
if user.roles & {Role.CASE_MANAGER, Role.SENIOR_OFFICER} and len(managers) > 1:
    manager_id = st.selectbox(
        "SPOCs overseen by",
        list(managers),
        format_func=lambda v: managers[v],
        key="spoc_manager",
    )
else:
    manager_id = user.id
assert manager_id is not None

work, customers = reads.spoc_worklist(db, user, int(manager_id), today)


def status_text(row: pd.Series) -> str:
    if row["status"] == "signed_off":
        return f"Signed off ({uk_date(row['last_reviewed_on'])})"
    due = row["spoc_review_due"]
    if row["status"] == "overdue":
        return due_text(due, today, overdue=True)
    return f"Due by {uk_date(due)}" if due is not None else "Due"


counts = work["status"].value_counts() if len(work) else pd.Series(dtype=int)
metrics = st.columns(4)
metrics[0].metric(f"Customers with a SPOC ({quarter})", len(work))
metrics[1].metric("Signed off this quarter", int(counts.get("signed_off", 0)))
metrics[2].metric("Due", int(counts.get("due", 0)))
metrics[3].metric("Overdue", int(counts.get("overdue", 0)))

if work.empty:
    st.info("No active restriction with a SPOC is overseen here.")
else:
    for (spoc_id, spoc_name), part in work.groupby(["spoc_user_id", "spoc_name"], sort=False):
        late = int((part["status"] == "overdue").sum())
        st.subheader(
            f"{spoc_name}: {len(part)} customer(s)" + (f", {late} overdue" if late else "")
        )
        if int(spoc_id) == user.id:
            st.warning(
                "You are this SPOC: someone else must sign off your work (the procedure "
                "does not let a SPOC review their own correspondence and decisions)."
            )
        table = pd.DataFrame(
            {
                "Customer": part["customer_name"],
                "Tenancy ref": part["tenancy_ref"],
                "This quarter": [status_text(r) for _, r in part.iterrows()],
                "Review due": part["spoc_review_due"],
                "Last reviewed": part["last_reviewed_on"],
                "Letters": part["letters_in_quarter"],
                "Contacts": part["contacts_in_quarter"],
                "Breaches": part["breaches_in_quarter"],
                "Open recommendations": part["open_recommendations"],
            }
        )
        st.dataframe(
            attention_style(table, "This quarter", when="Overdue"),
            hide_index=True,
            width="stretch",
            key=f"spoc_table_{int(spoc_id)}",
            column_config={
                "Review due": date_column("Review due"),
                "Last reviewed": date_column("Last reviewed"),
                "Letters": st.column_config.NumberColumn("Letters", help="This quarter"),
                "Contacts": st.column_config.NumberColumn("Contacts", help="This quarter"),
            },
        )

    # -- the sign-off form --------------------------------------------------------------------
    st.header("Sign off a SPOC's quarter")
    order = {"overdue": 0, "due": 1, "signed_off": 2}
    choices = sorted(
        work.itertuples(index=False), key=lambda r: (order.get(r.status, 3), r.customer_name)
    )
    by_id = {int(r.restriction_id): r for r in choices}
    restriction_id = st.selectbox(
        "Customer and SPOC",
        list(by_id),
        format_func=lambda v: (
            f"{by_id[v].customer_name} ({by_id[v].tenancy_ref}) — SPOC {by_id[v].spoc_name} — "
            f"{SPOC_STATUS_LABELS.get(by_id[v].status, by_id[v].status)}"
        ),
        key="spoc_restriction",
    )
    chosen = by_id[int(restriction_id)]
    correspondence = reads.correspondence(db, user, int(chosen.restriction_id), today)
    n_letters, n_contacts = len(correspondence.letters), len(correspondence.contacts)
    n_steps = len(correspondence.decisions)
    st.markdown(
        f"**{chosen.customer_name}** ({chosen.tenancy_ref}), SPOC **{chosen.spoc_name}**. "
        f"Quarter {quarter}: {uk_date(correspondence.quarter_start)} to "
        f"{uk_date(correspondence.quarter_end)}."
    )
    with st.expander(
        f"Correspondence this quarter: {n_letters} letter(s), {n_contacts} contact(s), "
        f"{n_steps} other recorded step(s)"
    ):
        st.markdown("**Letters**")
        st.dataframe(
            correspondence.letters.rename(
                columns={
                    "letter_id": "Letter",
                    "dated": "Dated",
                    "kind": "Kind",
                    "channel": "Sent by",
                    "sent_by": "Sent by (colleague)",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Dated": date_column("Dated")},
        )
        st.markdown("**Contacts screened against this restriction**")
        st.dataframe(
            correspondence.contacts.rename(
                columns={
                    "contact_id": "Contact",
                    "occurred_on": "On",
                    "channel": "Channel",
                    "topic": "Topic",
                    "via_spoc": "Via SPOC",
                    "screen": "Screened as",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"On": date_column("On")},
        )
        st.markdown("**Decisions and other steps on the case**")
        st.dataframe(
            correspondence.decisions.rename(
                columns={
                    "seq": "Step",
                    "occurred_on": "On",
                    "action": "Action",
                    "summary": "Summary",
                    "by": "By",
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"On": date_column("On")},
        )
    customer_id = customers.get(int(chosen.case_id))
    if customer_id is not None and st.button("Open the case", key="spoc_open_case"):
        open_case(customer_id)

    nonce = int(st.session_state.get("spoc_form_nonce", 0))
    owner_ids: list[int | None] = [None, *colleagues]
    with st.form(f"spoc_signoff_{nonce}"):
        on = st.date_input(
            "Date of the check", value=today, max_value=today, format="DD/MM/YYYY", key="spoc_on"
        )
        st.markdown("**Checklist**")
        ticks = {
            "correspondence_reviewed": st.checkbox(
                f"{CHECK_LABELS['correspondence_reviewed']}: {n_letters} letter(s) and "
                f"{n_contacts} contact(s) this quarter",
                key=f"spoc_{nonce}_correspondence",
            ),
            "decisions_reviewed": st.checkbox(
                f"{CHECK_LABELS['decisions_reviewed']}: {n_steps} recorded step(s) this quarter",
                key=f"spoc_{nonce}_decisions",
            ),
            "customer_informed_of_changes": st.checkbox(
                CHECK_LABELS["customer_informed_of_changes"], key=f"spoc_{nonce}_informed"
            ),
            "still_proportionate": st.checkbox(
                CHECK_LABELS["still_proportionate"], key=f"spoc_{nonce}_proportionate"
            ),
            "eia_current": st.checkbox(CHECK_LABELS["eia_current"], key=f"spoc_{nonce}_eia"),
            "replies_timely": st.checkbox(
                CHECK_LABELS["replies_timely"], key=f"spoc_{nonce}_timely"
            ),
        }
        findings = st.text_area(
            "Findings",
            help="What you found; needed when a checklist item is not ticked.",
            key=f"spoc_{nonce}_findings",
        )
        st.markdown("**Recommendations** (leave a row blank if not needed)")
        rows = []
        for i in range(1, RECOMMENDATION_SLOTS + 1):
            cols = st.columns([3, 1.5, 1])
            text = cols[0].text_input(f"Recommendation {i}", key=f"spoc_{nonce}_rec{i}_text")
            owner = cols[1].selectbox(
                f"Owner of recommendation {i}",
                owner_ids,
                format_func=lambda v: "Choose…" if v is None else colleagues[v],
                key=f"spoc_{nonce}_rec{i}_owner",
            )
            due = cols[2].date_input(
                f"Due date of recommendation {i}",
                value=None,
                min_value=today,
                format="DD/MM/YYYY",
                key=f"spoc_{nonce}_rec{i}_due",
            )
            rows.append((i, text, owner, due))
        submitted = st.form_submit_button("Sign off this quarter", type="primary")

    if submitted:
        recommendations = []
        problem = None
        for i, text, owner, due in rows:
            if not (text.strip() or owner is not None or due is not None):
                continue
            if due is None:
                problem = f"Recommendation {i}: choose a due date."
                break
            recommendations.append(RecommendationIn(text=text, owner_id=owner, due_on=due))
        if problem is not None:
            st.error(problem)
        else:
            done = attempt(
                lambda: sign_off_spoc(
                    runtime.engine(),
                    user=user,
                    restriction_id=int(chosen.restriction_id),
                    on=on or today,
                    checklist=ticks,
                    findings=findings,
                    recommendations=recommendations,
                    today=today,
                ),
                f"Signed off {chosen.spoc_name}'s quarter for {chosen.customer_name}; "
                "recorded on the case.",
            )
            if done is not None:
                st.session_state["spoc_form_nonce"] = nonce + 1
                st.session_state["spoc_flash"] = (
                    f"Signed off {chosen.spoc_name}'s quarter for {chosen.customer_name}; "
                    "recorded on the case."
                )
                st.rerun()

# -- recommendations until done ------------------------------------------------------------
st.header("Recommendations to follow up")
mine_only = st.toggle("Only those I own or raised", value=True, key="spoc_recs_mine")
recs = reads.recommendations(db, user, today, bool(mine_only), False, None)
late = int(recs["overdue"].sum()) if len(recs) else 0
if recs.empty:
    st.success("No open recommendations.")
else:
    if late:
        st.error(f"{late} recommendation(s) overdue.")
    rec_table = pd.DataFrame(
        {
            "Due": recs["due_on"],
            "When": [
                due_text(d, today, overdue=bool(o))
                for d, o in zip(recs["due_on"], recs["overdue"], strict=True)
            ],
            "Customer": recs["customer_name"],
            "Recommendation": recs["text"],
            "Owner": recs["owner_name"].fillna("Not assigned"),
            "Raised by": recs["raised_by"].fillna("—"),
            "Raised on": recs["raised_on"],
        }
    )
    st.dataframe(
        attention_style(rec_table, "When", when="Overdue"),
        hide_index=True,
        width="stretch",
        key="spoc_recs_table",
        column_config={"Due": date_column("Due"), "Raised on": date_column("Raised on")},
    )
    rec_by_id = {int(r.recommendation_id): r for r in recs.itertuples(index=False)}
    done_nonce = int(st.session_state.get("spoc_done_nonce", 0))
    with st.form(f"spoc_done_{done_nonce}"):
        rec_id = st.selectbox(
            "Recommendation done",
            list(rec_by_id),
            format_func=lambda v: (
                f"{rec_by_id[v].customer_name}: {rec_by_id[v].text[:70]} "
                f"(due {uk_date(rec_by_id[v].due_on)})"
            ),
            key=f"spoc_done_{done_nonce}_choice",
        )
        note = st.text_area("What was done", key=f"spoc_done_{done_nonce}_note")
        marked = st.form_submit_button("Mark done")
    if marked:
        completed = attempt(
            lambda: (
                complete_recommendation(
                    runtime.engine(),
                    user=user,
                    recommendation_id=int(rec_id),
                    note=note,
                    today=today,
                )
                or True
            ),
            "Recommendation marked done.",
        )
        if completed is not None:
            st.session_state["spoc_flash"] = "Recommendation marked done."
            st.session_state["spoc_done_nonce"] = done_nonce + 1
            st.rerun()
