"""The case page's "next steps": one form per action the rules engine allows today.

Every form is an ``st.form`` whose widget keys start ``customer_<action>_``; it calls one
service in ``ube_core.services.casework`` with the case version the user saw, and shows the
service's messages (each field's problem, or the engine's reasons) if it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

from ube_core import procedure as p
from ube_core.errors import DomainError, StepRefused
from ube_core.queries_case import ActionOption, CaseView, Colleague, colleagues
from ube_core.services import casework
from ube_core.services.context import UserContext

from . import runtime
from .casework import date_field, md, save
from .format import uk_date


@dataclass(frozen=True)
class FormContext:
    user: UserContext
    view: CaseView
    expected_version: int | None
    today: date
    needs_summary: str | None = None

    @property
    def case_id(self) -> int:
        assert self.view.case_id is not None
        return self.view.case_id


def key(action: p.Action, field: str) -> str:
    return f"customer_{action.value}_{field}"


def form_key(action: p.Action) -> str:
    return f"customer_{action.value}"


def _submit(label: str, *, disabled: bool = False) -> bool:
    return st.form_submit_button(label, type="primary", disabled=disabled)


def _saved(ctx: FormContext, action: p.Action, write: Callable[[], object], message: str) -> None:
    save(write, message, clear=[f"customer_{action.value}_"])


def _colleague_choices(ctx: FormContext) -> dict[int, Colleague]:
    return {c.id: c for c in colleagues(runtime.engine(), user=ctx.user)}


# -- informal steps, EIA, circumstances (§2, §4) -------------------------------------------
def informal(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    kind = p.InformalKind(action.value)
    help_text = (
        "A supportive approach: try to influence the customer to modify their behaviour (§4)."
        if kind is p.InformalKind.SUPPORT
        else "Tell the customer their behaviour is unacceptable and record it on file (§4)."
    )
    st.caption(help_text)
    with st.form(form_key(action)):
        on = date_field("Date *", key(action, "on"), ctx.today)
        note = st.text_area("What was said or offered *", key=key(action, "note"), height=100)
        if _submit(f"Record {action.label.lower()}"):
            _saved(
                ctx,
                action,
                lambda: casework.informal_step(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    kind=kind,
                    on=on,
                    note=note,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                f"{kind.label} recorded.",
            )


PROPORTIONATE = {
    "yes": "Yes – the action is a proportionate means of achieving a legitimate aim",
    "no": "No – it is not proportionate",
}


def eia(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption(
        "Appendix 5: consider the customer's health and personal circumstances and whether "
        "our action is a proportionate means of achieving a legitimate aim (§2)."
    )
    if ctx.needs_summary is not None:
        st.markdown(f"**Recorded needs:** {md(ctx.needs_summary) or 'none recorded'}")
    with st.form(form_key(action)):
        on = date_field("Date of the assessment *", key(action, "on"), ctx.today)
        needs = st.text_area(
            "1. Which needs, disabilities or vulnerabilities were considered? *",
            key=key(action, "needs_considered"),
        )
        adjustments = st.text_area(
            "2. What reasonable adjustments have been made?", key=key(action, "adjustments")
        )
        alternatives = st.text_area(
            "3. Could the needs be met another way? Alternatives considered",
            key=key(action, "alternatives"),
        )
        answer = st.radio(
            "4. Is the proposed action proportionate? *",
            list(PROPORTIONATE),
            index=None,
            format_func=PROPORTIONATE.__getitem__,
            key=key(action, "proportionate"),
        )
        conclusion = st.text_area(
            "Reasons for the conclusion *", key=key(action, "conclusion"), height=100
        )
        if _submit("Record assessment"):
            _saved(
                ctx,
                action,
                lambda: casework.eia(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    needs_considered=needs,
                    adjustments=adjustments,
                    alternatives=alternatives,
                    proportionate=None if answer is None else answer == "yes",
                    conclusion=conclusion,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Equality impact assessment recorded; its review is due in six months.",
            )


def circumstances(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption(
        "A change in the customer's health or personal circumstances: the equality impact "
        "assessment must be reviewed before further formal action (§2)."
    )
    with st.form(form_key(action)):
        on = date_field("Date we learnt of it *", key(action, "on"), ctx.today)
        note = st.text_area("What changed *", key=key(action, "note"))
        if _submit("Record change of circumstances"):
            _saved(
                ctx,
                action,
                lambda: casework.circumstances_change(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    note=note,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Change of circumstances recorded: review the equality impact assessment.",
            )


# -- warnings (§4, §8) ---------------------------------------------------------------------
def _override(ctx: FormContext, option: ActionOption, what: str) -> tuple[bool, str]:
    if not option.override:
        return False, ""
    st.markdown(f"**Without {what} first** — only for serious behaviour (§4):")
    for text in option.explanations:
        st.caption(text)
    skip = st.checkbox(
        f"Go ahead without {what}: the behaviour is serious and a reason is recorded",
        key=key(option.action, "skip"),
    )
    reason = st.text_area(
        "Reason for going ahead without it", key=key(option.action, "override_reason")
    )
    return skip, reason


def formal_warning(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption("A formal written warning placed on the customer's file (§4).")
    with st.form(form_key(action)):
        on = date_field("Date of the warning *", key(action, "on"), ctx.today)
        behaviour = st.text_area(
            "Behaviour the warning is about *", key=key(action, "behaviour"), height=100
        )
        skip, reason = _override(ctx, option, "an informal step")
        if _submit("Record formal warning"):
            _saved(
                ctx,
                action,
                lambda: casework.formal_warning(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    behaviour=behaviour,
                    skip_informal=skip,
                    override_reason=reason,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Formal warning recorded. Send the letter from the Letters tab.",
            )


def restrict(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    people = _colleague_choices(ctx)
    st.caption(
        "The customer is told in writing the reasons, the arrangements, the SPOC and how long "
        "it lasts (§5). A new restriction replaces an active one."
    )
    with st.form(form_key(action)):
        on = date_field("Start date (date of the notice) *", key(action, "on"), ctx.today)
        types = st.multiselect(
            "Types of restriction *",
            [t.value for t in p.RestrictionType],
            format_func=lambda v: p.RestrictionType(v).label,
            key=key(action, "types"),
        )
        c1, c2 = st.columns(2)
        channels = c1.multiselect(
            "Allowed channels (exactly one for “one form of contact only”)",
            [c.value for c in p.Channel],
            format_func=lambda v: p.Channel(v).label,
            key=key(action, "channels"),
        )
        spoc = c2.selectbox(
            "Single point of contact (SPOC)",
            list(people),
            index=None,
            format_func=lambda i: people[i].name,
            placeholder="Choose a colleague",
            key=key(action, "spoc"),
        )
        months = st.number_input(
            "Length in months (1 to 12) *",
            min_value=1,
            max_value=12,
            value=6,
            step=1,
            key=key(action, "months"),
        )
        reasons = st.text_area(
            "Reasons for restricting contact (they go in the letter) *",
            key=key(action, "reasons"),
            height=120,
        )
        st.markdown("**Who has been informed** (§5, §9)")
        informed = st.multiselect(
            "Colleagues",
            [c.name for c in people.values()],
            key=key(action, "informed_colleagues"),
        )
        c3, c4 = st.columns(2)
        contractors = c3.text_input("Contractors", key=key(action, "informed_contractors"))
        agencies = c4.text_input("Agencies", key=key(action, "informed_agencies"))
        skip, reason = _override(ctx, option, "a formal warning and a later incident")
        if _submit("Restrict contact"):
            _saved(
                ctx,
                action,
                lambda: casework.restrict(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    types=types,
                    allowed_channels=channels,
                    spoc_user_id=spoc,
                    months=int(months) if months is not None else None,
                    reasons=reasons,
                    informed_colleagues=informed,
                    informed_contractors=contractors,
                    informed_agencies=agencies,
                    skip_warning=skip,
                    override_reason=reason,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Contact restricted. Send the notice from the Letters tab; the customer may "
                "appeal within 14 days of it.",
            )


def breach_warning(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption(
        "A letter asking the customer to keep to the restrictions and warning of the action "
        "we may take (§8)."
    )
    with st.form(form_key(action)):
        on = date_field("Date of the warning *", key(action, "on"), ctx.today)
        behaviour = st.text_area(
            "How the customer ignored the restrictions *", key=key(action, "behaviour")
        )
        if _submit("Record breach warning"):
            _saved(
                ctx,
                action,
                lambda: casework.breach_warning(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    behaviour=behaviour,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Breach warning recorded.",
            )


def legal(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    with st.form(form_key(action)):
        on = date_field("Date *", key(action, "on"), ctx.today)
        note = st.text_area("Note (advice given, court, reference)", key=key(action, "note"))
        if _submit(f"Record: {action.label.lower()}"):
            _saved(
                ctx,
                action,
                lambda: casework.legal_step(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    action=action,
                    on=on,
                    note=note,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                f"{action.label} recorded.",
            )


# -- reviews, appeals, SPOC (§6, §10, §11) -------------------------------------------------
def review(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption("Do the measures remain, change, or end? Write to the customer either way (§10).")
    with st.form(form_key(action)):
        on = date_field("Date of the review *", key(action, "on"), ctx.today)
        outcome = st.radio(
            "Outcome *",
            [o.value for o in p.ReviewOutcome],
            index=None,
            format_func=lambda v: p.ReviewOutcome(v).label,
            key=key(action, "outcome"),
            horizontal=True,
        )
        letter = st.checkbox(
            "The customer has been written to with the outcome (§10)", key=key(action, "letter")
        )
        notes = st.text_area("What the review looked at, and why *", key=key(action, "notes"))
        if _submit("Record review"):
            _saved(
                ctx,
                action,
                lambda: casework.review(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    outcome=outcome,
                    customer_letter=letter,
                    notes=notes,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "Review recorded.",
            )


def appeal(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    restriction = ctx.view.restriction
    letter_default = restriction.letter_date if restriction else ctx.today
    if restriction is not None:
        st.caption(
            f"The restriction notice is dated {uk_date(restriction.letter_date)}: an appeal is "
            f"in time if it arrived by {uk_date(restriction.appeal_deadline)} (14 days, §11)."
        )
    if option.reasons:
        st.warning(
            "Received today, an appeal would be out of time. If it arrived earlier, enter "
            "that date.",
            icon=":material/schedule:",
        )
    with st.form(form_key(action)):
        c1, c2 = st.columns(2)
        with c1:
            received = date_field("Date the appeal was received *", key(action, "on"), ctx.today)
        with c2:
            letter = date_field(
                "Date on the decision letter *", key(action, "letter"), ctx.today, letter_default
            )
        if _submit("Record appeal"):
            save(
                lambda: casework.appeal(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    received_on=received,
                    letter_date=letter,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                lambda r: (
                    f"Appeal recorded: received in time (the deadline was {uk_date(r.deadline)}). "
                    f"A senior officer must decide it by {uk_date(r.decision_due)} (§11)."
                ),
                clear=[f"customer_{action.value}_"],
                on_error=_out_of_time,
            )


def _out_of_time(error: DomainError) -> None:
    if isinstance(error, StepRefused) and p.Reason.APPEAL_OUT_OF_TIME in error.reasons:
        st.info(
            "The right of appeal is lost, but the customer may ask us to reconsider the "
            "decision: record a reconsideration request instead (§11).",
            icon=":material/lightbulb:",
        )


def reconsideration(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    st.caption(
        "A written request to reconsider the restriction, when the customer shows a more "
        "acceptable approach; a senior officer decides within 28 days (§11)."
    )
    with st.form(form_key(action)):
        received = date_field("Date the request was received *", key(action, "on"), ctx.today)
        if _submit("Record reconsideration request"):
            save(
                lambda: casework.reconsideration(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    received_on=received,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                lambda due: (
                    f"Reconsideration request recorded: the decision is due by {uk_date(due)}."
                ),
                clear=[f"customer_{action.value}_"],
            )


def spoc_handover(ctx: FormContext, option: ActionOption) -> None:
    action = option.action
    people = _colleague_choices(ctx)
    current = ctx.view.restriction.spoc_username if ctx.view.restriction else None
    choices = {i: c for i, c in people.items() if c.username != current}
    st.caption("The customer must be told of the change of SPOC, even a temporary one (§6).")
    with st.form(form_key(action)):
        on = date_field("Date of the handover *", key(action, "on"), ctx.today)
        to = st.selectbox(
            "New SPOC *",
            list(choices),
            index=None,
            format_func=lambda i: choices[i].name,
            placeholder="Choose a colleague",
            key=key(action, "to"),
        )
        temporary = st.checkbox("Temporary (for example, extended leave)", key=key(action, "temp"))
        informed = st.checkbox(
            "The customer has been told of the change of SPOC", key=key(action, "informed")
        )
        if _submit("Hand over"):
            _saved(
                ctx,
                action,
                lambda: casework.spoc_handover(
                    runtime.engine(),
                    user=ctx.user,
                    case_id=ctx.case_id,
                    on=on,
                    to_user_id=to,
                    customer_informed=informed,
                    temporary=temporary,
                    today=ctx.today,
                    expected_version=ctx.expected_version,
                ),
                "SPOC handed over.",
            )


FORMS: dict[p.Action, Callable[[FormContext, ActionOption], None]] = {
    p.Action.SUPPORT: informal,
    p.Action.INITIAL_WARNING: informal,
    p.Action.EIA: eia,
    p.Action.CIRCUMSTANCES_CHANGE: circumstances,
    p.Action.FORMAL_WARNING: formal_warning,
    p.Action.RESTRICT: restrict,
    p.Action.BREACH_WARNING: breach_warning,
    p.Action.LEGAL_ADVICE: legal,
    p.Action.LEGAL_WARNING_LETTER: legal,
    p.Action.INJUNCTION: legal,
    p.Action.CIVIL_RESTRAINT_ORDER: legal,
    p.Action.NOSP: legal,
    p.Action.REVIEW: review,
    p.Action.APPEAL: appeal,
    p.Action.RECONSIDERATION: reconsideration,
    p.Action.SPOC_HANDOVER: spoc_handover,
}

# Actions taken on their own pages.
ELSEWHERE: dict[p.Action, tuple[str, str]] = {
    p.Action.INCIDENT: ("pages/incident.py", "Log an incident"),
    p.Action.CONTACT: ("pages/screening.py", "Screen a contact"),
    p.Action.SPOC_REVIEW: ("pages/spoc_oversight.py", "Quarterly SPOC review"),
    p.Action.APPEAL_DECISION: ("pages/decisions.py", "Decide the appeal"),
    p.Action.RECONSIDERATION_DECISION: ("pages/decisions.py", "Decide the reconsideration"),
}


def next_steps(ctx: FormContext) -> None:
    """Available actions, each opening its own form; the others greyed with the reasons."""
    options = [o for o in ctx.view.actions]
    links = [o for o in options if o.action in ELSEWHERE and o.allowed]
    if links:
        cols = st.columns(len(links))
        for col, option in zip(cols, links, strict=True):
            page, label = ELSEWHERE[option.action]
            col.page_link(
                page,
                label=label,
                icon=":material/arrow_forward:",
                query_params={"customer": str(ctx.view.customer.id)},
            )
    open_forms = [o for o in options if o.action in FORMS and o.form]
    blocked = [o for o in options if not o.form and o.action not in ELSEWHERE]
    if open_forms:
        st.markdown("**Available today**")
    for option in open_forms:
        note = ""
        if option.override:
            note = " — only for serious behaviour, with a reason"
        elif option.reasons:
            note = " — check the date it arrived"
        with st.expander(f"{option.action.label}{note}", icon=":material/edit_note:"):
            FORMS[option.action](ctx, option)
    if not open_forms and not links:
        st.info("Nothing on this case is open to your role today.")
    if blocked:
        st.markdown("**Not available today**")
        for option in blocked:
            st.caption(f"**{md(option.action.label)}** — " + " ".join(option.explanations))
