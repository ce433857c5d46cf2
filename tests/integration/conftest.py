"""Integration fixtures: every test that uses a database runs on SQLite and on a real
PostgreSQL 15 (the session's throwaway cluster from ``tests/conftest.py``).

- ``db_url``: a clean database at the newest schema (SQLite: a file in ``tmp_path``;
  PostgreSQL: a database of its own in the one session cluster, emptied before each test);
  ``blank_url``: an empty, unmigrated one, for the migration tests (PostgreSQL: the
  ``public`` schema dropped and recreated).
- ``engine``: ``make_engine`` on ``db_url``.
- ``world``: a team, a first admin, one user per role, a second senior officer, a SPOC
  officer, a second admin and a customer, all made through the services.
- ``build_restricted_case``: incident, initial warning, EIA, formal warning, incident and a
  SPOC restriction, through the services.
- ``snapshot``: every row of every table, to prove that something wrote nothing.

bcrypt's cost is lowered to 4 rounds here: the tests create many users.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import bcrypt
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import ube_core.storage.models  # noqa: F401  (registers the tables)
from ube_core import procedure as p
from ube_core.services import cases, customers, users
from ube_core.services.context import UserContext
from ube_core.services.steps import load_engine_case
from ube_core.storage.db import make_engine, migrate
from ube_core.storage.models import (
    AuditEvent,
    Case,
    CaseEvent,
    CustomerCreate,
    IncidentCreate,
    UserCreate,
)

# The day the tests run "on": every step is dated on or before it.
TODAY = date(2025, 4, 30)
PASSWORD = "correct horse battery"

# The plain roles of rule 11, in a fixed order for matrix tests.
ROLES: tuple[p.Role, ...] = (
    p.Role.OFFICER,
    p.Role.CASE_MANAGER,
    p.Role.LINE_MANAGER,
    p.Role.SENIOR_OFFICER,
    p.Role.MANAGER,
    p.Role.ADMIN,
)


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with the minimum cost (bcrypt's default 12 rounds is ~0.25 s)."""
    real = bcrypt.gensalt
    monkeypatch.setattr(users.bcrypt, "gensalt", lambda *a, **k: real(rounds=4))


def reset_postgres(url: str) -> None:
    """An empty ``public`` schema: no tables, no triggers, no alembic_version."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        engine.dispose()


def _create_database(server_url: str, name: str) -> str:
    """A new database ``name`` in the session's cluster; returns its URL."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def empty_postgres(url: str) -> None:
    """Every table emptied and every id sequence restarted, in one round trip.

    ``session_replication_role = replica`` (superuser, this transaction only) switches off
    the triggers for the cleanup: the audit log's append-only trigger and the foreign-key
    triggers (so the order of the deletes does not matter). Only the tests do this. DELETE
    is used rather than TRUNCATE: on tables this small it is several times faster.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            tables = conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ).scalars()
            deletes = "; ".join(f'DELETE FROM "{name}"' for name in tables)
            conn.exec_driver_sql(
                "SET LOCAL lock_timeout = '10s'; "
                "SET LOCAL session_replication_role = replica; "
                f"{deletes}; "
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = 'public'"
            )
    finally:
        engine.dispose()


DB_PARAMS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DB_PARAMS)
def db_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: every test that uses a database runs on both."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def pg_blank_server(pg_url: str) -> str:
    """A database of its own for tests that migrate from nothing (its schema reset per test)."""
    return _create_database(pg_url, "ube_blank")


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str) -> str:
    """A database of its own, migrated to head once per session."""
    url = _create_database(pg_url, "ube_it")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "ube.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def blank_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the parametrised kind, not migrated."""
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'blank.db'}"
    url: str = request.getfixturevalue("pg_blank_server")
    reset_postgres(url)
    return url


