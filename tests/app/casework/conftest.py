"""Fixtures for the case-work page tests: one migrated database with the staff, built once
and copied for each test (same names and shapes as the fixtures in ``tests/app/conftest``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import bcrypt
import pytest

from ube_core import procedure as p
from ube_core.services import users
from ube_core.services.context import UserContext
from ube_core.storage.db import migrate
from ube_core.storage.models import UserCreate

from .data import PASSWORD, Staff, db


@pytest.fixture(scope="session")
def casework_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Staff]:
    """Migrating and creating the staff once saves seconds per test; each test gets a copy."""
    path = tmp_path_factory.mktemp("casework") / "template.db"
    url = f"sqlite:///{path}"
    migrate(url)
    real = bcrypt.gensalt
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bcrypt, "gensalt", lambda rounds=4, prefix=b"2b": real(4, prefix))
        with db(url) as engine:
            admin = users.create_first_admin(
                engine, data=UserCreate(username="root", name="Ada Admin", password=PASSWORD)
            )
            acting = UserContext(admin.id, admin.username, admin.name, frozenset({p.Role.ADMIN}))
            made: Staff = {"root": acting}
            for role in p.Role:
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
    return path, made


@pytest.fixture
def db_url(
    casework_template: tuple[Path, Staff], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A copy of the template database (same shape as the shared ``db_url`` fixture)."""
    target = tmp_path / "app.db"
    shutil.copyfile(casework_template[0], target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("UBE_DATABASE_URL", url)
    monkeypatch.setenv("UBE_COOKIE_KEY", "k" * 48)
    monkeypatch.delenv("UBE_ENV", raising=False)
    return url


@pytest.fixture
def staff(casework_template: tuple[Path, Staff], db_url: str) -> Staff:
    """An admin plus one user per role (usernames are the role names), as in conftest."""
    return casework_template[1]
