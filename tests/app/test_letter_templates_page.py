"""The Letter templates page (AppTest): admins preview and save versions of a template; a
template that drops a required part is refused with the part named; the letter settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from ube_core import letters as lt
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine
from ube_core.storage.models import LetterTemplate, Setting

from .conftest import sign_in

App = Callable[[], AppTest]
PAGE = "pages/letter_templates.py"
BODY = "letter_templates_body_initial_warning_standard_{}"


def open_page(app: App, username: str = "root") -> AppTest:
    at = sign_in(app(), username)
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def button(at: AppTest, label: str) -> Button:
    return next(b for b in at.button if b.label == label)


def templates(db_url: str) -> list[LetterTemplate]:
    engine = make_engine(db_url)
    with Session(engine) as session:
        found = list(session.exec(select(LetterTemplate).order_by(LetterTemplate.version)).all())
    engine.dispose()
    return found


def test_admin_previews_the_built_in_template(staff: dict[str, UserContext], app: App) -> None:
    at = open_page(app)
    assert at.title[0].value == "Letter templates"
    assert any("Built-in (not yet saved)" in c.value for c in at.caption)
    assert at.text_area(key=BODY.format(0)).value == lt.default_template(
        lt.LetterKind.INITIAL_WARNING
    )
    button(at, "Preview").click().run()
    assert not at.exception
    assert any("Every required part" in s.value for s in at.success)
    assert any("Dear Jordan Example," in t.value for t in at.text)


def test_a_template_missing_a_part_is_refused_and_the_part_named(
    staff: dict[str, UserContext], app: App, db_url: str
) -> None:
    at = open_page(app)
    body = lt.default_template(lt.LetterKind.INITIAL_WARNING)
    start = body.index("## What will happen if it continues")
    at.text_area(key=BODY.format(0)).input(body[:start] + body[body.index("## Support") :])
    button(at, "Save as a new version").click().run()
    assert not at.exception
    (error,) = at.error
    assert "can't be saved" in error.value and "What will happen if it continues" in error.value
    assert templates(db_url) == []
    # What was typed is kept, to fix.
    assert "## What will happen" not in at.text_area(key=BODY.format(0)).value


def test_saving_a_new_version_keeps_the_history(
    staff: dict[str, UserContext], app: App, db_url: str
) -> None:
    at = open_page(app)
    body = lt.default_template(lt.LetterKind.INITIAL_WARNING).replace(
        "Please treat our colleagues with respect", "Please be respectful to our colleagues"
    )
    at.text_area(key=BODY.format(0)).input(body)
    at.text_input(key="letter_templates_note_initial_warning_standard").input("Kinder wording")
    button(at, "Save as a new version").click().run()
    assert not at.exception
    assert any("version 2 saved" in s.value for s in at.success)
    saved = templates(db_url)
    assert [(t.version, t.note) for t in saved] == [(1, "Built-in template"), (2, "Kinder wording")]
    assert at.text_area(key=BODY.format(2)).value.strip() == body.strip()
    assert any("Version 2" in c.value for c in at.caption)
    (versions, *_rest) = [d for d in at.dataframe if "Version" in d.value.columns]
    assert list(versions.value["Version"]) == [2, 1]


def test_letter_settings_are_saved(staff: dict[str, UserContext], app: App, db_url: str) -> None:
    at = open_page(app)
    at.text_input(key="letter_templates_org_name").input("Northfield Homes")
    at.text_input(key="letter_templates_org_phone").input("0306 999 0123")
    at.multiselect(key="letter_templates_sign_off").select(lt.LetterKind.RESTRICTION_NOTICE)
    button(at, "Save settings").click().run()
    assert not at.exception
    assert any("Letter settings saved" in s.value for s in at.success)
    engine = make_engine(db_url)
    with Session(engine) as session:
        values = {s.key: s.value for s in session.exec(select(Setting)).all()}
    engine.dispose()
    assert values["letters.org_name"] == "Northfield Homes"
    assert values["letters.sign_off"] == "restriction_notice"


@pytest.mark.parametrize("username", ["casemanager", "seniorofficer", "manager"])
def test_only_admins_reach_the_page(staff: dict[str, UserContext], app: App, username: str) -> None:
    at = sign_in(app(), username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE).run()