@pytest.fixture
def db_url(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean database at the newest schema; returns its URL.

    Migrating from nothing for every test would cost ~0.4 s each on PostgreSQL, so the
    schema is built once per session by ``migrate`` and each test starts from it with no
    rows: SQLite copies the migrated file, PostgreSQL empties every table and restarts the
    id sequences. ``migrate`` then runs on the test's database as the app does at start (a
    no-op at head). ``test_migrations`` migrates from an empty database on both.
    """
    if db_kind == "sqlite":
        path = tmp_path / "ube.db"
        shutil.copyfile(request.getfixturevalue("sqlite_migrated"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_migrated")
        empty_postgres(url)
    migrate(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


# --- people ------------------------------------------------------------------------------
@dataclass
class World:
    engine: Engine
    team_id: int
    admin: UserContext
    officer: UserContext
    case_manager: UserContext
    line_manager: UserContext
    senior_officer: UserContext
    senior_officer_2: UserContext
    spoc: UserContext
    manager: UserContext
    admin_2: UserContext
    customer_id: int
    extra: dict[str, Any] = field(default_factory=dict)  # for a test's own additions

    def by_role(self, role: p.Role) -> UserContext:
        """The one user holding exactly ``role`` (the first admin for ``admin``)."""
        return {
            p.Role.OFFICER: self.officer,
            p.Role.CASE_MANAGER: self.case_manager,
            p.Role.LINE_MANAGER: self.line_manager,
            p.Role.SENIOR_OFFICER: self.senior_officer,
            p.Role.MANAGER: self.manager,
            p.Role.ADMIN: self.admin,
        }[role]

    def new_customer(self, ref: str, name: str = "Alex Example") -> int:
        created = customers.create_customer(
            self.engine,
            user=self.case_manager,
            data=CustomerCreate(
                tenancy_ref=ref, name=name, needs="Hearing loss", adjustments="Emails"
            ),
        )
        return created.id


def ctx(public: Any) -> UserContext:
    return UserContext(
        public.id, public.username, public.name, frozenset(p.Role(r) for r in public.roles)
    )


def make_user(
    engine: Engine, admin: UserContext, username: str, *roles: p.Role, team_id: int | None = None
) -> UserContext:
    created = users.create_user(
        engine,
        user=admin,
        data=UserCreate(
            username=username,
            name=username.replace(".", " ").title(),
            password=PASSWORD,
            roles=[r.value for r in roles],
            team_id=team_id,
        ),
    )
    return ctx(created)


def make_world(engine: Engine) -> World:
    team_id = users.ensure_team(engine, name="North patch")
    admin = ctx(
        users.create_first_admin(
            engine,
            data=UserCreate(username="ada.admin", name="Ada Admin", password=PASSWORD),
        )
    )

    def mk(name: str, *roles: p.Role) -> UserContext:
        return make_user(engine, admin, name, *roles, team_id=team_id)

    world = World(
        engine=engine,
        team_id=team_id,
        admin=admin,
        officer=mk("olu.officer", p.Role.OFFICER),
        case_manager=mk("cara.cm", p.Role.CASE_MANAGER),
        line_manager=mk("lee.lm", p.Role.LINE_MANAGER),
        senior_officer=mk("sam.senior", p.Role.SENIOR_OFFICER),
        senior_officer_2=mk("sue.senior", p.Role.SENIOR_OFFICER),
        spoc=mk("spike.spoc", p.Role.OFFICER),
        manager=mk("max.manager", p.Role.MANAGER),
        admin_2=mk("abe.admin", p.Role.ADMIN),
        customer_id=0,
    )
    created = customers.create_customer(
        engine,
        user=world.case_manager,
        data=CustomerCreate(
            tenancy_ref="t-0001",
            name="Chris Customer",
            needs="Anxiety; prefers email",
            adjustments="Written summaries after calls",
            team_id=team_id,
        ),
    )
    world.customer_id = created.id
    return world


# The world as first built on each kind of database: its rows, and the World that went with it.
_WORLDS: dict[str, tuple[dict[str, list[dict[str, Any]]], World]] = {}


@pytest.fixture
def world(engine: Engine, db_kind: str) -> World:
    """The people every test needs, built through the services by ``make_world``.

    Built for real once per database kind; later tests get the same rows copied in (a few
    inserts instead of eleven service transactions), so every test starts from the same state.
    """
    cached = _WORLDS.get(db_kind)
    if cached is None:
        built = make_world(engine)
        _WORLDS[db_kind] = (_dump(engine), built)
        return dataclasses.replace(built, extra={})  # a test may change its own copy
    rows_by_table, template = cached
    _load(engine, rows_by_table)
    return dataclasses.replace(template, engine=engine, extra={})


def _dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {
            table.name: [dict(r) for r in conn.execute(sa.select(table)).mappings()]
            for table in SQLModel.metadata.sorted_tables
        }


def _load(engine: Engine, rows_by_table: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the rows (parents first) into an empty database; ids continue after them."""
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if rows_by_table.get(table.name):
                conn.execute(table.insert(), rows_by_table[table.name])
        if engine.dialect.name == "postgresql":
            for table in SQLModel.metadata.sorted_tables:
                if "id" in table.c and rows_by_table.get(table.name):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{table.name}"))'
                    )


