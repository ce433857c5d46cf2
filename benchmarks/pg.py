"""A throwaway PostgreSQL 15 cluster for ``--postgres`` (as tests/conftest.py's ``pg_url``).

As root, initdb and pg_ctl run as the ``postgres`` system user (initdb refuses root). The
cluster lives in a temporary folder and is stopped and removed afterwards. Durability is
switched off (it is thrown away); memory settings are modest ones a small server would use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c shared_buffers=512MB -c work_mem=32MB -c maintenance_work_mem=256MB "
    "-c effective_cache_size=4GB -c max_wal_size=8GB -c checkpoint_timeout=30min"
)


class NoPostgres(RuntimeError):
    """PostgreSQL server binaries are not installed here."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a fresh cluster; yield its SQLAlchemy URL; stop and delete it afterwards."""
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        raise NoPostgres(f"PostgreSQL server binaries not found in {PG_BIN}")
    root = Path(tempfile.mkdtemp(prefix="ube-bench-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    pre = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if pre:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    pg_ctl = str(PG_BIN / "pg_ctl")
    try:
        subprocess.run(
            [
                *pre,
                str(initdb),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                *pre,
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-t",
                "60",
                "-l",
                str(root / "log"),
                "-o",
                f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 {SETTINGS}",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*pre, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)
