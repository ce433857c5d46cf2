"""The migrations are the schema: no drift from the SQLModel metadata, reversible, and the
audit log is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from ube_core.storage.db import alembic_config, make_engine, migrate, unit_of_work
from ube_core.storage.models import AuditEvent

from .conftest import World, reset_postgres

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _drift(url: str) -> list[object]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            diff: list[object] = compare_metadata(
                MigrationContext.configure(conn), SQLModel.metadata
            )
            return diff
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _head(url: str) -> str | None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_migrations_produce_exactly_the_metadata(db_url: str) -> None:
    assert _drift(db_url) == []
    assert _head(db_url) == HEAD
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= _tables(db_url)


def test_drift_check_catches_a_hand_made_change(db_url: str) -> None:
    """The drift check is not vacuous: a column added outside the migrations shows."""
    engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE team ADD COLUMN extra TEXT")
    finally:
        engine.dispose()
    diff = _drift(db_url)
    assert any(d[0] == "remove_column" and d[2] == "team" for d in diff if isinstance(d, tuple))


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "base")
    assert _tables(db_url) <= {"alembic_version"}
    assert _head(db_url) is None
    migrate(db_url)
    assert _head(db_url) == HEAD
    assert _drift(db_url) == []
    # The triggers came back with the upgrade.
    engine = make_engine(db_url)
    try:
        _audit_row(engine)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_log"))
    finally:
        engine.dispose()


def test_downgrade_below_the_trigger_migration_removes_the_triggers(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "0001")
    assert _head(db_url) == "0001"
    engine = make_engine(db_url)
    try:
        _audit_row(engine)
        with engine.begin() as conn:  # no trigger any more: allowed
            conn.execute(sa.text("UPDATE audit_log SET action = 'changed'"))
    finally:
        engine.dispose()
    migrate(db_url)
    assert _drift(db_url) == []


def _audit_row(engine: Engine) -> int:
    with unit_of_work(engine) as session:
        row = AuditEvent(action="test.event", username="tester", detail='{"a": 1}')
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _audit_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT * FROM audit_log ORDER BY id"))]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET action = 'tampered'",
        "UPDATE audit_log SET detail = '{}' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
        "DELETE FROM audit_log",
    ],
)
def test_audit_log_refuses_update_and_delete(engine: Engine, statement: str) -> None:
    row_id = _audit_row(engine)
    before = _audit_rows(engine)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement), {"id": row_id})
    assert _audit_rows(engine) == before


def test_audit_log_refuses_orm_update_and_delete(engine: Engine) -> None:
    row_id = _audit_row(engine)
    before = _audit_rows(engine)
    with pytest.raises(sa.exc.DBAPIError), unit_of_work(engine) as session:
        row = session.get(AuditEvent, row_id)
        assert row is not None
        row.action = "tampered"
        session.add(row)
    with pytest.raises(sa.exc.DBAPIError), unit_of_work(engine) as session:
        row = session.get(AuditEvent, row_id)
        session.delete(row)
    assert _audit_rows(engine) == before


@pytest.mark.postgres
def test_audit_log_refuses_truncate_on_postgres(pg_blank_server: str) -> None:
    """SQLite has no TRUNCATE; on PostgreSQL a statement trigger refuses it."""
    reset_postgres(pg_blank_server)
    migrate(pg_blank_server)
    engine = make_engine(pg_blank_server)
    try:
        _audit_row(engine)
        before = _audit_rows(engine)
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_log"))
        assert _audit_rows(engine) == before
    finally:
        engine.dispose()


def test_audit_log_still_accepts_inserts_from_services(world: World) -> None:
    """The triggers refuse changes, not new events: building the world wrote an audit trail."""
    with world.engine.connect() as conn:
        actions = list(conn.execute(sa.text("SELECT action FROM audit_log ORDER BY id")).scalars())
    assert actions.count("user.first_admin") == 1
    assert actions.count("user.create") == 8
    assert "customer.create" in actions
