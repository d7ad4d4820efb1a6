"""The same flow with a separate ``linda worker`` process, and silence escalating on its own.

The web app is served over HTTP in this process; a real ``linda worker`` (RQ worker, scheduler
and reconciler) runs every job from Redis: SMS sends through the SDK to the served sandbox,
the sandbox's delivery reports, inbound commands, and the wave deadlines (shortened to 3 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert, Responder
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from tests.e2e.e2e_helpers import (
    ASHA,
    BARAKA,
    JUMA,
    NEEMA,
    REPORTER,
    RESPONDER_PHONES,
    SUPERVISOR,
    Product,
    inbox,
    phone_forms,
)
from tests.integration.referral.test_referral_worker import wait_until, worker_env

REAL_SERVICES = bool(os.environ.get("REDIS_URL")) and os.environ.get(
    "DATABASE_URL", "").startswith(("postgres://", "postgresql"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REAL_SERVICES,
                       reason="a separate worker needs REDIS_URL and a PostgreSQL DATABASE_URL"),
]


@pytest.fixture
def worker(live_app, tmp_path: Path) -> Iterator[Path]:
    """``linda worker`` in its own process group, sending through the served sandbox."""
    app, server = live_app
    log = tmp_path / "worker.log"
    env = {**worker_env(app), "AT_API_URL": f"{server.url}/sandbox/version1"}
    with log.open("ab") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("linda")), "worker"],
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    yield log
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def got(phone: str, needle: str) -> bool:
    return any(needle in text for text in inbox(phone))


def test_a_worker_process_alerts_escalates_and_closes_the_loop(live_app, worker,
                                                                tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    log = worker

    linda.import_responders(tmp_path)
    wait_until(lambda: all(got(p, "Jibu ANZA") for p in RESPONDER_PHONES), 30, log)
    for phone in RESPONDER_PHONES:
        linda.reply_from_phone(phone, "ANZA")
    wait_until(lambda: all(got(p, "imethibitishwa") for p in RESPONDER_PHONES), 30, log)
    assert all(r.confirmed for r in db.session.scalars(sa.select(Responder)))

    reference = linda.report(consent=False)
    alert = f"Linda {reference}:"
    wait_until(lambda: got(ASHA, alert) and got(JUMA, alert), 30, log)
    assert not got(NEEMA, alert) and not got(BARAKA, alert)

    # Nobody answers: after 3 s the next wave, after 3 s more the supervisor.
    wait_until(lambda: got(NEEMA, alert) and got(BARAKA, alert), 30, log)
    wait_until(lambda: got(SUPERVISOR, f"Linda {reference}: hakuna aliyekubali"), 30, log)
    wait_until(lambda: find_by_reference(reference).status is CaseStatus.NEEDS_ATTENTION,
               30, log)
    assert db.session.scalar(sa.select(sa.func.count(Alert.id))) == 4

    # A late accept from the second wave still takes the case; everybody else stands down.
    linda.reply_from_phone(NEEMA, f"KUBALI {reference}")
    wait_until(lambda: find_by_reference(reference).status is CaseStatus.ACCEPTED, 30, log)
    wait_until(lambda: got(NEEMA, f"Wewe ndiye kiongozi wa kesi {reference}"), 30, log)
    for phone in (ASHA, JUMA, BARAKA):
        wait_until(lambda p=phone: got(p, f"Kesi {reference} imechukuliwa"), 30, log)
    assert inbox(REPORTER) == []
    assert linda.check_status(REPORTER, reference).startswith(
        f"END Mhudumu amepokea taarifa {reference}")

    # Every SMS, the alerts included, was delivered and reported back by the sandbox.
    wait_until(lambda: {m.status for m in db.session.scalars(sa.select(OutboundSms))} == {
        SmsStatus.DELIVERED}, 30, log)

    # The worker logged no error and no phone number in any form.
    written = log.read_text()
    assert "Traceback" not in written and " ERROR " not in written, written[-3000:]
    leaks = [form for phone in (REPORTER, *RESPONDER_PHONES) for form in phone_forms(phone)
             if form in written]
    assert leaks == [], written[-3000:]
