"""The processes of a fault run: a private PostgreSQL and Redis, ``linda serve`` (with its AT
sandbox) and ``linda worker``, and the faults injected into them.

Nothing here touches the machine's shared servers: every fault lands on servers this module
started on free ports.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import redis
import requests
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from tests.conftest import DATA_KEY, WEBHOOK_TOKEN, free_port
from tests.servers import PostgresCluster, RedisServer
from tests.workers import LINDA, WorkerProcess

RECONCILE = 1
ACK_TIMEOUT = 4
KEEP = ("regions", "councils", "wards", "responders", "alembic_version")


class Stats(dict):  # type: ignore[type-arg]
    def __init__(self) -> None:
        super().__init__(runs=0, faults=0, taken=0, lost=0, late=0, duplicates=0,
                         ambiguous=0, silent=0)

    def line(self) -> str:
        return (f"fault suite: runs={self['runs']} faults injected={self['faults']} "
                f"reports taken={self['taken']} reports lost={self['lost']} "
                f"(first alert not sent in the recovery window: {self['late']}) "
                f"duplicates outside the ambiguous window={self['duplicates']} "
                f"(possible duplicates marked: {self['ambiguous']}; "
                f"alerts accepted and never reported on: {self['silent']})")


STATS = Stats()


class World:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.pg = PostgresCluster()
        self.redis = RedisServer(directory / "redis")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.serve: subprocess.Popen[bytes] | None = None
        self.worker: WorkerProcess | None = None
        self.log = directory / "processes.log"
        self.env: dict[str, str] = {}
        self.app: Flask | None = None
        self.log_offset = 0

    # -- start and stop -----------------------------------------------------------------------
    def start(self) -> None:
        self.pg.start()
        self.pg.create_database()
        self.redis.start()
        self.env = {**os.environ, "LINDA_ENV": "testing", "DATABASE_URL": self.pg.url,
                    "REDIS_URL": self.redis.url, "LINDA_DATA_KEY": DATA_KEY,
                    "SECRET_KEY": "fault-secret", "LINDA_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
                    "LINDA_INSTANCE_PATH": str(self.dir / "instance"),
                    "RECONCILE_INTERVAL_SECONDS": str(RECONCILE),
                    "ACK_TIMEOUT_URGENT_SECONDS": str(ACK_TIMEOUT),
                    "ACK_TIMEOUT_NORMAL_SECONDS": str(ACK_TIMEOUT * 2),
                    "AT_API_URL": f"{self.url}/sandbox/version1", "AT_TIMEOUT_SECONDS": "1",
                    "SANDBOX_TIMEOUT_SECONDS": "2", "SANDBOX_DLR_DELAY_SECONDS": "0.2"}
        for key in ("PROMETHEUS_MULTIPROC_DIR",):
            self.env.pop(key, None)
        self.app = create_app({"TESTING": True}, env=self.env)
        with self.app.app_context():
            from app.gazetteer.loader import load_gazetteer

            db.create_all()
            load_gazetteer()
            db.session.commit()
        with self.log.open("ab") as out:
            self.serve = subprocess.Popen([LINDA, "serve", "--port", str(self.port)],
                                          env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        self.wait(self.ready, 60, "linda serve")
        self.start_worker()

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.serve is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.serve.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.serve.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.serve.pid, signal.SIGKILL)
        if self.app is not None:
            with self.app.app_context():
                db.engine.dispose()
        self.redis.stop()
        self.pg.remove()

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait(self, check: Any, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with contextlib.suppress(Exception):
                if check():
                    return
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; log:\n"
                             f"{self.log.read_text(errors='replace')[-3000:]}")

    def start_worker(self) -> None:
        self.worker = WorkerProcess(self.env, self.log)

    def redis_client(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis.url, socket_timeout=5)

    # -- between runs --------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty every table but places and responders, and Redis; every phone normal."""
        assert self.app is not None
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        with self.app.app_context():
            db.session.remove()
            names = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP]
            for attempt in range(10):  # the running worker's reconciler may hold a lock
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.text("SET lock_timeout = '2s'"))
                        conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                                             + " RESTART IDENTITY CASCADE"))
                    break
                except sa.exc.OperationalError:
                    if attempt == 9:
                        raise
                    time.sleep(0.5)
        self.redis_client().flushdb()

    def run_log(self) -> list[str]:
        """The process log lines written since this run's ``reset``."""
        with self.log.open("rb") as f:
            f.seek(self.log_offset)
            return f.read().decode(errors="replace").splitlines()

    # -- faults ---------------------------------------------------------------------------------
    def kill_worker(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def ensure_worker(self) -> None:
        if self.worker is None or self.worker.proc.poll() is not None:
            self.start_worker()

    def restart_redis(self) -> None:
        self.redis.stop()
        self.redis.start()

    def phone_mode(self, phone: str, mode: str) -> None:
        with contextlib.suppress(requests.RequestException):
            requests.post(f"{self.url}/sandbox/api/phones/{phone}/mode", data={"mode": mode},
                          timeout=5)
