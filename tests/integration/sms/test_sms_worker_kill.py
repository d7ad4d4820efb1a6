"""``kill -9`` of a real ``linda worker`` and a flushed Redis still deliver the SMS, once.

Needs the real services: the worker is another process, so it must share PostgreSQL and Redis
with the test. The SMS goes through the real SDK to the fake AT of this test process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.status import SmsStatus

PHONE = "+255712345678"
REAL_SERVICES = bool(os.environ.get("REDIS_URL")) and os.environ.get(
    "DATABASE_URL", "").startswith(("postgres://", "postgresql"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REAL_SERVICES,
                       reason="needs REDIS_URL and a PostgreSQL DATABASE_URL shared with a worker"),
]


def wait_for(check: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def status_of(msg_id: int) -> OutboundSms:
    db.session.rollback()  # a fresh snapshot of what the worker committed
    return db.session.get_one(OutboundSms, msg_id, populate_existing=True)


@pytest.fixture
def start_worker(request: pytest.FixtureRequest, database_url: str, tmp_path: Path,
                 fake_at) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Return a function that starts ``linda worker`` (reconciling every second)."""
    root_conftest = request.config.pluginmanager.get_plugin(
        str(request.config.rootpath / "tests" / "conftest.py"))
    env = {**os.environ, **root_conftest.base_env(
        database_url, tmp_path / "instance", AT_API_URL=fake_at.url,
        RECONCILE_INTERVAL_SECONDS="1")}
    linda = str(Path(sys.executable).parent / "linda")
    started: list[subprocess.Popen[bytes]] = []
    log = tmp_path / "worker.log"

    def start() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:  # the child keeps its own descriptor
            # Its own process group: RQ runs the scheduler in a child process, and
            # ``kill -9`` of the group takes both down, as a crash of the host would.
            proc = subprocess.Popen([linda, "worker"], env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        return proc

    start.log = log  # type: ignore[attr-defined]
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        kill_group(proc)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """``kill -9`` the worker and its scheduler child (same process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_worker_killed_mid_send_and_redis_flushed_still_sends_once(
        app, fake_at, redis_conn, start_worker):
    log = start_worker.log
    fake_at.modes[PHONE] = "hang"  # the first try reaches "AT" and never gets an answer
    worker = start_worker()
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()

    wait_for(lambda: len(fake_at.requests) == 1, 30, "the worker to call AT", log)
    assert status_of(msg.id).status is SmsStatus.SENDING
    kill_group(worker)  # kill -9, mid-job
    redis_conn.flushdb()
    del fake_at.modes[PHONE]
    fake_at.release.set()
    # The lease (2 minutes) passes: a worker that held the row for that long is gone.
    db.session.execute(sa.update(OutboundSms).where(OutboundSms.id == msg.id)
                       .values(claimed_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()

    start_worker()
    wait_for(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 30,
             "the reconciler to send it again", log)
    time.sleep(2.5)  # two more reconciler rounds: nothing is sent again
    row = status_of(msg.id)
    assert (row.status, row.attempts) == (SmsStatus.SUBMITTED, 1)
    assert len(fake_at.accepted) == 1
    assert row.provider_message_id == fake_at.accepted[0]["messageId"]


def test_worker_killed_before_the_send_and_redis_flushed_still_sends_once(
        app, fake_at, redis_conn, start_worker):
    log = start_worker.log
    worker = start_worker()
    time.sleep(1)
    kill_group(worker)
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()  # the job is in Redis; no worker runs it
    redis_conn.flushdb()  # ...and now it is gone

    start_worker()
    wait_for(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 30,
             "the reconciler to send it", log)
    time.sleep(2.5)
    assert status_of(msg.id).attempts == 0
    assert len(fake_at.requests) == len(fake_at.accepted) == 1
