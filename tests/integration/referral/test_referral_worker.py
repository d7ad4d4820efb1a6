"""A real ``linda worker`` killed mid-wave, with Redis flushed, still escalates once back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    KISUTU,
    alerts_of,
    report,
    responder,
)

REAL_REDIS = os.environ.get("REDIS_URL")
FAST = {"ACK_TIMEOUT_URGENT_SECONDS": "3", "RECONCILE_INTERVAL_SECONDS": "1"}


def worker_env(app: Flask) -> dict[str, str]:
    """The test app's own settings, for a worker process that shares its database and key."""
    keys = ("LINDA_ENV", "DATABASE_URL", "REDIS_URL", "LINDA_DATA_KEY", "SECRET_KEY",
            "LINDA_WEBHOOK_TOKEN")
    env = {**os.environ, **{k: str(app.config[k]) for k in keys}, **FAST}
    env["LINDA_INSTANCE_PATH"] = app.instance_path
    return env


class Worker:
    """``linda worker`` in its own process group (RQ forks a scheduler beside it)."""

    def __init__(self, app: Flask, log: Path) -> None:
        linda = Path(sys.executable).with_name("linda")
        self.log = log.open("ab")
        self.proc = subprocess.Popen([str(linda), "worker"], env=worker_env(app),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()


def wait_until(check: Callable[[], bool], timeout: float, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        db.session.expire_all()
        if check():
            return
        db.session.rollback()
        time.sleep(0.2)
    pytest.fail(f"timed out; worker log:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
@pytest.mark.skipif(not REAL_REDIS, reason="`linda worker` runs only with REDIS_URL")
def test_a_killed_worker_and_flushed_redis_still_escalate(make_app, redis_conn,
                                                          tmp_path) -> None:
    app = make_app(env=FAST)
    log = tmp_path / "worker.log"
    with app.app_context():
        police = responder("police_gcd", ward=KARIAKOO)
        weo = responder("ward_executive", ward=KISUTU)  # wave 2
        case = report()
        worker = Worker(app, log)
        try:
            wait_until(lambda: police.id in alerts_of(case), 30, log)
        finally:
            worker.kill()  # mid-wave: the deadline job is waiting in Redis
        redis_conn.flushdb()  # ...and now it is gone
        assert set(alerts_of(case)) == {police.id}
        worker = Worker(app, log)
        try:
            wait_until(lambda: weo.id in alerts_of(case), 30, log)
        finally:
            worker.kill()
        assert set(alerts_of(case)) == {police.id, weo.id}
