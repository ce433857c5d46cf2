"""Letters on a real case, on SQLite and PostgreSQL: every kind issued from the case's records
and read back from its stored DOCX and PDF; a missing part blocks issuing and is named;
sign-off; template versions; roles; the evidence bundle and the subject access export."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from ube_core import letters as lt
from ube_core import procedure as p
from ube_core.errors import InvalidInput, NotAuthorised
from ube_core.letters.bundle import FILES_TITLE, LETTERS_TITLE
from ube_core.services import cases, customers
from ube_core.services import letters as svc
from ube_core.storage.models import AuditEvent, CustomerCreate, Letter, LetterTemplate

from .conftest import (
    RESTRICT_ON,
    TODAY,
    World,
    build_restricted_case,
    one,
    rows,
    snapshot,
)

K = lt.LetterKind
Unchanged = Callable[[], Callable[[], None]]
ORG = lt.Organisation(
    name="Northfield Homes",
    address="1 Market Street, Northfield NF1 2AB",
    phone="0306 999 0123",
    email="housing@example.org",
    hours="Monday to Friday, 9am to 5pm",
    appeals_to="the Customer Resolution Manager, appeals@example.org",
)


@pytest.fixture
def unchanged(engine: Engine) -> Unchanged:
    """``check = unchanged(); ...; check()`` asserts that no table was written."""

    def start() -> Callable[[], None]:
        before = snapshot(engine)

        def check() -> None:
            after = snapshot(engine)
            changed = sorted(name for name in before if before[name] != after[name])
            assert not changed, f"tables written: {changed}"

        return check

    return start


@pytest.fixture
def letters_world(world: World) -> World:
    svc.save_letter_settings(world.engine, user=world.admin, org=ORG, sign_off=())
    return world


def request(kind: lt.LetterKind, dated: date = TODAY, **kw: object) -> svc.LetterRequest:
    return svc.LetterRequest(kind=kind, dated=dated, **kw)  # type: ignore[arg-type]


def issue_and_read_back(
    world: World, case_id: int, req: svc.LetterRequest
) -> tuple[lt.Composed, Letter]:
    """Preview, issue, then load the stored letter; its files must hold every required part."""
    preview = svc.preview_letter(
        world.engine, user=world.case_manager, case_id=case_id, request=req, today=TODAY
    )
    assert preview.ok, [part.label for part in preview.missing]
    issued = svc.issue_letter(
        world.engine, user=world.case_manager, case_id=case_id, request=req, today=TODAY
    )
    letter = one(world.engine, Letter, id=issued.id)
    assert letter.body == preview.text
    assert letter.file_docx is not None and letter.file_pdf is not None
    parts = lt.required_parts(req.kind, preview.context)
    assert parts, "every kind has required parts"
    for text in (lt.docx_text(letter.file_docx), lt.pdf_text(letter.file_pdf)):
        assert lt.missing_parts(req.kind, preview.context, text) == []
    return preview, letter


def walk_the_case(world: World) -> tuple[int, list[Letter]]:
    """A case taken through every step that writes to the customer, a letter at each."""
    e, cm, so = world.engine, world.case_manager, world.senior_officer
    built = build_restricted_case(world)
    cid = built.case_id
    issued: list[Letter] = []

    def write(kind: lt.LetterKind, dated: date, **kw: object) -> lt.Composed:
        composed, letter = issue_and_read_back(world, cid, request(kind, dated, **kw))
        issued.append(letter)
        return composed

    write(K.INITIAL_WARNING, date(2025, 1, 10))
    formal = write(K.FORMAL_WARNING, date(2025, 1, 20))
    assert "Swearing at colleagues." in formal.text
    notice = write(K.RESTRICTION_NOTICE, RESTRICT_ON)
    assert "24 February 2025" in notice.text  # letter date + 14 days
    assert "Spike Spoc" in notice.text  # the SPOC by name, not username

    cases.record_contact(
        e,
        user=world.officer,
        customer_id=world.customer_id,
        on=date(2025, 2, 18),
        channel=p.Channel.PHONE,
        today=TODAY,
    )
    cases.give_breach_warning(e, user=cm, case_id=cid, on=date(2025, 2, 19), today=TODAY)
    breach = write(K.BREACH_WARNING, date(2025, 2, 19))
    assert "18 February 2025: contact by telephone" in breach.text

    cases.receive_appeal(
        e,
        user=world.officer,
        case_id=cid,
        received_on=date(2025, 2, 21),
        letter_date=RESTRICT_ON,
        today=TODAY,
    )
    ack = write(K.APPEAL_ACKNOWLEDGEMENT, date(2025, 2, 21))
    assert "21 March 2025" in ack.text  # decision due 28 days after receipt

    cover = world.line_manager
    cases.hand_over_spoc(
        e,
        user=cm,
        case_id=cid,
        on=date(2025, 2, 24),
        to_user_id=cover.id or 0,
        customer_informed=True,
        temporary=True,
        today=TODAY,
    )
    change = write(K.SPOC_CHANGE, date(2025, 2, 24), details={"until": "2025-03-14"})
    assert "14 March 2025" in change.text and "Lee Lm" in change.text

    cases.decide_appeal(
        e,
        user=so,
        case_id=cid,
        on=date(2025, 3, 10),
        outcome=p.AppealOutcome.UPHELD,
        reasons="The restriction is proportionate to the abuse recorded.",
        fact_sheet_sent=True,
        today=TODAY,
    )
    outcome = write(K.APPEAL_OUTCOME, date(2025, 3, 10))
    assert "Appeals fact sheet" in outcome.text

    cases.review_restriction(
        e,
        user=cm,
        case_id=cid,
        on=date(2025, 4, 1),
        outcome=p.ReviewOutcome.REMAIN,
        customer_letter=True,
        notes="Two more breaches in March.",
        today=TODAY,
    )
    write(K.REVIEW_OUTCOME, date(2025, 4, 1))

    cases.receive_reconsideration(
        e, user=world.officer, case_id=cid, received_on=date(2025, 4, 10), today=TODAY
    )
    cases.decide_reconsideration(
        e,
        user=so,
        case_id=cid,
        on=date(2025, 4, 20),
        outcome=p.ReconsiderationOutcome.KEEP,
        reasons="Contact is still not kept to the arrangements.",
        today=TODAY,
    )
    write(K.RECONSIDERATION_OUTCOME, date(2025, 4, 20))
    return cid, issued


def test_every_kind_is_issued_from_the_case_with_every_required_part(
    letters_world: World,
) -> None:
    world = letters_world
    cid, issued = walk_the_case(world)
    assert {letter.kind for letter in issued} == {k.value for k in K}
    for letter in issued:
        assert letter.status == svc.ISSUED
        assert letter.case_id == cid and letter.event_id is not None
        assert letter.template_version == 1
        assert letter.sent_by_id == world.case_manager.id
    audited = [a for a in rows(world.engine, AuditEvent) if a.action == "letter.issue"]
    assert len(audited) == len(K)
    assert {json.loads(a.detail)["kind"] for a in audited} == {k.value for k in K}
    listed = svc.case_letters(world.engine, user=world.officer, case_id=cid)
    assert len(listed.letters) == len(K)
    file = svc.letter_file(world.engine, user=world.manager, letter_id=issued[2].id or 0, fmt="pdf")
    assert file.data == issued[2].file_pdf and file.name.endswith("restriction_notice-3.pdf")


def test_a_letter_missing_a_part_cannot_be_issued_and_the_part_is_named(
    world: World, unchanged: Unchanged
) -> None:
    # No letter settings yet: no phone or email for us, and the SPOC has no email either.
    built = build_restricted_case(world)
    req = request(K.RESTRICTION_NOTICE, RESTRICT_ON)
    preview = svc.preview_letter(
        world.engine, user=world.case_manager, case_id=built.case_id, request=req, today=TODAY
    )
    assert set(preview.missing) == {
        lt.Part.CONTACT_US,
        lt.Part.SPOC,
        lt.Part.CONTACT_TIMES,
        lt.Part.APPEAL,
    }
    check = unchanged()
    with pytest.raises(svc.LetterIncomplete) as refused:
        svc.issue_letter(
            world.engine, user=world.case_manager, case_id=built.case_id, request=req, today=TODAY
        )
    assert "The SPOC's name and how to reach them" in str(refused.value)
    assert any("Letter settings" in m for m in refused.value.messages)
    check()


def test_edited_text_is_checked_too(letters_world: World, unchanged: Unchanged) -> None:
    world = letters_world
    built = build_restricted_case(world)
    base = request(K.RESTRICTION_NOTICE, RESTRICT_ON)
    preview = svc.preview_letter(
        world.engine, user=world.case_manager, case_id=built.case_id, request=base, today=TODAY
    )
    without_exclusions = preview.editable.split("## What you can always report")[0]
    edited = replace(base, edited=without_exclusions + "\n\n## How to appeal\n\nWrite to us.")
    check = unchanged()
    with pytest.raises(svc.LetterIncomplete) as refused:
        svc.issue_letter(
            world.engine,
            user=world.case_manager,
            case_id=built.case_id,
            request=edited,
            today=TODAY,
        )
    assert lt.Part.EXCLUSIONS in refused.value.missing
    assert lt.Part.APPEAL in refused.value.missing
    check()
    # A person's own wording is fine as long as every part is there.
    reworded = replace(base, edited=preview.editable.replace("We are writing", "I am writing"))
    issued = svc.issue_letter(
        world.engine, user=world.case_manager, case_id=built.case_id, request=reworded, today=TODAY
    )
    letter = one(world.engine, Letter, id=issued.id)
    assert letter.edited and "I am writing to tell you" in letter.body


def test_letters_need_the_step_they_are_about(letters_world: World) -> None:
    world = letters_world
    built = build_restricted_case(world)
    for kind in (K.SPOC_CHANGE, K.APPEAL_OUTCOME, K.REVIEW_OUTCOME, K.BREACH_WARNING):
        with pytest.raises(InvalidInput, match="Record it on the case first"):
            svc.preview_letter(
                world.engine,
                user=world.case_manager,
                case_id=built.case_id,
                request=request(kind),
                today=TODAY,
            )
    with pytest.raises(InvalidInput, match="before the step"):
        svc.preview_letter(
            world.engine,
            user=world.case_manager,
            case_id=built.case_id,
            request=request(K.RESTRICTION_NOTICE, date(2025, 2, 9)),
            today=TODAY,
        )
    with pytest.raises(InvalidInput, match="future"):
        svc.preview_letter(
            world.engine,
            user=world.case_manager,
            case_id=built.case_id,
            request=request(K.RESTRICTION_NOTICE, date(2025, 5, 1)),
            today=TODAY,
        )


def test_manager_sign_off_when_the_setting_asks_for_it(letters_world: World) -> None:
    world = letters_world
    e = world.engine
    svc.save_letter_settings(e, user=world.admin, org=ORG, sign_off=[K.RESTRICTION_NOTICE])
    built = build_restricted_case(world)
    req = request(K.RESTRICTION_NOTICE, RESTRICT_ON)
    first = svc.issue_letter(
        e, user=world.case_manager, case_id=built.case_id, request=req, today=TODAY
    )
    assert first.status == svc.AWAITING
    with pytest.raises(NotAuthorised):
        svc.sign_off_letter(e, user=world.officer, letter_id=first.id, approve=True)
    with pytest.raises(InvalidInput, match="Say why"):
        svc.sign_off_letter(e, user=world.manager, letter_id=first.id, approve=False)
    svc.sign_off_letter(e, user=world.manager, letter_id=first.id, approve=False, note="Wrong date")
    assert one(e, Letter, id=first.id).status == svc.RETURNED
    with pytest.raises(InvalidInput, match="not waiting"):
        svc.sign_off_letter(e, user=world.manager, letter_id=first.id, approve=True)

    second = svc.issue_letter(
        e, user=world.senior_officer, case_id=built.case_id, request=req, today=TODAY
    )
    (waiting,) = svc.letters_awaiting_sign_off(e, user=world.manager)
    assert (waiting.id, waiting.customer_name, waiting.written_by) == (
        second.id,
        "Chris Customer",
        world.senior_officer.name,
    )
    assert svc.letters_awaiting_sign_off(e, user=world.senior_officer) == []  # not their own
    with pytest.raises(InvalidInput, match="person who wrote it"):
        svc.sign_off_letter(e, user=world.senior_officer, letter_id=second.id, approve=True)
    svc.sign_off_letter(e, user=world.line_manager, letter_id=second.id, approve=True)
    letter = one(e, Letter, id=second.id)
    assert letter.status == svc.ISSUED and letter.signed_off_by_id == world.line_manager.id
    assert svc.letters_awaiting_sign_off(e, user=world.manager) == []
    actions = [a.action for a in rows(e, AuditEvent) if a.entity == "letter"]
    assert actions == ["letter.draft", "letter.return", "letter.draft", "letter.sign_off"]
    # Other kinds are issued at once.
    warning = svc.issue_letter(
        e,
        user=world.case_manager,
        case_id=built.case_id,
        request=request(K.FORMAL_WARNING, date(2025, 1, 20)),
        today=TODAY,
    )
    assert warning.status == svc.ISSUED


def test_a_sent_letter_keeps_its_text_and_template_version(letters_world: World) -> None:
    world = letters_world
    e = world.engine
    built = build_restricted_case(world)
    req = request(K.FORMAL_WARNING, date(2025, 1, 20))
    first = svc.issue_letter(
        e, user=world.case_manager, case_id=built.case_id, request=req, today=TODAY
    )
    body_before = one(e, Letter, id=first.id).body
    assert first.template_version == 1  # the built-in template, saved as it was used

    current = svc.current_template(
        e, user=world.admin, kind=K.FORMAL_WARNING, variant=lt.Variant.STANDARD
    )
    new_body = current.body.replace("# Formal warning about your behaviour", "# FORMAL WARNING")
    saved = svc.save_template(
        e,
        user=world.admin,
        kind=K.FORMAL_WARNING,
        variant=lt.Variant.STANDARD,
        body=new_body,
        note="Shorter title",
    )
    assert saved.version == 2
    second = svc.issue_letter(
        e, user=world.case_manager, case_id=built.case_id, request=req, today=TODAY
    )
    assert second.template_version == 2
    assert "FORMAL WARNING" in one(e, Letter, id=second.id).body
    assert one(e, Letter, id=first.id).body == body_before
    assert "FORMAL WARNING" not in body_before
    versions = svc.template_versions(
        e, user=world.admin, kind=K.FORMAL_WARNING, variant=lt.Variant.STANDARD
    )
    assert [v.version for v in versions] == [2, 1]
    assert versions[0].note == "Shorter title" and versions[0].saved_by == world.admin.name


def test_a_template_that_drops_a_required_part_is_not_saved(
    letters_world: World, unchanged: Unchanged
) -> None:
    world = letters_world
    body = lt.default_template(K.RESTRICTION_NOTICE)
    start = body.index("## What you can always report")
    end = body.index("## How to appeal")
    check = unchanged()
    with pytest.raises(svc.TemplateRejected) as refused:
        svc.save_template(
            world.engine,
            user=world.admin,
            kind=K.RESTRICTION_NOTICE,
            variant=lt.Variant.STANDARD,
            body=body[:start] + body[end:],
        )
    assert any("What can always be reported" in m for m in refused.value.messages)
    with pytest.raises(svc.TemplateRejected, match="Unknown placeholder"):
        svc.save_template(
            world.engine,
            user=world.admin,
            kind=K.RESTRICTION_NOTICE,
            variant=lt.Variant.STANDARD,
            body=body + "\n{{ customer.shoe_size }}",
        )
    with pytest.raises(svc.TemplateRejected, match="Line 1"):
        svc.save_template(
            world.engine,
            user=world.admin,
            kind=K.RESTRICTION_NOTICE,
            variant=lt.Variant.STANDARD,
            body="{% if %}" + body,
        )
    check()
    assert rows(world.engine, LetterTemplate) == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (p.Role.OFFICER, False),
        (p.Role.CASE_MANAGER, True),
        (p.Role.LINE_MANAGER, False),
        (p.Role.SENIOR_OFFICER, True),
        (p.Role.MANAGER, False),
        (p.Role.ADMIN, False),
    ],
)
def test_who_may_issue_letters_and_build_bundles(
    letters_world: World, role: p.Role, allowed: bool
) -> None:
    world = letters_world
    built = build_restricted_case(world)
    user = world.by_role(role)
    req = request(K.RESTRICTION_NOTICE, RESTRICT_ON)
    calls = [
        lambda: svc.issue_letter(
            world.engine, user=user, case_id=built.case_id, request=req, today=TODAY
        ),
        lambda: svc.build_evidence_bundle(
            world.engine, user=user, case_id=built.case_id, today=TODAY
        ),
        lambda: svc.subject_access_export(
            world.engine, user=user, customer_id=world.customer_id, today=TODAY
        ),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(NotAuthorised):
                call()
    admin_only = lambda: svc.save_template(  # noqa: E731
        world.engine,
        user=user,
        kind=K.FORMAL_WARNING,
        variant=lt.Variant.STANDARD,
        body=lt.default_template(K.FORMAL_WARNING) + "\nThank you.",
    )
    if role is p.Role.ADMIN:
        admin_only()
    else:
        with pytest.raises(NotAuthorised):
            admin_only()


HOSTILE_NAME = "O'Brien <script>alert(1)</script> & {{ 7*7 }} \x07Zoë"


def test_hostile_customer_details_render_escaped_in_every_file(letters_world: World) -> None:
    world = letters_world
    created = customers.create_customer(
        world.engine,
        user=world.case_manager,
        data=CustomerCreate(
            tenancy_ref="T-6666",
            name=HOSTILE_NAME,
            # \x0b, not NUL: PostgreSQL text can't hold NUL at all.
            address="# Flat 1 & 2\n- <b>High</b> Street\x0b",
            language="Polish",
            representative="Ann Advocate <ann@example.org>",
            communication_needs="Large print; partially sighted",
            team_id=world.team_id,
        ),
    )
    built = build_restricted_case(world, customer_id=created.id)
    listed = svc.case_letters(world.engine, user=world.case_manager, case_id=built.case_id)
    assert listed.suggested.large_print and not listed.suggested.easy_read
    assert listed.suggested.translation == "Polish"
    req = request(K.RESTRICTION_NOTICE, RESTRICT_ON, large_print=True)
    composed, letter = issue_and_read_back(world, built.case_id, req)
    shown = "O'Brien <script>alert(1)</script> & {{ 7*7 }} Zoë"
    assert letter.file_docx is not None and letter.file_pdf is not None
    docx_text = lt.docx_text(letter.file_docx)
    assert f"Dear {shown}," in docx_text and "49" not in docx_text
    assert "# Flat 1 & 2" in docx_text and "- <b>High</b> Street" in docx_text
    assert f"Dear {shown}," in " ".join(lt.pdf_text(letter.file_pdf).split())
    assert letter.accessible_format == "large_print"
    assert letter.copy_to == "Ann Advocate <ann@example.org>"
    assert "Copy to: Ann Advocate <ann@example.org>" in letter.body
    assert "If you need it in Polish" in letter.body
    assert "Translation needed" in letter.notes and "representative" in letter.notes
    assert composed.look.body == 16


def test_easy_read_letter(letters_world: World) -> None:
    world = letters_world
    built = build_restricted_case(world)
    req = request(K.RESTRICTION_NOTICE, RESTRICT_ON, variant=lt.Variant.EASY_READ)
    _composed, letter = issue_and_read_back(world, built.case_id, req)
    assert letter.accessible_format == "easy_read" and letter.variant == "easy_read"
    assert "New rules for contacting us" in letter.body


# -- the evidence bundle ----------------------------------------------------------------------
CONTENTS_LINE = re.compile(r"^(?P<title>.+?)\s+(?P<page>\d+)$")


def contents(pages: list[str]) -> dict[str, int]:
    """Title -> page number, from the contents page(s) of a bundle."""
    entries: dict[str, int] = {}
    for text in pages:
        if "Contents" not in text.splitlines()[:3] and "Contents" not in text[:40]:
            continue
        for line in text.splitlines():
            match = CONTENTS_LINE.match(line.strip())
            if match and not line.startswith("Page "):
                entries[match["title"]] = int(match["page"])
    return entries


def test_evidence_bundle_lists_every_document_with_matching_page_numbers(
    letters_world: World,
) -> None:
    world = letters_world
    cid, issued = walk_the_case(world)
    seen: list[tuple[float, str]] = []
    bundle = svc.build_evidence_bundle(
        world.engine,
        user=world.senior_officer,
        case_id=cid,
        today=TODAY,
        purpose="Housing Ombudsman",
        progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) > 5

    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    names = set(archive.namelist())
    for letter in issued:
        stem = f"letters/{letter.dated.isoformat()}-{letter.kind}-{letter.id}"
        assert archive.read(stem + ".docx") == letter.file_docx
        assert archive.read(stem + ".pdf") == letter.file_pdf
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["name"] for f in manifest["files"]} == names - {"manifest.json"}

    pages = lt.pdf_pages(archive.read("bundle.pdf"))
    listed = contents(pages)
    sections = [
        "Chronology",
        "Incidents",
        "Warnings",
        "Equality impact assessments",
        "Restrictions",
        "Breaches",
        "Reviews",
        "Appeals and reconsiderations",
        "Legal steps",
        LETTERS_TITLE,
        FILES_TITLE,
    ]
    letter_titles = [t for t in listed if t.startswith("Letter ")]
    assert len(letter_titles) == len(issued)
    assert set(sections) <= set(listed)
    total = len(pages)
    for title, number in listed.items():
        page = " ".join(pages[number - 1].split())
        assert title in page, f"{title!r} is not on page {number}"
        assert f"Page {number} of {total}" in page
    assert "Housing Ombudsman" in pages[0]
    # The letters' full text is in the PDF: the restriction notice's appeal deadline.
    notice_page = listed[next(t for t in letter_titles if "Restriction notice" in t)]
    assert "24 February 2025" in " ".join(pages[notice_page - 1 : notice_page + 2])
    audited = [a for a in rows(world.engine, AuditEvent) if a.action == "case.evidence_bundle"]
    assert len(audited) == 1 and audited[0].customer_id == world.customer_id


def test_subject_access_export_holds_everything_and_is_audited(letters_world: World) -> None:
    world = letters_world
    cid, issued = walk_the_case(world)
    export = svc.subject_access_export(
        world.engine, user=world.case_manager, customer_id=world.customer_id, today=TODAY
    )
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "csv/customer.csv", "csv/letter.csv"} <= names
    data = json.loads(archive.read("data.json"))
    assert data["customer"][0]["name"] == "Chris Customer"
    assert data["customer"][0]["needs"] == "Anxiety; prefers email"  # special category too
    assert len(data["incident"]) == 2 and len(data["letter"]) == len(issued)
    assert "file_pdf" not in data["letter"][0] and data["letter"][0]["body"]
    assert {e["case_id"] for e in data["case_event"]} == {cid}
    assert any(a["action"] == "letter.issue" for a in data["audit_log"])
    for letter in issued:
        assert f"letters/{letter.dated.isoformat()}-{letter.kind}-{letter.id}.pdf" in names
    customer_csv = archive.read("csv/customer.csv").decode()
    header = customer_csv.splitlines()[0].split(",")
    assert header[0] == "id" and {"tenancy_ref", "name", "needs"} <= set(header)
    assert "Chris Customer" in customer_csv
    audited = [
        a for a in rows(world.engine, AuditEvent) if a.action == "customer.subject_access_export"
    ]
    assert len(audited) == 1 and audited[0].customer_id == world.customer_id
    assert json.loads(audited[0].detail)["records"]["letter"] == len(issued)


def test_subject_access_csv_defuses_spreadsheet_formulas(engine: Engine, world: World) -> None:
    created = customers.create_customer(
        engine,
        user=world.case_manager,
        data=CustomerCreate(tenancy_ref="T-7777", name='=HYPERLINK("http://x")'),
    )
    export = svc.subject_access_export(
        engine, user=world.senior_officer, customer_id=created.id, today=TODAY
    )
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    assert "'=HYPERLINK" in archive.read("csv/customer.csv").decode()