# --- a case up to an active restriction -------------------------------------------------
def incident_data(
    customer_id: int,
    on: date,
    *,
    severity: str = "moderate",
    category: str = "aggressive_abusive",
    channel: str = "phone",
    behaviour: str | None = "swearing_shouting",
    narrative: str = "Shouted and swore at the officer on the phone.",
) -> IncidentCreate:
    return IncidentCreate(
        customer_id=customer_id,
        occurred_at=datetime.combine(on, time(10, 30)),
        channel=channel,
        category=category,
        behaviour=behaviour,
        severity=severity,
        narrative=narrative,
    )


# The restriction built below: made 10 Feb 2025 for six months with a SPOC.
INCIDENT_1 = date(2025, 1, 6)
INITIAL_WARNING = date(2025, 1, 10)
EIA_ON = date(2025, 1, 15)
FORMAL_WARNING = date(2025, 1, 20)
INCIDENT_2 = date(2025, 2, 1)
RESTRICT_ON = date(2025, 2, 10)


@dataclass(frozen=True)
class Built:
    case_id: int
    restriction_id: int


def build_case_ready_to_restrict(world: World, *, customer_id: int | None = None) -> int:
    """Incident, initial warning, EIA, formal warning, incident: the case can be restricted."""
    e = world.engine
    cid = customer_id if customer_id is not None else world.customer_id
    first = cases.record_incident(
        e, user=world.officer, data=incident_data(cid, INCIDENT_1), today=TODAY
    )
    case_id = first.case_id
    cases.record_informal_step(
        e,
        user=world.officer,
        case_id=case_id,
        kind=p.InformalKind.INITIAL_WARNING,
        on=INITIAL_WARNING,
        note="Told what is unacceptable.",
        today=TODAY,
    )
    cases.record_eia(
        e,
        user=world.case_manager,
        case_id=case_id,
        on=EIA_ON,
        proportionate=True,
        needs_considered="Anxiety; written contact suits the customer.",
        today=TODAY,
    )
    cases.give_formal_warning(
        e,
        user=world.case_manager,
        case_id=case_id,
        on=FORMAL_WARNING,
        behaviour="Swearing at colleagues.",
        today=TODAY,
    )
    cases.record_incident(e, user=world.officer, data=incident_data(cid, INCIDENT_2), today=TODAY)
    return case_id


def restrict(
    world: World,
    case_id: int,
    *,
    on: date = RESTRICT_ON,
    types: tuple[p.RestrictionType, ...] = (p.RestrictionType.SPOC,),
    months: int = 6,
    allowed_channels: tuple[p.Channel, ...] = (),
    by: UserContext | None = None,
) -> int:
    return cases.restrict_contact(
        world.engine,
        user=by or world.case_manager,
        case_id=case_id,
        on=on,
        types=types,
        months=months,
        reasons="Repeated abuse of colleagues after a formal warning.",
        allowed_channels=allowed_channels,
        spoc_user_id=world.spoc.id if p.RestrictionType.SPOC in types else None,
        informed="Repairs contractor, contact centre",
        today=TODAY,
    )


