"""The command line: ``python -m ube_core <command>`` (``--help`` lists the commands).

    migrate                                   bring the database to the newest schema
    create-admin --username U --name N        the first administrator (password asked for)
    demo --customers N [--seed S] [--today D] load a reproducible demo data set
    backup PATH / restore PATH --yes          copy the database to a file and back

The database is ``UBE_DATABASE_URL`` (default: SQLite in ``data/ube.db``). Expected
problems print one line, ``error: …``, and exit with status 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from ube_core import backup as backups
from ube_core.config import database_url
from ube_core.demo import DEMO_PASSWORD, demo_password_hash, load_demo
from ube_core.errors import DomainError
from ube_core.procedure import Role
from ube_core.services.context import validated
from ube_core.services.users import create_first_admin, user_count
from ube_core.storage.db import make_engine, migrate, throwaway_engine
from ube_core.storage.models import AppUser, UserCreate, UserRole

Command = Callable[[argparse.Namespace, str], int]


class CliError(DomainError):
    """A command that cannot go ahead; printed as one line."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = database_url()
    command: Command = args.run
    try:
        return command(args, url)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        print(f"error: database {backups.redacted(url)}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ube_core",
        description="UBE command line. The database is UBE_DATABASE_URL "
        "(default: SQLite in data/ube.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub = commands.add_parser("migrate", help="bring the database to the newest schema")
    sub.set_defaults(run=_migrate)

    sub = commands.add_parser("create-admin", help="create the first administrator")
    sub.add_argument("--username", required=True)
    sub.add_argument("--name", required=True, help="full name")
    sub.add_argument("--email", default=None)
    sub.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    sub.set_defaults(run=_create_admin)

    sub = commands.add_parser("demo", help="load a reproducible demo data set")
    sub.add_argument("--customers", type=_count, required=True, help="how many customers")
    sub.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    sub.add_argument(
        "--today", type=_iso_date, default=None, help="the day the data ends (default: today)"
    )
    sub.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.set_defaults(run=_demo)

    sub = commands.add_parser("backup", help="copy the database to a file")
    sub.add_argument("path")
    sub.add_argument("--overwrite", action="store_true", help="replace an existing file")
    sub.set_defaults(run=_backup)

    sub = commands.add_parser("restore", help="replace the database with a backup file")
    sub.add_argument("path")
    sub.add_argument("--yes", action="store_true", help="confirm: overwrite the database")
    sub.set_defaults(run=_restore)
    return parser


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


# -- commands --------------------------------------------------------------------------------
def _migrate(args: argparse.Namespace, url: str) -> int:
    migrate(url)
    engine = throwaway_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    print(f"Database {backups.redacted(url)} is at the newest schema (revision {revision}).")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Same password again: ") != password:
        raise CliError("The two passwords differ: nothing was created.")
    return password


def _create_admin(args: argparse.Namespace, url: str) -> int:
    migrate(url)
    engine = throwaway_engine(url)
    try:
        if user_count(engine):
            raise CliError(
                "Users already exist: create-admin only makes the first administrator. "
                "Sign in as an administrator to add users."
            )
        password = _read_password(args.password_stdin)
        data = validated(
            UserCreate,
            username=args.username.strip().lower(),
            name=args.name.strip(),
            email=args.email,
            password=password,
        )
        created = create_first_admin(engine, data=data)
    finally:
        engine.dispose()
    print(f"Created administrator {created.username} ({created.name}).")
    return 0


def _demo(args: argparse.Namespace, url: str) -> int:
    migrate(url)
    today = args.today or date.today()
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        counts = load_demo(
            engine,
            customers=args.customers,
            seed=args.seed,
            today=today,
            progress=not args.no_progress,
        )
        staff = _demo_staff(engine, demo_password_hash(args.seed))
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    print(
        f"Loaded demo data into {backups.redacted(url)}: {args.customers} customers, "
        f"seed {args.seed}, up to {today.isoformat()}, in {seconds:.1f} s."
    )
    print("Rows: " + ", ".join(f"{table} {n:,}" for table, n in counts.items() if n))
    print(f"Demo users all sign in with the password: {DEMO_PASSWORD}")
    for role in Role:
        names = staff.get(role.value, [])
        if names:
            more = f" (+{len(names) - 3} more)" if len(names) > 3 else ""
            print(f"  {role.label}: {', '.join(names[:3])}{more}")
    return 0


def _demo_staff(engine: sa.engine.Engine, password_hash: str) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AppUser.username, UserRole.role)
            .join(UserRole, UserRole.user_id == AppUser.id)  # type: ignore[arg-type]
            .where(AppUser.password_hash == password_hash)
            .order_by(AppUser.id)  # type: ignore[arg-type]
        ).all()
    staff: dict[str, list[str]] = {}
    for username, role in rows:
        staff.setdefault(str(role), []).append(str(username))
    return staff


def _backup(args: argparse.Namespace, url: str) -> int:
    done = backups.backup(url, _path(args.path), overwrite=args.overwrite)
    print(
        f"Backed up {done.database} ({backups.human_size(done.database_bytes)}) "
        f"to {done.path} ({backups.human_size(done.file_bytes)})."
    )
    return 0


def _restore(args: argparse.Namespace, url: str) -> int:
    done = backups.restore(url, _path(args.path), yes=args.yes)
    print(
        f"Restored {done.path} ({backups.human_size(done.file_bytes)}) into {done.database} "
        f"(now {backups.human_size(done.database_bytes)})."
    )
    return 0


def _path(value: str) -> Path:
    return Path(value).expanduser()
