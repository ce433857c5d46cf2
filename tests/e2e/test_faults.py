"""Faults: the app process killed mid-write, and PostgreSQL restarted under a running app.

- SQLite: an officer saves an incident and the server is SIGKILLed while the save runs.
  After a restart on the same file the database is intact (integrity check, foreign keys,
  migrations at head), the save is all there or not there at all, and the app works.
- PostgreSQL: the save is frozen inside its transaction (the test holds a lock that the
  audit insert waits for, after the case event has been written), the server is SIGKILLed,
  the lock released: PostgreSQL rolls the transaction back — no half-written case.
- PostgreSQL stopped while the app runs: the person reads that the database can't be
  reached, never a trace or an error box; once it is back the app reconnects and the save
  goes through; after a restart the next click works.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlalchemy.pool import NullPool

from tests.conftest import PG_BIN
from ube_core.demo import DEMO_PASSWORD, load_demo
from ube_core.storage.db import alembic_config, make_engine, migrate
from ube_ui.runtime import DATABASE_DOWN

from .conftest import NewContext, Serve, copy_db, london_today
from .journeys import fill_incident, save_incident
from .server import AppServer
from .ui import (
    APP,
    TRACE_MARKERS,
    WAIT_MS,
    assert_no_trace,
    go_to,
    open_app,
    shot,
    sign_in,
)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def snapshot(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("ube_case", "case_event", "incident", "contact", "audit_log")
        }


def assert_consistent(engine: sa.Engine) -> None:
    """Every case's chronology and typed rows agree; every step is audited."""
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == head_revision()
        broken = conn.execute(
            sa.text(
                "SELECT c.id FROM ube_case c JOIN case_event e ON e.case_id = c.id "
                "GROUP BY c.id HAVING count(e.id) <> count(DISTINCT e.seq) "
                "OR min(e.seq) <> 1 OR max(e.seq) <> count(e.id)"
            )
        ).all()
        assert broken == [], f"cases with a broken chronology: {broken[:5]}"
        for table, action in (("incident", "incident"), ("contact", "contact")):
            orphans = conn.execute(
                sa.text(
                    f"SELECT count(*) FROM case_event e WHERE e.action = '{action}' AND NOT "
                    f"EXISTS (SELECT 1 FROM {table} t WHERE t.event_id = e.id)"
                )
            ).scalar_one()
            assert orphans == 0, f"{orphans} {action} events without their {table} row"
            loose = conn.execute(
                sa.text(
                    f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
                    "(SELECT 1 FROM case_event e WHERE e.id = t.event_id)"
                )
            ).scalar_one()
            assert loose == 0, f"{loose} {table} rows without their case event"


def assert_audited_since(engine: sa.Engine, events_before: int) -> None:
    """Every case event written by the app (after the first ``events_before``) is audited."""
    with engine.connect() as conn:
        unaudited = conn.execute(
            sa.text(
                "SELECT count(*) FROM case_event e WHERE e.id > (SELECT max(id) FROM "
                "(SELECT id FROM case_event ORDER BY id LIMIT :n) AS first) AND NOT EXISTS "
                "(SELECT 1 FROM audit_log a WHERE a.entity = 'case_event' AND a.entity_id = e.id)"
            ),
            {"n": events_before},
        ).scalar_one()
    assert unaudited == 0, f"{unaudited} case events without their audit event"


def ref_of(engine: sa.Engine, customer_id: int) -> str:
    with engine.connect() as conn:
        ref = conn.execute(
            sa.text("SELECT tenancy_ref FROM customer WHERE id = :i"), {"i": customer_id}
        ).scalar_one()
    return str(ref)


def click_and_kill_mid_save(page: Page, server: AppServer) -> None:
    """Click save and SIGKILL the server as soon as the app is running the save."""
    page.get_by_role("button", name="Save incident").click()
    page.wait_for_selector(f'{APP}[data-test-script-state="running"]', timeout=WAIT_MS)
    server.kill()


def test_sqlite_app_killed_mid_save_leaves_no_half_written_case(
    serve: Serve, new_context: NewContext, demo_db: Path, demo_staff: dict[str, str], tmp_path: Path
) -> None:
    db_url = copy_db(demo_db, tmp_path / "db")
    engine = make_engine(db_url, poolclass=NullPool)
    before = snapshot(engine)
    server = serve("kill-sqlite", db_url)
    page = open_app(new_context(), server)
    sign_in(page, demo_staff["officer"], DEMO_PASSWORD)
    ref = ref_of(engine, 7)
    fill_incident(page, ref, narrative="Shouted and swore at the housing officer.")
    click_and_kill_mid_save(page, server)

    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    after = snapshot(engine)
    grew = {t: after[t] - before[t] for t in after}
    # All of the save or none of it: an incident with its event and its audit, or nothing.
    assert grew["incident"] == grew["case_event"] in (0, 1), grew
    assert_audited_since(engine, before["case_event"])
    assert_consistent(engine)

    server.start()  # same file, same port
    page = open_app(new_context(), server)
    sign_in(page, demo_staff["officer"], DEMO_PASSWORD)
    fill_incident(page, ref, narrative="After the restart: swore at the officer again.")
    save_incident(page)
    assert_no_trace(page)
    assert snapshot(engine)["incident"] == after["incident"] + 1
    assert_audited_since(engine, before["case_event"])
    assert_consistent(engine)
    engine.dispose()


