"""Real ``linda worker`` processes, for the tests that need one beside the test process.

A worker in another process must share the test's PostgreSQL and Redis: these tests skip on
the embedded defaults (SQLite file locks, and fakeredis lives in one process).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db

REAL_SERVICES = bool(os.environ.get("REDIS_URL")) and os.environ.get(
    "DATABASE_URL", "").startswith(("postgres://", "postgresql"))

needs_worker_services = pytest.mark.skipif(
    not REAL_SERVICES,
    reason="a separate `linda worker` needs REDIS_URL and a PostgreSQL DATABASE_URL")

LINDA = str(Path(sys.executable).with_name("linda"))


def app_env(app: Flask, **extra: str) -> dict[str, str]:
    """The test app's own settings, for a worker that shares its database, Redis and key."""
    keys = ("LINDA_ENV", "DATABASE_URL", "REDIS_URL", "LINDA_DATA_KEY", "SECRET_KEY",
            "LINDA_WEBHOOK_TOKEN")
    env = {**os.environ, **{k: str(app.config[k]) for k in keys}, **extra}
    env["LINDA_INSTANCE_PATH"] = app.instance_path
    return env


class WorkerProcess:
    """``linda worker`` in its own process group.

    RQ forks its scheduler beside the worker; signalling the group reaches both, as a crash
    or a stop of the host would.
    """

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:  # the child keeps its own descriptor
            self.proc = subprocess.Popen([LINDA, "worker"], env=dict(env), stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """``kill -9`` the worker and its scheduler, mid-job if need be."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Ask politely, then kill what is left."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.kill()


def wait_until(check: Callable[[], bool], timeout: float, log: Path,
               what: str = "the worker") -> None:
    """Poll ``check`` on fresh snapshots of what the worker committed; fail with its log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        db.session.rollback()  # a fresh snapshot, and nothing cached from before
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
