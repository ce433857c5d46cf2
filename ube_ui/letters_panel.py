"""The Letters panel of a case: letters issued, issuing one (with its preview and any missing
required part named), a manager's sign-off, the files, the evidence bundle and the subject
access export. Drawn by the customer and case page: ``letters_panel(user, case_id)``."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from ube_core import letters as lt
from ube_core.errors import DomainError
from ube_core.letters.kinds import HINTS
from ube_core.services import letters as service
from ube_core.services.context import UserContext

from . import runtime
from .casework import md
from .format import uk_date
from .widgets import show_error

KEY = "letters"


def letters_panel(user: UserContext, case_id: int) -> None:
    engine = runtime.engine()
    try:
        view = service.case_letters(engine, user=user, case_id=case_id)
    except DomainError as error:
        show_error(error)
        return
    note = st.session_state.pop(f"{KEY}_flash", None)
    if note:
        st.success(note, icon=":material/mark_email_read:")
    _issued(user, view)
    if user.has_any(service.ISSUE_ROLES):
        _issue(user, view)
    if user.has_any(service.EVIDENCE_ROLES):
        _evidence(user, view)


# -- letters on the case ---------------------------------------------------------------------
def _describe(letter: service.LetterSummary) -> str:
    return f"{uk_date(letter.dated)} · {letter.kind.label} · {letter.status_label}"


def _issued(user: UserContext, view: service.CaseLetters) -> None:
    st.subheader("Letters on this case", anchor=False)
    letters = view.letters
    if not letters:
        st.info("No letters have been written on this case yet.")
        return
    waiting = sum(1 for x in letters if x.status == service.AWAITING)
    summary = f"{len(letters)} letter{'s' if len(letters) != 1 else ''}"
    if waiting:
        summary += f", {waiting} waiting for a manager's sign-off"
    st.caption(summary + ".")
    st.dataframe(
        [
            {
                "Date": uk_date(x.dated),
                "Letter": x.kind.label,
                "Status": x.status_label,
                "How sent": lt.SEND_CHANNELS.get(x.channel, x.channel),
                "Format": x.format_label,
                "Sent by": x.sent_by,
                "Signed off by": x.signed_off_by,
                "Template version": x.template_version,
                "Copy to": x.copy_to,
            }
            for x in letters
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {x.id: x for x in letters}
    chosen = st.selectbox(
        "Letter to open",
        list(by_id),
        format_func=lambda i: _describe(by_id[i]),
        key=f"{KEY}_open_{view.case_id}",
    )
    if chosen is None:
        return
    letter = by_id[chosen]
    engine = runtime.engine()
    columns = st.columns(2)
    for column, fmt, label in ((columns[0], "docx", "Word (DOCX)"), (columns[1], "pdf", "PDF")):
        try:
            file = service.letter_file(engine, user=user, letter_id=letter.id, fmt=fmt)
        except DomainError:
            continue
        column.download_button(
            f"Download {label}",
            data=file.data,
            file_name=file.name,
            mime=file.mime,
            key=f"{KEY}_download_{fmt}_{letter.id}",
        )
    for line in [n for n in letter.notes.splitlines() if n.strip()]:
        st.warning(md(line), icon=":material/translate:")
    if letter.sign_off_note:
        st.caption(f"Manager's note: {md(letter.sign_off_note)}")
    if (
        letter.status == service.AWAITING
        and user.has_any(service.SIGN_OFF_ROLES)
        and letter.sent_by_id != user.id
    ):
        _sign_off(user, letter)


def _sign_off(user: UserContext, letter: service.LetterSummary) -> None:
    with st.form(f"{KEY}_sign_off_{letter.id}"):
        st.markdown(f"**Sign off:** {md(letter.kind.label)} written by {md(letter.sent_by)}")
        note = st.text_area(
            "Note (needed to return the letter)", key=f"{KEY}_sign_off_note_{letter.id}"
        )
        approve = st.form_submit_button("Approve and issue", type="primary")
        send_back = st.form_submit_button("Return without sending")
    if not (approve or send_back):
        return
    try:
        service.sign_off_letter(
            runtime.engine(), user=user, letter_id=letter.id, approve=approve, note=note
        )
    except DomainError as error:
        show_error(error)
        return
    runtime.clear_reads()
    st.session_state[f"{KEY}_flash"] = (
        "Letter approved: it is issued." if approve else "Letter returned: it will not be sent."
    )
    st.rerun()


# -- issuing ---------------------------------------------------------------------------------
def _issue(user: UserContext, view: service.CaseLetters) -> None:
    st.subheader("Write a letter", anchor=False)
    engine, today = runtime.engine(), runtime.today()
    kind = st.selectbox(
        "Letter",
        list(lt.LetterKind),
        format_func=lambda k: k.label,
        key=f"{KEY}_kind",
    )
    if kind is None:
        return
    try:
        defaults = service.letter_inputs(
            engine, user=user, case_id=view.case_id, kind=kind, today=today
        )
    except DomainError as error:
        st.info(str(error))
        return
    if kind in view.sign_off:
        st.caption("This kind of letter needs a manager's sign-off before it is sent.")
    suggested = view.suggested
    for line in suggested.staff_notes:
        st.warning(md(line), icon=":material/translate:")
    prefix = f"{KEY}_{view.case_id}_{kind.value}"
    edited_key = f"{prefix}_edited"
    with st.form(f"{KEY}_issue_form"):
        dated = st.date_input(
            "Date of the letter",
            value=today,
            max_value=today,
            format="DD/MM/YYYY",
            key=f"{prefix}_dated",
        )
        channel = st.selectbox(
            "How it is sent",
            list(lt.SEND_CHANNELS),
            format_func=lambda c: lt.SEND_CHANNELS[c],
            key=f"{prefix}_channel",
        )
        easy = st.checkbox(
            "Easy Read (plain English) version",
            value=suggested.easy_read,
            key=f"{prefix}_easy_read",
            help="Suggested when the recorded communication needs mention it.",
        )
        large = st.checkbox(
            "Large print (16 pt)",
            value=suggested.large_print,
            key=f"{prefix}_large_print",
            help="Suggested when the recorded communication needs mention it.",
        )
        details: dict[str, str] = {}
        for item in lt.INPUTS[kind]:
            key = f"{prefix}_input_{item.key}"
            start = defaults.get(item.key, "")
            if item.is_date:
                picked = st.date_input(
                    item.label,
                    value=_date_or_none(start),
                    format="DD/MM/YYYY",
                    key=key,
                    help=item.help or None,
                )
                details[item.key] = picked.isoformat() if isinstance(picked, date) else ""
            elif item.multiline:
                details[item.key] = st.text_area(
                    item.label, value=start, key=key, help=item.help or None
                )
            else:
                details[item.key] = st.text_input(
                    item.label, value=start, key=key, help=item.help or None
                )
        edited = st.text_area(
            "Your own wording (optional)",
            key=edited_key,
            height=240,
            help="Leave empty to use the template. Press “Start from the template text” "
            "under the preview to edit the letter's wording; every required part is still "
            "checked.",
        )
        preview = st.form_submit_button("Preview")
        issue = st.form_submit_button("Issue letter", type="primary")
    request = service.LetterRequest(
        kind=kind,
        dated=dated if isinstance(dated, date) else today,
        channel=str(channel),
        variant=lt.Variant.EASY_READ if easy else lt.Variant.STANDARD,
        large_print=bool(large),
        details=details,
        edited=edited if edited.strip() else None,
    )
    if issue:
        _do_issue(user, view, request)
    elif preview or st.session_state.get(f"{prefix}_previewing"):
        st.session_state[f"{prefix}_previewing"] = True
        _preview(user, view, request, edited_key)


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _missing(kind: lt.LetterKind, missing: tuple[lt.Part, ...], verb: str) -> None:
    lines = [f"This {md(kind.label.lower())} {verb}. It is missing:"]
    for part in missing:
        hint = HINTS.get(part)
        lines.append(f"- **{md(part.label)}**" + (f" — {md(hint)}" if hint else ""))
    st.error("\n".join(lines), icon=":material/error:")


def _preview(
    user: UserContext, view: service.CaseLetters, request: service.LetterRequest, edited_key: str
) -> None:
    try:
        letter = service.preview_letter(
            runtime.engine(),
            user=user,
            case_id=view.case_id,
            request=request,
            today=runtime.today(),
        )
    except DomainError as error:
        show_error(error)
        return
    st.markdown("**Preview**")
    if letter.missing:
        _missing(request.kind, letter.missing, "can't be issued yet")
    else:
        count = len(lt.required_parts(request.kind, letter.context))
        st.success(f"All {count} required parts are in the letter.", icon=":material/task_alt:")
    with st.container(border=True):
        st.text(letter.text)
    columns = st.columns(2)
    columns[0].download_button(
        "Download the preview (PDF)",
        data=letter.pdf(),
        file_name=f"preview-{request.kind.value}.pdf",
        mime=service.MIME["pdf"],
        key=f"{KEY}_preview_pdf",
    )
    columns[1].button(
        "Start from the template text",
        key=f"{KEY}_start_editing",
        on_click=_start_editing,
        args=(edited_key, letter.editable),
        help="Copies the letter's wording into “Your own wording” above, to edit.",
    )


def _start_editing(key: str, text: str) -> None:
    st.session_state[key] = text


def _do_issue(user: UserContext, view: service.CaseLetters, request: service.LetterRequest) -> None:
    try:
        issued = service.issue_letter(
            runtime.engine(),
            user=user,
            case_id=view.case_id,
            request=request,
            today=runtime.today(),
        )
    except service.LetterIncomplete as error:
        _missing(request.kind, error.missing, "can't be issued")
        return
    except DomainError as error:
        show_error(error)
        return
    runtime.clear_reads()
    prefix = f"{KEY}_{view.case_id}_{request.kind.value}"
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]
    waiting = issued.status == service.AWAITING
    st.session_state[f"{KEY}_flash"] = (
        f"{request.kind.label} saved: it waits for a manager's sign-off before it is sent."
        if waiting
        else f"{request.kind.label} issued (template version {issued.template_version})."
    )
    st.rerun()


# -- evidence bundle and subject access ------------------------------------------------------
def _evidence(user: UserContext, view: service.CaseLetters) -> None:
    st.subheader("Evidence bundle and subject access", anchor=False)
    engine, today = runtime.engine(), runtime.today()
    bundle_key = f"{KEY}_bundle_{view.case_id}"
    sar_key = f"{KEY}_sar_{view.customer_id}"
    purpose = st.text_input(
        "Prepared for (optional)",
        key=f"{KEY}_purpose_{view.case_id}",
        placeholder="For example: County Court hearing, Housing Ombudsman, complaint",
    )
    if st.button("Build the evidence bundle", key=f"{KEY}_build_bundle"):
        bar = st.progress(0.0, text="Starting…")

        def report(fraction: float, message: str) -> None:
            bar.progress(min(1.0, max(0.0, fraction)), text=message)

        try:
            st.session_state[bundle_key] = service.build_evidence_bundle(
                engine,
                user=user,
                case_id=view.case_id,
                today=today,
                purpose=purpose,
                progress=report,
            )
        except DomainError as error:
            show_error(error)
    bundle: Any = st.session_state.get(bundle_key)
    if bundle is not None:
        st.download_button(
            "Download the evidence bundle (zip)",
            data=bundle.data,
            file_name=bundle.name,
            mime=bundle.mime,
            key=f"{KEY}_bundle_download",
        )
    st.caption(
        f"A subject access export holds everything UBE has about {md(view.customer_name)} "
        "(UK GDPR Article 15): JSON, CSV and the letters. It is recorded in the audit log."
    )
    if st.button("Prepare the subject access export", key=f"{KEY}_build_sar"):
        try:
            with st.spinner("Collecting the records…"):
                st.session_state[sar_key] = service.subject_access_export(
                    engine, user=user, customer_id=view.customer_id, today=today
                )
        except DomainError as error:
            show_error(error)
    export: Any = st.session_state.get(sar_key)
    if export is not None:
        st.download_button(
            "Download the subject access export (zip)",
            data=export.data,
            file_name=export.name,
            mime=export.mime,
            key=f"{KEY}_sar_download",
        )
