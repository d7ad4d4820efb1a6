"""Private PostgreSQL clusters and Redis servers on free ports, for tests that stop them.

The machine's shared servers are used by other test runs at the same time: faults are only
ever injected into servers started here, in the test's temporary directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
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


def _as_owner() -> tuple[list[str], int | None, int | None]:
    """PostgreSQL refuses to run as root: then run its tools as the ``postgres`` user."""
    if os.geteuid() != 0:
        return [], None, None
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root and runuser is missing")
    return [runuser, "-u", "postgres", "--"], owner.pw_uid, owner.pw_gid


class PostgresCluster:
    """A throwaway cluster (``initdb``, trust auth) on a free port, with one database.

    Its files live in a directory of their own under /tmp (the owner must reach them),
    removed by ``remove``.
    """

    def __init__(self, directory: Path | None = None, database: str = "linda") -> None:
        binaries = pg_bin()
        assert binaries is not None
        self.bin = binaries
        self.prefix, uid, gid = _as_owner()
        self.root = Path(tempfile.mkdtemp(prefix="linda-pg-"))
        if uid is not None and gid is not None:
            os.chown(self.root, uid, gid)
        self.data = self.root / "pgdata"
        self.port = _free_port()
        self.database = database
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
        self.log = self.root / "postgres.log"
        env = {**os.environ, "LC_ALL": "C"}
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", env=env)

    def _run(self, tool: str, *args: str, env: dict[str, str] | None = None,
             check: bool = True) -> None:
        done = subprocess.run([*self.prefix, str(self.bin / tool), *args], env=env,
                              capture_output=True, text=True, cwd=self.root)
        if check and done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")

    def start(self) -> PostgresCluster:
        # fsync off is safe here: faults kill PostgreSQL, never the machine, and the page
        # cache survives. synchronous_commit stays on: off, an immediate stop would lose
        # commits that Linda already reported (a case number shown, then gone).
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                  "-t", "30", "start")
        return self

    def create_database(self) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  self.database)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop",
                  check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
