"""Private PostgreSQL clusters and Redis servers on free ports, for tests that stop them.

The machine's shared servers are used by other test runs at the same time: faults are only
ever injected into servers started here, in the test's temporary directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def pg_bin() -> Path | None:
    """The directory of ``initdb``/``pg_ctl`` (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def redis_server() -> str | None:
    return shutil.which("redis-server")


needs_redis_server = pytest.mark.skipif(redis_server() is None,
                                        reason="redis-server is not installed")
needs_pg_binaries = pytest.mark.skipif(pg_bin() is None,
                                       reason="PostgreSQL's initdb/pg_ctl are not installed")


class RedisServer:
    """``redis-server`` on a free port; ``stop``/``start`` keep the port and the data dir."""

    def __init__(self, directory: Path, *args: str) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = redis_server()
        assert binary is not None
        with (self.dir / "redis.log").open("ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                 str(self.dir), "--save", "", *self.args], stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        _wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


class PostgresCluster:
    """A throwaway cluster (``initdb``, trust auth) on a free port, with one database."""

    def __init__(self, directory: Path, database: str = "linda") -> None:
        binaries = pg_bin()
        assert binaries is not None
        self.bin = binaries
        self.data = directory / "pgdata"
        self.sockets = directory / "sockets"
        self.sockets.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.database = database
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        self.log = directory / "postgres.log"
        env = {**os.environ, "LC_ALL": "C"}
        subprocess.run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "-A", "trust", "--no-sync", "-E", "UTF8"], check=True, env=env,
                       capture_output=True)

    def start(self) -> PostgresCluster:
        opts = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                        "-o", opts, "-w", "-t", "30", "start"], check=True,
                       capture_output=True)
        return self

    def create_database(self) -> None:
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", "postgres", self.database], check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                        "-t", "30", "stop"], capture_output=True)
