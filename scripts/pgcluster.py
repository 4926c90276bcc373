"""A throwaway PostgreSQL cluster in a temp dir on a loopback port, for tests and benchmarks.

Run as root, initdb refuses to start, so the cluster is created and run as the ``postgres``
user through ``runuser``. The cluster is stopped and its directory removed on exit.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def find_bindir() -> Path | None:
    if env := os.environ.get("CXO_PG_BINDIR"):
        return Path(env)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    candidates += [str(Path(p).parent) for p in [shutil.which("initdb")] if p]
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def pg_cluster(*, bindir: Path) -> Iterator[str]:
    """Start a cluster; yield its DATABASE_URL; stop and delete it afterwards."""
    as_root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="cxo-pg-"))
    data = tmp / "data"
    port = _free_port()

    def run(*args: str) -> None:
        cmd = list(args)
        if as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    if as_root:
        shutil.chown(tmp, user="postgres", group="postgres")
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
        # Durability is pointless here. Autovacuum is off because tests roll back every write: it would only
        # ANALYZE tables while they happen to be empty, and a later test that bulk-loads inside its transaction
        # would be planned as if they still were (minutes instead of seconds, depending on when it ran).
        opts = (
            f"-p {port} -k {tmp} -h 127.0.0.1"
            " -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c autovacuum=off"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(tmp / "server.log"), "-w", "start")
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/cxo"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
