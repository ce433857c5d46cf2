"""AppTest fixtures: a fresh SQLite database per test and quick password hashing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from ube_core.procedure import Role
from ube_core.services import users
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine, migrate
from ube_core.storage.models import UserCreate

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    real = bcrypt.gensalt
    monkeypatch.setattr(bcrypt, "gensalt", lambda rounds=4, prefix=b"2b": real(4, prefix))


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("UBE_DATABASE_URL", url)
    monkeypatch.setenv("UBE_COOKIE_KEY", "k" * 48)
    monkeypatch.delenv("UBE_ENV", raising=False)
    migrate(url)
    yield url


@pytest.fixture
def app() -> Callable[[], AppTest]:
    return lambda: AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.fixture
def staff(db_url: str) -> dict[str, UserContext]:
    """An admin plus one user per role; usernames are the role names."""
    engine = make_engine(db_url)
    admin = users.create_first_admin(
        engine, data=UserCreate(username="root", name="Ada Admin", password=PASSWORD)
    )
    acting = UserContext(admin.id, admin.username, admin.name, frozenset({Role.ADMIN}))
    made = {"root": acting}
    for role in Role:
        created = users.create_user(
            engine,
            user=acting,
            data=UserCreate(
                username=role.value.replace("_", ""),
                name=f"{role.label} Person",
                password=PASSWORD,
                roles=[role.value],
            ),
        )
        made[role.value] = UserContext(
            created.id, created.username, created.name, frozenset({role})
        )
    engine.dispose()
    return made


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at
