"""Letter templates: edit, preview, versions. Admins only."""

from ube_ui.guard import require

user = require("admin")

import streamlit as st

from ube_core import letters as lt
from ube_core.errors import DomainError
from ube_core.letters.compose import sample_letter
from ube_core.letters.kinds import SECTION, When
from ube_core.services import letters as service
from ube_ui import runtime
from ube_ui.casework import md
from ube_ui.format import uk_datetime
from ube_ui.widgets import show_error

engine = runtime.engine()
PREFIX = "letter_templates"
WHEN = {
    When.ALWAYS: "Always",
    When.HAS_SPOC: "When the restriction has a SPOC",
    When.TEMPORARY: "When the handover is temporary",
    When.CONTINUES: "When the restriction stays in place",
}

st.title("Letter templates")
note = st.session_state.pop(f"{PREFIX}_flash", None)
if note:
    st.success(note, icon=":material/check_circle:")
st.caption(
    "Each kind of letter is written from a template. A template can't be saved if, for any "
    "sample case, the letter would miss one of its required parts. Letters already sent keep "
    "the exact text and template version they were sent with."
)

kind = st.selectbox(
    "Letter",
    list(lt.LetterKind),
    format_func=lambda k: f"{k.label} ({SECTION[k]})",
    key=f"{PREFIX}_kind",
)
variant = st.radio(
    "Version",
    list(lt.Variant),
    format_func=lambda v: v.label,
    horizontal=True,
    key=f"{PREFIX}_variant",
)
current = service.current_template(engine, user=user, kind=kind, variant=variant)
in_use = current.label
if current.saved_at is not None:
    in_use += f", saved {uk_datetime(current.saved_at)}"
st.caption(f"In use: {in_use}.")

with st.expander("What this letter must contain"):
    st.dataframe(
        [{"Required part": r.part.label, "When": WHEN[r.when]} for r in lt.REQUIRED[kind]],
        hide_index=True,
        width="stretch",
    )
with st.expander("Placeholders you can use"):
    st.caption(
        "Write text with {{ placeholders }}; # starts the title, ## a heading, - a bullet, "
        "--- a new page. These are the placeholders, filled in for a sample case:"
    )
    st.json(sample_letter(kind, variant).context, expanded=False)

with st.form(f"{PREFIX}_form"):
    body = st.text_area(
        "Template",
        value=current.body,
        height=480,
        key=f"{PREFIX}_body_{kind.value}_{variant.value}_{current.version}",
    )
    change = st.text_input(
        "What changed (for the version history)",
        max_chars=500,
        key=f"{PREFIX}_note_{kind.value}_{variant.value}",
    )
    large = st.checkbox("Preview in large print", key=f"{PREFIX}_large")
    preview = st.form_submit_button("Preview")
    save = st.form_submit_button("Save as a new version", type="primary")

if preview or save:
    letter, findings = service.preview_template(
        kind=kind, variant=variant, body=body, large_print=large
    )
    if findings:
        st.error(
            "This template can't be saved:\n" + "\n".join(f"- {md(f.message)}" for f in findings),
            icon=":material/error:",
        )
    elif save:
        try:
            saved = service.save_template(
                engine, user=user, kind=kind, variant=variant, body=body, note=change
            )
        except DomainError as error:
            show_error(error)
        else:
            runtime.clear_reads()
            st.session_state[f"{PREFIX}_flash"] = (
                f"{kind.label} ({variant.label}): version {saved.version} saved."
            )
            st.rerun()
    else:
        st.success(
            "Every required part is in the letter for every sample case.",
            icon=":material/task_alt:",
        )
    if letter is not None:
        st.markdown("**Preview with a sample case**")
        with st.container(border=True):
            st.text(letter.text)
        left, right = st.columns(2)
        left.download_button(
            "Download the preview (PDF)",
            data=letter.pdf(),
            file_name=f"preview-{kind.value}.pdf",
            mime=service.MIME["pdf"],
            key=f"{PREFIX}_preview_pdf",
        )
        right.download_button(
            "Download the preview (DOCX)",
            data=letter.docx(),
            file_name=f"preview-{kind.value}.docx",
            mime=service.MIME["docx"],
            key=f"{PREFIX}_preview_docx",
        )

