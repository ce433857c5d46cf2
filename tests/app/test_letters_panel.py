"""The case page's Letters panel (AppTest of a tiny script that draws it): a missing part is
named and blocks issuing; a letter issued; sign-off; the evidence bundle; roles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.integration.conftest import RESTRICT_ON, World, build_restricted_case, make_world
from ube_core import letters as lt
from ube_core.services import letters as service
from ube_core.storage.db import make_engine
from ube_core.storage.models import AuditEvent, Letter

KIND = lt.LetterKind.RESTRICTION_NOTICE
PREFIX = "letters_{case}_restriction_notice"


def panel_script(username: str, case_id: int) -> None:
    from ube_core.services.auth import user_context
    from ube_ui import runtime
    from ube_ui.letters_panel import letters_panel

    user = user_context(runtime.engine(), username=username)
    assert user is not None
    letters_panel(user, case_id)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def world(engine: Engine) -> World:
    return make_world(engine)


def settings(world: World, *, sign_off: tuple[lt.LetterKind, ...] = ()) -> None:
    org = lt.Organisation(
        name="Northfield Homes",
        phone="0306 999 0123",
        email="housing@example.org",
        hours="Monday to Friday, 9am to 5pm",
        appeals_to="the Customer Resolution Manager",
    )
    service.save_letter_settings(world.engine, user=world.admin, org=org, sign_off=sign_off)


def panel(username: str, case_id: int) -> AppTest:
    at = AppTest.from_function(
        panel_script, kwargs={"username": username, "case_id": case_id}, default_timeout=60
    )
    at.run()
    assert not at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def choose_notice(at: AppTest, case_id: int) -> AppTest:
    at.selectbox(key="letters_kind").set_value(KIND).run()
    at.date_input(key=f"{PREFIX.format(case=case_id)}_dated").set_value(RESTRICT_ON)
    return at  # the form sends the date with whichever button is pressed next


def shown(markdown: str) -> str:
    """Markdown as read on screen: the escaping of typed text's markup removed."""
    return markdown.replace("\\", "")


def letters(engine: Engine) -> list[Letter]:
    with Session(engine) as session:
        return list(session.exec(select(Letter)).all())


def test_missing_parts_are_named_and_block_issuing(world: World) -> None:
    built = build_restricted_case(world)
    at = choose_notice(panel("cara.cm", built.case_id), built.case_id)
    click(at, "Preview")
    (error,) = at.error
    assert "can't be issued yet" in shown(error.value)
    assert "The SPOC's name and how to reach them" in shown(error.value)
    assert "Who the letter is from and how to contact us" in shown(error.value)
    click(at, "Issue letter")
    assert any("can't be issued" in shown(e.value) for e in at.error)
    assert letters(world.engine) == []


def test_a_letter_is_issued_and_listed_with_its_files(world: World) -> None:
    settings(world)
    built = build_restricted_case(world)
    at = choose_notice(panel("cara.cm", built.case_id), built.case_id)
    click(at, "Preview")
    assert any("required parts are in the letter" in s.value for s in at.success)
    click(at, "Issue letter")
    assert any("Restriction notice issued" in s.value for s in at.success)
    (letter,) = letters(world.engine)
    assert letter.status == service.ISSUED and letter.dated == RESTRICT_ON
    assert any("1 letter." in c.value for c in at.caption)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download Word (DOCX)" in labels and "Download PDF" in labels


def test_own_wording_starts_from_the_template_and_is_checked(world: World) -> None:
    settings(world)
    built = build_restricted_case(world)
    at = choose_notice(panel("cara.cm", built.case_id), built.case_id)
    click(at, "Preview")
    click(at, "Start from the template text")
    edited = at.text_area(key=f"{PREFIX.format(case=built.case_id)}_edited")
    assert edited.value.startswith("# Restriction of your contact with us")
    edited.input(edited.value.split("## What you can always report")[0])
    click(at, "Issue letter")
    assert any("What can always be reported" in shown(e.value) for e in at.error)
    assert letters(world.engine) == []


def test_manager_signs_off_a_waiting_letter(world: World) -> None:
    settings(world, sign_off=(KIND,))
    built = build_restricted_case(world)
    issued = service.issue_letter(
        world.engine,
        user=world.case_manager,
        case_id=built.case_id,
        request=service.LetterRequest(kind=KIND, dated=RESTRICT_ON),
        today=RESTRICT_ON,
    )
    writer = panel("cara.cm", built.case_id)
    assert not [b for b in writer.button if b.label == "Approve and issue"]
    at = panel("lee.lm", built.case_id)
    click(at, "Approve and issue")
    assert any("Letter approved" in s.value for s in at.success)
    (letter,) = letters(world.engine)
    assert letter.id == issued.id and letter.status == service.ISSUED


def test_evidence_bundle_and_subject_access_export(world: World) -> None:
    settings(world)
    built = build_restricted_case(world)
    at = click(panel("sam.senior", built.case_id), "Build the evidence bundle")
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the evidence bundle (zip)" in labels
    click(at, "Prepare the subject access export")
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the subject access export (zip)" in labels
    with Session(world.engine) as session:
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"case.evidence_bundle", "customer.subject_access_export"} <= actions


def test_an_officer_reads_letters_but_does_not_write_them(world: World) -> None:
    settings(world)
    built = build_restricted_case(world)
    at = panel("olu.officer", built.case_id)
    headings = [h.value for h in at.subheader]
    assert headings == ["Letters on this case"]
    assert not [b for b in at.button if b.label in ("Issue letter", "Build the evidence bundle")]