# -- PostgreSQL -------------------------------------------------------------------------------
def _pre() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def pg_ctl(cluster: list[str], action: str) -> None:
    """``pg_ctl stop|start|restart`` on the session's cluster, as the postgres user."""
    subprocess.run(
        [*_pre(), str(PG_BIN / "pg_ctl"), *cluster, "-w", "-t", "60"]
        + ([] if action == "start" else ["-m", "fast"])
        + [action],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def pg_app_db(pg_url: str) -> Iterator[tuple[str, list[str]]]:
    """A demo database of its own in the session's cluster, and how to start the cluster
    again (its data folder and server options, as ``pg_ctl`` arguments)."""
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql('DROP DATABASE IF EXISTS "ube_faults" WITH (FORCE)')
        conn.exec_driver_sql('CREATE DATABASE "ube_faults"')

        def show(name: str) -> str:
            return str(conn.exec_driver_sql(f"SHOW {name}").scalar_one())

        options = (
            f"-p {show('port')} -k {show('unix_socket_directories')} "
            f"-c listen_addresses={show('listen_addresses')} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        cluster = ["-D", show("data_directory"), "-o", options]
    admin.dispose()
    url = pg_url.rsplit("/", 1)[0] + "/ube_faults"
    migrate(url)
    engine = make_engine(url, poolclass=NullPool)
    load_demo(engine, customers=30, today=london_today().date(), progress=False)
    engine.dispose()
    yield url, cluster


@pytest.fixture(scope="module")
def pg_officer(pg_app_db: tuple[str, list[str]]) -> str:
    engine = sa.create_engine(pg_app_db[0], poolclass=NullPool)
    with engine.connect() as conn:
        username = conn.execute(
            sa.text(
                "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                "WHERE r.role = 'officer' ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return str(username)


@pytest.mark.postgres
def test_postgres_app_killed_inside_the_transaction_rolls_back(
    serve: Serve, new_context: NewContext, pg_app_db: tuple[str, list[str]], pg_officer: str
) -> None:
    url, _ = pg_app_db
    engine = make_engine(url, poolclass=NullPool)
    server = serve("kill-postgres", url)
    page = open_app(new_context(), server)
    sign_in(page, pg_officer, DEMO_PASSWORD)
    ref = ref_of(engine, 3)
    fill_incident(page, ref, narrative="Threatened the officer on the phone.")
    before = snapshot(engine)
    with engine.connect() as holder:
        # Hold back every audit insert: the save stops after writing its case event.
        holder.exec_driver_sql("BEGIN")
        holder.exec_driver_sql("LOCK TABLE audit_log IN SHARE MODE")
        page.get_by_role("button", name="Save incident").click()
        deadline = time.monotonic() + 90
        waiting = 0
        while time.monotonic() < deadline and not waiting:
            waiting = holder.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            ).scalar_one()
            time.sleep(0.1)
        assert waiting, "the save never reached the audit insert"
        written = holder.exec_driver_sql(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.datname = current_database() AND l.granted AND l.mode = 'RowExclusiveLock' "
            "AND l.relation = 'case_event'::regclass"
        ).scalar_one()
        assert written, "the save had not written its case event yet"
        server.kill()
        holder.exec_driver_sql("ROLLBACK")
    # The killed app's backend notices its client is gone and rolls back.
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            busy = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND (state IN ('idle in transaction', 'idle in transaction (aborted)') "
                "OR wait_event_type = 'Lock')"
            ).scalar_one()
            if not busy:
                break
            time.sleep(0.2)
    assert snapshot(engine) == before, "a half-written save survived the crash"
    assert_consistent(engine)

    server.start()
    page = open_app(new_context(), server)
    sign_in(page, pg_officer, DEMO_PASSWORD)
    fill_incident(page, ref, narrative="After the crash: threatened the officer.")
    save_incident(page)
    assert snapshot(engine)["incident"] == before["incident"] + 1
    assert_consistent(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgres_restart_while_the_app_runs_shows_a_message_then_recovers(
    serve: Serve, new_context: NewContext, pg_app_db: tuple[str, list[str]], pg_officer: str
) -> None:
    url, cluster = pg_app_db
    engine = make_engine(url, poolclass=NullPool)
    ref = ref_of(engine, 5)
    engine.dispose()
    server = serve("pg-restart", url)
    page = open_app(new_context(), server)
    sign_in(page, pg_officer, DEMO_PASSWORD)
    go_to(page, "Customer & case")
    # The database goes away while the person works.
    pg_ctl(cluster, "stop")
    try:
        go_to(page, "Log an incident")
        shot(page, "postgres-down")
        body = page.locator('[data-testid="stMain"]').inner_text()
        for marker in TRACE_MARKERS:
            assert marker not in body, f"a trace reaches the person: {marker!r}"
        assert page.locator('[data-testid="stException"]').count() == 0, "an error box shows"
        expect(page.get_by_text(DATABASE_DOWN)).to_be_visible(timeout=WAIT_MS)
    finally:
        pg_ctl(cluster, "start")
    # Back again: the same session carries on and the save goes through.
    fill_incident(page, ref, narrative="Called back after the outage, shouting.")
    save_incident(page)
    assert_no_trace(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # A restart (stop and start in one go) while signed in: the next click works.
    pg_ctl(cluster, "restart")
    go_to(page, "Customer & case")
    assert_no_trace(page)
    assert page.get_by_text(DATABASE_DOWN).count() == 0