st.subheader("Versions", anchor=False)
versions = service.template_versions(engine, user=user, kind=kind, variant=variant)
if not versions:
    st.info("No saved versions: the built-in template is in use.")
else:
    st.dataframe(
        [
            {
                "Version": v.version,
                "Saved": uk_datetime(v.saved_at),
                "By": v.saved_by,
                "What changed": v.note,
            }
            for v in versions
        ],
        hide_index=True,
        width="stretch",
    )
    by_version = {v.version: v for v in versions}
    shown = st.selectbox(
        "Read a version",
        list(by_version),
        format_func=lambda n: f"Version {n}",
        key=f"{PREFIX}_read_{kind.value}_{variant.value}",
    )
    if shown is not None:
        with st.container(border=True):
            st.text(by_version[shown].body)
        if shown != versions[0].version and st.button(
            f"Use version {shown} again", key=f"{PREFIX}_restore"
        ):
            try:
                restored = service.save_template(
                    engine,
                    user=user,
                    kind=kind,
                    variant=variant,
                    body=by_version[shown].body,
                    note=f"Version {shown} used again",
                )
            except DomainError as error:
                show_error(error)
            else:
                st.session_state[f"{PREFIX}_flash"] = (
                    f"Version {shown} is in use again as version {restored.version}."
                )
                st.rerun()

st.subheader("Letter settings", anchor=False)
settings = service.letter_settings(engine)
org = settings.org
with st.form(f"{PREFIX}_settings"):
    st.caption("The letterhead, and the details every letter gives the customer.")
    name = st.text_input("Organisation name", value=org.name, key=f"{PREFIX}_org_name")
    address = st.text_area("Address", value=org.address, key=f"{PREFIX}_org_address")
    phone = st.text_input("Telephone", value=org.phone, key=f"{PREFIX}_org_phone")
    email = st.text_input("Email", value=org.email, key=f"{PREFIX}_org_email")
    hours = st.text_input(
        "Office hours (when contact is taken)",
        value=org.hours,
        key=f"{PREFIX}_org_hours",
        help="For example: Monday to Friday, 9am to 5pm.",
    )
    appeals_to = st.text_input(
        "Appeals go to",
        value=org.appeals_to,
        key=f"{PREFIX}_org_appeals_to",
        help="Who the customer writes to, and where: a senior officer's title and address.",
    )
    ombudsman_phone = st.text_input(
        "Housing Ombudsman telephone", value=org.ombudsman_phone, key=f"{PREFIX}_ho_phone"
    )
    ombudsman_web = st.text_input(
        "Housing Ombudsman website", value=org.ombudsman_web, key=f"{PREFIX}_ho_web"
    )
    ombudsman_email = st.text_input(
        "Housing Ombudsman email", value=org.ombudsman_email, key=f"{PREFIX}_ho_email"
    )
    sign_off = st.multiselect(
        "Letters that need a manager's sign-off before they are sent",
        list(lt.LetterKind),
        default=sorted(settings.sign_off, key=list(lt.LetterKind).index),
        format_func=lambda k: k.label,
        key=f"{PREFIX}_sign_off",
    )
    if st.form_submit_button("Save settings"):
        try:
            service.save_letter_settings(
                engine,
                user=user,
                org=lt.Organisation(
                    name=name,
                    address=address,
                    phone=phone,
                    email=email,
                    hours=hours,
                    appeals_to=appeals_to,
                    ombudsman_phone=ombudsman_phone,
                    ombudsman_web=ombudsman_web,
                    ombudsman_email=ombudsman_email,
                ),
                sign_off=sign_off,
            )
        except DomainError as error:
            show_error(error)
        else:
            runtime.clear_reads()
            st.session_state[f"{PREFIX}_flash"] = "Letter settings saved."
            st.rerun()
