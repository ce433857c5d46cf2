"""Backup and restore of the configured database.

SQLite: the sqlite3 online backup API, which copies a consistent snapshot while the app keeps
running (the copy is a single self-contained file in rollback-journal mode); restore runs it
the other way, into the configured database. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists`` in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from ube_core.errors import DomainError

PG_BIN_DIRS = (Path("/usr/lib/postgresql"),)
LOCK_WAIT = 3.0
"""Seconds a restore waits for another process's write to finish before giving up."""


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class Copied:
    """What a backup or restore did: the file, its size, and the database's size after."""

    path: Path
    file_bytes: int
    database: str
    database_bytes: int | None


def human_size(size: int | None) -> str:
    if size is None:
        return "unknown size"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"


def backup(url: str, dest: Path, *, overwrite: bool = False) -> Copied:
    """Copy the database at ``url`` to the file ``dest``."""
    if dest.exists() and not overwrite:
        raise BackupError(f"{dest} already exists: choose another name or pass --overwrite.")
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder: give the backup file's name.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    database_bytes: int | None
    try:
        if _is_sqlite(url):
            database_bytes = _sqlite_backup(_sqlite_path(url), dest, partial)
        elif _is_postgres(url):
            database_bytes = _pg_dump(url, partial)
        else:
            raise BackupError(f"Backups need SQLite or PostgreSQL, not {redacted(url)}.")
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(dest, dest.stat().st_size, redacted(url), database_bytes)


def restore(url: str, source: Path, *, yes: bool = False) -> Copied:
    """Replace the database at ``url`` with the backup in ``source`` (``yes`` to overwrite)."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    size: int | None
    if _is_sqlite(url):
        size = _sqlite_restore(source, _sqlite_path(url), yes=yes)
    elif _is_postgres(url):
        size = _pg_restore(url, source, yes=yes)
    else:
        raise BackupError(f"Restores need SQLite or PostgreSQL, not {redacted(url)}.")
    return Copied(source, source.stat().st_size, redacted(url), size)


# -- SQLite ----------------------------------------------------------------------------------
def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Backups need a SQLite database file, not an in-memory database.")
    return Path(database)


def _sqlite_backup(source: Path, dest: Path, partial: Path) -> int:
    if not source.is_file():
        raise BackupError(f"No database at {source}: nothing to back up.")
    if dest.resolve() == source.resolve():
        raise BackupError("The backup can't overwrite the database itself.")
    with contextlib.closing(sqlite3.connect(source, timeout=30)) as src:
        with contextlib.closing(sqlite3.connect(partial)) as out:
            src.backup(out)  # one step: a consistent snapshot, even while the app writes
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check_sqlite(out, partial)
        return _sqlite_size(src)


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    try:
        status = conn.execute("PRAGMA quick_check").fetchone()[0]
        marked = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None
    if status != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {status}")
    if not marked:
        raise BackupError(f"{path} is not a UBE database (no migration history).")


def _sqlite_size(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(pages) * int(size)


def _sqlite_restore(source: Path, target: Path, *, yes: bool) -> int:
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("The backup file is the database itself.")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        _check_sqlite(src, source)
        has_data = target.exists() and target.stat().st_size > 0
        if has_data and not yes:
            raise BackupError(
                f"Restoring replaces everything in {target}: run again with --yes to go ahead."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, timeout=LOCK_WAIT)) as dst:
            dst.isolation_level = None
            try:  # nobody else may be in the middle of a write
                dst.execute("BEGIN IMMEDIATE")
                dst.execute("ROLLBACK")
            except sqlite3.OperationalError:
                raise BackupError(
                    f"{target} is in use (locked by another process): stop the app and retry."
                ) from None
            try:
                src.backup(dst)
            except sqlite3.OperationalError as error:
                raise BackupError(f"Restore failed, nothing changed: {error}.") from None
            dst.execute("PRAGMA journal_mode=WAL")
            return _sqlite_size(dst)


# -- PostgreSQL ------------------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from ``$PG_BIN``, the PATH, or the newest server install."""
    env_bin = os.environ.get("PG_BIN")
    if env_bin and (Path(env_bin) / name).is_file():
        return str(Path(env_bin) / name)
    found = shutil.which(name)
    if found:
        return found
    for root in PG_BIN_DIRS:
        versions = sorted(root.glob(f"*/bin/{name}"), key=lambda p: _version(p), reverse=True)
        if versions:
            return str(versions[0])
    raise BackupError(
        f"{name} not found: install the PostgreSQL client tools or set PG_BIN to their folder."
    )


def _version(path: Path) -> int:
    try:
        return int(path.parent.parent.name)
    except ValueError:
        return 0


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string (no password: that goes in the environment)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {done.returncode}"
        raise BackupError(f"{what} failed: {detail}")


def _pg_size(url: str) -> int | None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
            return int(size) if size is not None else None
    finally:
        engine.dispose()


def _pg_tables(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return list(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _pg_dump(url: str, partial: Path) -> int | None:
    conninfo, env = _libpq(url)
    command = [pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={conninfo}"]
    _run(command, env, "pg_dump")
    return _pg_size(url)


def _pg_restore(url: str, source: Path, *, yes: bool) -> int | None:
    conninfo, env = _libpq(url)
    tool = pg_tool("pg_restore")
    listing = subprocess.run(
        [tool, "--list", str(source)], env=env, capture_output=True, text=True, check=False
    )
    if listing.returncode != 0 or "alembic_version" not in listing.stdout:
        raise BackupError(f"{source} is not a UBE backup made with pg_dump --format=custom.")
    if _pg_tables(url) and not yes:
        raise BackupError(
            "Restoring replaces everything in the database: run again with --yes to go ahead."
        )
    command = [
        tool,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={conninfo}",
        str(source),
    ]
    _run(command, env, "pg_restore")
    return _pg_size(url)
