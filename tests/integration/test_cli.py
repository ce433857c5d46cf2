"""The command line (``python -m ube_core``): migrate, create-admin, demo, backup, restore.

Commands run as the user runs them — a subprocess with ``UBE_DATABASE_URL`` pointing at a
temporary database — so an expected error is seen exactly as printed: one line, exit 1, no
traceback. The demo data set is checked against the rules engine: every case's chronology
replays through ``Case.decide`` with every step allowed, and the stored case, restriction
and contact rows say what the engine says.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import ube_core.storage.models  # noqa: F401  (registers the tables)
from ube_core import demo
from ube_core import procedure as p
from ube_core.cli import main
from ube_core.demo import TABLES
from ube_core.storage.codec import from_payload
from ube_core.storage.db import alembic_config, make_engine

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2025-06-30"
CUSTOMERS = 200
PASSWORD = "correct horse battery"

# Typed rows written beside each kind of case event.
TYPED = {
    "incident": ("incident",),
    "contact": ("contact",),
    "support": ("informal_step",),
    "initial_warning": ("informal_step",),
    "eia": ("eia",),
    "circumstances_change": ("circumstances_change",),
    "formal_warning": ("warning",),
    "breach_warning": ("warning",),
    "restrict": ("restriction",),
    "review": ("case_review",),
    "appeal": ("appeal",),
    "reconsideration": ("appeal",),
    "spoc_handover": ("spoc_handover",),
    "spoc_review": ("spoc_review",),
    "legal_advice": ("legal_step",),
    "legal_warning_letter": ("legal_step",),
    "injunction": ("legal_step",),
    "civil_restraint_order": ("legal_step",),
    "nosp": ("legal_step",),
}


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(url: str, *args: str, stdin: str | None = None, ok: bool = True) -> Ran:
    """``ube_core.cli.main(ARGS)`` in this process, on the database at ``url``.

    Most calls run in-process (a subprocess costs ~3 s of imports); ``run_module`` runs the
    real ``python -m ube_core`` for the end-to-end cases.
    """
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.pop(k, None) for k in ("DATABASE_URL", "UBE_DATABASE_URL")}
    os.environ["UBE_DATABASE_URL"] = url
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse usage errors
                code = int(exit_.code or 0)
    finally:
        sys.stdin = old_stdin
        os.environ.pop("UBE_DATABASE_URL", None)
        os.environ.update({k: v for k, v in saved.items() if v is not None})
    ran = Ran(code, out.getvalue(), err.getvalue())
    if ok:
        assert ran.returncode == 0, ran.stderr
    return ran


def run_module(url: str, *args: str, stdin: str | None = None, ok: bool = True) -> Ran:
    """``python -m ube_core ARGS`` in a subprocess, with ``UBE_DATABASE_URL=url``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UBE_DATABASE_URL")}
    env["UBE_DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "ube_core", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if ok:
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    return Ran(done.returncode, done.stdout, done.stderr)


def assert_one_line_error(done: Ran, *words: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def engine_for(url: str) -> sa.engine.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table and of ``alembic_version``, in primary-key order."""
    engine = engine_for(url)
    tables = [*SQLModel.metadata.sorted_tables, sa.Table("alembic_version", sa.MetaData())]
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table in tables:
                if table.name == "alembic_version":
                    rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
                else:
                    order = list(table.primary_key.columns) or list(table.columns)
                    rows = conn.execute(sa.select(table).order_by(*order)).all()
                out[table.name] = [tuple(row) for row in rows]
    finally:
        engine.dispose()
    return out


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 of the rows, per table."""
    return {
        name: (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        for name, rows in table_rows(url).items()
    }


def count(url: str, table: str) -> int:
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def change_something(url: str) -> None:
    """A few writes a restore must undo (not to the append-only audit log)."""
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO team (id, name) VALUES (9999, 'Not in the backup')"))
            conn.execute(sa.text("UPDATE customer SET name = 'Changed' WHERE id = 1"))
            conn.execute(sa.text("DELETE FROM recommendation"))
    finally:
        engine.dispose()


# -- fixtures ----------------------------------------------------------------------------------
def load_demo_db(path: Path) -> str:
    url = sqlite_url(path)
    cli(url, "demo", "--customers", str(CUSTOMERS), "--today", TODAY, "--no-progress")
    return url


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh SQLite file with the 200-customer demo set (seed 42), made by
    ``python -m ube_core demo`` exactly as a user runs it."""
    url = sqlite_url(tmp_path_factory.mktemp("demo") / "demo.db")
    done = run_module(url, "demo", "--customers", str(CUSTOMERS), "--today", TODAY)
    assert "password" in done.stdout and "customer 200" in done.stdout
    assert "demo: 100%" in done.stderr  # the progress bar, on stderr
    return url


# -- migrate -----------------------------------------------------------------------------------
def test_migrate_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "sub" / "fresh.db")
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head
    done = cli(url, "migrate")
    assert done.stdout.count("\n") == 1 and f"revision {head}" in done.stdout
    names = set(sa.inspect(engine_for(url)).get_table_names())
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= names
    again = cli(url, "migrate")  # at head already: still fine
    assert f"revision {head}" in again.stdout


# -- create-admin ------------------------------------------------------------------------------
def test_create_admin_then_refuse_a_second(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "ube.db")
    done = cli(url, "create-admin", "--username", "Ada", "--name", "Ada Admin",
               "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert "ada" in done.stdout
    engine = engine_for(url)
    with engine.connect() as conn:
        roles = conn.execute(
            sa.text(
                "SELECT r.role FROM user_role r JOIN app_user u ON u.id = r.user_id "
                "WHERE u.username = 'ada'"
            )
        ).scalars()
        assert set(roles) == {"admin"}
    again = cli(url, "create-admin", "--username", "bob", "--name", "Bob", "--password-stdin",
                stdin=PASSWORD + "\n", ok=False)  # fmt: skip
    assert_one_line_error(again, "already exist")
    assert count(url, "app_user") == 1


def test_create_admin_refused_when_demo_users_exist(demo_url: str) -> None:
    done = cli(demo_url, "create-admin", "--username", "eve", "--name", "Eve",
               "--password-stdin", stdin=PASSWORD + "\n", ok=False)  # fmt: skip
    assert_one_line_error(done, "already exist")


# -- expected errors: one line, exit 1, no traceback -------------------------------------------
def test_expected_errors_print_one_line(tmp_path: Path, demo_url: str) -> None:
    url = sqlite_url(tmp_path / "ube.db")
    # As the user sees them: the real module in a subprocess.
    short = run_module(url, "create-admin", "--username", "ada", "--name", "Ada",
                       "--password-stdin", stdin="short\n", ok=False)  # fmt: skip
    assert_one_line_error(short, "Password")
    assert count(url, "app_user") == 0
    busy = run_module(demo_url, "demo", "--customers", "5", ok=False)
    assert_one_line_error(busy, "already holds")
    usage = run_module(url, "demo", "--customers", "lots", ok=False)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr

    # The rest through main() in this process: same printing, faster.
    missing = cli(url, "restore", str(tmp_path / "nothing.db"), "--yes", ok=False)
    assert_one_line_error(missing, "No backup file")
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    assert_one_line_error(cli(url, "restore", str(not_a_db), "--yes", ok=False), "not a")
    cli(url, "backup", str(tmp_path / "b.db"))
    assert_one_line_error(cli(url, "backup", str(tmp_path / "b.db"), ok=False), "exists")
    nowhere = cli(sqlite_url(tmp_path / "none.db"), "backup", str(tmp_path / "c.db"), ok=False)
    assert_one_line_error(nowhere, "No database")
    unusable = cli("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", "migrate", ok=False)
    assert_one_line_error(unusable)
    assert "secret" not in unusable.stderr


# -- demo --------------------------------------------------------------------------------------
def test_demo_fills_every_table(demo_url: str) -> None:
    rows = table_rows(demo_url)
    empty = [t for t in (*TABLES, "audit_log") if not rows[t]]
    assert not empty, f"empty after demo: {empty}"
    assert len(rows["customer"]) == CUSTOMERS == len(rows["ube_case"])
    # one audit row per batch (and one for the staff), not per row
    assert len(rows["audit_log"]) <= 3


def test_demo_covers_every_stage_and_situation(demo_url: str) -> None:
    engine = engine_for(demo_url)
    with engine.connect() as conn:

        def one(sql: str) -> Any:
            return conn.execute(sa.text(sql)).scalar_one()

        stages = set(conn.execute(sa.text("SELECT DISTINCT stage FROM ube_case")).scalars())
        assert {
            "Incident logged", "Informal action", "Formal warning", "Contact restricted",
            "Restriction ended", "Legal action",
        } <= stages  # fmt: skip
        assert one("SELECT count(*) FROM restriction WHERE spoc_name IS NOT NULL")
        assert one("SELECT count(*) FROM restriction WHERE spoc_name IS NULL")
        active = one(
            f"SELECT count(*) FROM restriction WHERE ended_on IS NULL AND end_on >= '{TODAY}'"
        )
        restricted = one("SELECT count(DISTINCT customer_id) FROM restriction")
        assert 0.04 * CUSTOMERS <= active <= 0.2 * CUSTOMERS
        assert 0.2 * CUSTOMERS <= restricted <= 0.4 * CUSTOMERS
        assert one("SELECT count(*) FROM appeal WHERE kind = 'appeal' AND decided_on IS NOT NULL")
        assert one("SELECT count(*) FROM appeal WHERE kind = 'reconsideration'")
        assert one("SELECT count(*) FROM contact WHERE topic = 'appeal'")  # out of time
        assert one("SELECT count(*) FROM contact WHERE screen = 'breach'")
        assert one("SELECT count(*) FROM contact WHERE screen = 'exclusion'")
        assert one("SELECT count(*) FROM warning WHERE kind = 'breach'")
        assert one("SELECT count(*) FROM recommendation WHERE done_on IS NOT NULL")
        assert one(
            f"SELECT count(*) FROM recommendation WHERE done_on IS NULL AND due_on < '{TODAY}'"
        )
        assert one("SELECT count(*) FROM customer WHERE needs LIKE '%utism%'")
        assert one("SELECT count(*) FROM customer WHERE needs = ''")
        assert one("SELECT count(*) FROM customer WHERE language <> 'English'")
        assert one("SELECT count(*) FROM customer WHERE representative <> ''")
        assert one("SELECT max(occurred_on) FROM case_event") <= TODAY
        assert one("SELECT min(occurred_on) FROM case_event") >= "2023-06-30"
        roles = set(conn.execute(sa.text("SELECT DISTINCT role FROM user_role")).scalars())
        assert roles == {r.value for r in p.Role}
    incidents, contacts = count(demo_url, "incident"), count(demo_url, "contact")
    assert 7 * CUSTOMERS <= incidents <= 14 * CUSTOMERS
    assert 12 * CUSTOMERS <= contacts <= 28 * CUSTOMERS


def test_demo_is_reproducible(demo_url: str, tmp_path: Path) -> None:
    again = load_demo_db(tmp_path / "again.db")
    first, second = table_rows(demo_url), table_rows(again)
    for table in (*TABLES, "audit_log"):
        assert len(first[table]) == len(second[table]), table
        if table == "audit_log":  # stamped with the time of loading; the rest must match
            strip = [row[:1] + row[2:] for row in first[table]]
            assert strip == [row[:1] + row[2:] for row in second[table]]
        else:
            assert first[table][:5] == second[table][:5], table
            assert first[table] == second[table], table
    different = load_demo_db_seed(tmp_path / "other.db", seed=7)
    assert table_rows(different)["customer"][:5] != first["customer"][:5]


def load_demo_db_seed(path: Path, *, seed: int) -> str:
    url = sqlite_url(path)
    cli(url, "demo", "--customers", "20", "--seed", str(seed), "--today", TODAY, "--no-progress")
    return url


def test_demo_leaves_the_indexes_as_migrated(demo_url: str, tmp_path: Path) -> None:
    """The indexes dropped for the bulk load are all back, exactly as the migrations made
    them."""
    fresh = sqlite_url(tmp_path / "fresh.db")
    cli(fresh, "migrate")
    indexes = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    with engine_for(fresh).connect() as a, engine_for(demo_url).connect() as b:
        expected = a.exec_driver_sql(indexes).all()
        assert b.exec_driver_sql(indexes).all() == expected
        assert any(row[1] == "case_event" for row in expected)
        assert b.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_direct_sqlite_inserts_store_what_core_stores(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the loader hands Core's compiled INSERT and each column type's own bind
    processor to the driver's executemany; plain ``conn.execute(insert, rows)`` stores the
    very same values (compared as stored, before any type conversion on reading)."""
    monkeypatch.setattr(demo, "_DIRECT_SQLITE", False)
    url = sqlite_url(tmp_path / "core.db")
    cli(url, "migrate")
    engine = make_engine(url)
    try:
        demo.load_demo(engine, customers=CUSTOMERS, today=date.fromisoformat(TODAY), progress=False)
    finally:
        engine.dispose()
    for table in TABLES:
        sql = f"SELECT * FROM {table} ORDER BY rowid"
        with engine_for(demo_url).connect() as a, engine_for(url).connect() as b:
            assert a.exec_driver_sql(sql).all() == b.exec_driver_sql(sql).all(), table


def test_every_case_replays_through_the_engine(demo_url: str) -> None:
    """Each case's chronology, step by step through ``Case.decide`` with the user's roles:
    every step allowed; and the rows beside it say what the engine says."""
    engine = engine_for(demo_url)
    with engine.connect() as conn:

        def rows(sql: str) -> list[Any]:
            return list(conn.execute(sa.text(sql)).mappings())

        users = {r["id"]: r["username"] for r in rows("SELECT id, username FROM app_user")}
        roles: dict[int, set[p.Role]] = defaultdict(set)
        for r in rows("SELECT user_id, role FROM user_role"):
            roles[r["user_id"]].add(p.Role(r["role"]))
        events: dict[int, list[Any]] = defaultdict(list)
        for r in rows("SELECT * FROM case_event ORDER BY case_id, seq"):
            events[r["case_id"]].append(r)
        cases = {r["id"]: r for r in rows("SELECT * FROM ube_case")}
        restrictions = {(r["case_id"], r["number"]): r for r in rows("SELECT * FROM restriction")}
        screens = {r["event_id"]: r["screen"] for r in rows("SELECT event_id, screen FROM contact")}
        typed: Counter[str] = Counter()
        stored_decisions = Counter(
            {
                r["kind"]: r["n"]
                for r in rows(
                    "SELECT kind, count(*) AS n FROM appeal WHERE decided_on IS NOT NULL "
                    "GROUP BY kind"
                )
            }
        )
        for table in {t for kinds in TYPED.values() for t in kinds}:
            typed[table] = len(rows(f"SELECT id FROM {table} WHERE event_id IS NOT NULL"))

    assert set(events) == set(cases)
    expected_typed: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for case_id, history in events.items():
        case = p.Case()
        for seq, event in enumerate(history, start=1):
            assert event["seq"] == seq
            step = from_payload(event["payload"])
            assert step.action.value == event["action"]
            assert step.date == date.fromisoformat(str(event["occurred_on"]))
            assert step.by == users[event["by_user_id"]]
            actor = p.Actor(step.by, frozenset(roles[event["by_user_id"]]))
            decision = case.decide(step, actor)
            assert decision.allowed, (case_id, seq, step, decision.reasons)
            if isinstance(step, p.Contact):
                assert decision.screen is not None
                assert screens[event["id"]] == decision.screen.value, (case_id, seq)
            case.record(step, actor)
            expected_typed.update(TYPED.get(step.action.value, ()))
            if isinstance(step, p.AppealDecision | p.ReconsiderationDecision):
                decided[step.action.value.removesuffix("_decision")] += 1
        state = case.state
        row = cases[case_id]
        last = case.history[-1].date
        assert row["stage"] == p.stage(state, last), case_id
        assert _day(row["eia_review_due"]) == state.eia_review_due, case_id
        assert row["version"] == 1 + len(case.history)
        assert _day(row["opened_on"]) == case.history[0].date
        for rs in state.restrictions:
            stored = restrictions[(case_id, rs.number)]
            assert _day(stored["start_on"]) == rs.start
            assert _day(stored["end_on"]) == rs.end
            assert _day(stored["case_review_due"]) == rs.case_review_due
            assert _day(stored["spoc_review_due"]) == rs.spoc_review_due
            assert _day(stored["appeal_deadline"]) == rs.appeal_deadline
            assert _day(stored["ended_on"]) == rs.ended_on
            assert stored["breaches"] == rs.breaches
            assert stored["spoc_name"] == rs.spoc
            assert (stored["spoc_user_id"] is None) == (rs.spoc is None)
        assert sum(1 for key in restrictions if key[0] == case_id) == len(state.restrictions)
    assert typed == expected_typed
    assert decided == stored_decisions


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


# -- backup and restore ------------------------------------------------------------------------
def test_backup_and_restore_sqlite(demo_url: str, tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    url = sqlite_url(db)
    backup = tmp_path / "backups" / "ube-backup.db"
    # Work on a copy of the demo database, made with the CLI's own backup.
    cli(demo_url, "backup", str(tmp_path / "seed.db"))
    cli(url, "restore", str(tmp_path / "seed.db"))  # a new file: no --yes needed
    before = checksums(url)
    assert before == checksums(demo_url)

    done = cli(url, "backup", str(backup))
    assert backup.is_file() and "Backed up" in done.stdout and "MB" in done.stdout
    change_something(url)
    assert checksums(url) != before

    refused = cli(url, "restore", str(backup), ok=False)
    assert_one_line_error(refused, "--yes")
    assert checksums(url)["team"] != before["team"]  # nothing restored without --yes

    done = cli(url, "restore", str(backup), "--yes")
    assert "Restored" in done.stdout
    assert checksums(url) == before


def test_restore_refuses_a_database_in_use(demo_url: str, tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "busy.db")
    cli(url, "migrate")
    backup = tmp_path / "b.db"
    cli(url, "backup", str(backup))
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # another process is writing
            done = cli(url, "restore", str(backup), "--yes", ok=False)
            conn.exec_driver_sql("ROLLBACK")
    finally:
        engine.dispose()
    assert_one_line_error(done, "in use")


# -- PostgreSQL --------------------------------------------------------------------------------
@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """A fresh database of its own in the session's cluster; dropped afterwards."""
    name = f"clitest_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_demo_backup_and_restore_postgres(pg_database: str, tmp_path: Path) -> None:
    url = pg_database
    cli(url, "migrate")
    cli(url, "demo", "--customers", "30", "--today", TODAY, "--no-progress")
    assert count(url, "incident") > 0 and count(url, "contact") > 0
    # Explicit ids were loaded: the sequences were moved past them.
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO team (name) VALUES ('Added after the demo')"))
    engine.dispose()
    before = checksums(url)

    backup = tmp_path / "ube.dump"
    done = cli(url, "backup", str(backup))
    assert backup.is_file() and backup.stat().st_size > 0 and "Backed up" in done.stdout
    change_something(url)
    assert checksums(url) != before

    assert_one_line_error(cli(url, "restore", str(backup), ok=False), "--yes")
    done = cli(url, "restore", str(backup), "--yes")
    assert "Restored" in done.stdout
    assert checksums(url) == before

    not_a_dump = tmp_path / "notes.txt"
    not_a_dump.write_text("hello")
    assert_one_line_error(cli(url, "restore", str(not_a_dump), "--yes", ok=False), "not a")