def build_restricted_case(
    world: World,
    *,
    customer_id: int | None = None,
    types: tuple[p.RestrictionType, ...] = (p.RestrictionType.SPOC,),
    months: int = 6,
    allowed_channels: tuple[p.Channel, ...] = (),
    by: UserContext | None = None,
) -> Built:
    """Incident, initial warning, EIA, formal warning, incident, restriction (SPOC: spike.spoc)
    made on 10 Feb 2025 by the case manager (or ``by``), all through the services."""
    case_id = build_case_ready_to_restrict(world, customer_id=customer_id)
    restriction_id = restrict(
        world, case_id, types=types, months=months, allowed_channels=allowed_channels, by=by
    )
    return Built(case_id, restriction_id)


# --- nothing written --------------------------------------------------------------------
def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (ordered by primary key): equal snapshots = nothing written."""
    if engine.dialect.name == "postgresql":
        return _snapshot_in_one_query(engine)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for table in SQLModel.metadata.sorted_tables:
                order = ", ".join(
                    f'"{c.name}"' for c in (list(table.primary_key.columns) or list(table.columns))
                )
                cursor.execute(f'SELECT * FROM "{table.name}" ORDER BY {order}')
                tables[table.name] = [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()
    return tables


def _snapshot_in_one_query(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """PostgreSQL: every table as JSON in a single round trip (the tests take hundreds)."""
    parts = []
    tables = SQLModel.metadata.sorted_tables
    for table in tables:
        order = ", ".join(
            f't."{c.name}"' for c in (list(table.primary_key.columns) or list(table.columns))
        )
        parts.append(
            f"(SELECT coalesce(json_agg(t ORDER BY {order}), '[]'::json) "
            f'FROM "{table.name}" t) AS "{table.name}"'
        )
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT " + ", ".join(parts)).one()
    return {
        table.name: [tuple(item.values()) for item in value]
        for table, value in zip(tables, row, strict=True)
    }


def counts(engine: Engine) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(engine).items()}


def assert_unchanged(engine: Engine, before: dict[str, list[tuple[Any, ...]]]) -> None:
    after = snapshot(engine)
    changed = {name for name in before if before[name] != after[name]}
    assert not changed, f"tables written: {sorted(changed)}"


@pytest.fixture
def unchanged(engine: Engine) -> Callable[[], Callable[[], None]]:
    """``check = unchanged(); ...; check()`` asserts that nothing in any table changed."""

    def start() -> Callable[[], None]:
        before = snapshot(engine)
        return lambda: assert_unchanged(engine, before)

    return start


# --- reading back -----------------------------------------------------------------------
M = TypeVar("M", bound=SQLModel)


def rows(engine: Engine, model: type[M], **where: Any) -> list[M]:
    """Every row of ``model`` matching ``where`` (column == value), by id."""
    with Session(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        order = [c for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
        return list(session.exec(query.order_by(*order)).all())


def one(engine: Engine, model: type[M], **where: Any) -> M:
    found = rows(engine, model, **where)
    assert len(found) == 1, f"expected one {model.__name__} {where}, found {len(found)}"
    return found[0]


def audit_events(engine: Engine, **where: Any) -> list[AuditEvent]:
    return rows(engine, AuditEvent, **where)


def event_actions(engine: Engine, case_id: int) -> list[str]:
    return [e.action for e in sorted(rows(engine, CaseEvent, case_id=case_id), key=lambda e: e.seq)]


def case_row(engine: Engine, case_id: int) -> Case:
    return one(engine, Case, id=case_id)


def engine_case(engine: Engine, case_id: int) -> p.Case:
    with Session(engine) as session:
        return load_engine_case(session, case_id)
