"""The same flow with a separate ``linda worker`` process, and silence escalating on its own.

The web app is served over HTTP in this process; a real ``linda worker`` (RQ worker, scheduler
and reconciler) runs every job from Redis: SMS sends through the SDK to the served sandbox,
the sandbox's delivery reports, inbound commands, and the wave deadlines (shortened to 3 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
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
from tests.workers import WorkerProcess, app_env, needs_worker_services, wait_until

pytestmark = [pytest.mark.slow, needs_worker_services]

FAST = {"ACK_TIMEOUT_URGENT_SECONDS": "3", "RECONCILE_INTERVAL_SECONDS": "1"}


@pytest.fixture
def start_worker(live_app, tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Return ``start(**env)``: a ``linda worker`` sending through the served sandbox; its
    log path is returned. All are stopped after the test."""
    app, server = live_app
    workers: list[WorkerProcess] = []

    def start(**extra: str) -> Path:
        log = tmp_path / f"worker-{len(workers) + 1}.log"
        env = app_env(app, **{**FAST, "AT_API_URL": f"{server.url}/sandbox/version1", **extra})
        workers.append(WorkerProcess(env, log))
        return log

    yield start
    for worker in workers:
        worker.stop()


def got(phone: str, needle: str) -> bool:
    return any(needle in text for text in inbox(phone))


def test_a_worker_process_alerts_escalates_and_closes_the_loop(live_app, start_worker,
                                                                tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    log = start_worker()

    linda.import_responders(tmp_path)
    wait_until(lambda: all(got(p, "Jibu ANZA") for p in RESPONDER_PHONES), 30, log)
    for phone in RESPONDER_PHONES:
        linda.reply_from_phone(phone, "ANZA")
    wait_until(lambda: all(got(p, "imethibitishwa") for p in RESPONDER_PHONES), 30, log)
    assert all(r.confirmed for r in db.session.scalars(sa.select(Responder)))

    reference = linda.report(consent=False)
    alert = f"Linda kesi {reference}:"
    wait_until(lambda: got(ASHA, alert) and got(JUMA, alert), 30, log)
    assert not got(NEEMA, alert) and not got(BARAKA, alert)

    # Nobody answers: after 3 s the next wave, after 3 s more the supervisor.
    wait_until(lambda: got(NEEMA, alert) and got(BARAKA, alert), 30, log)
    wait_until(lambda: got(SUPERVISOR, f"{reference}: hakuna afisa aliyeikubali"), 30, log)
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
        f"END Afisa amepokea taarifa {reference}")

    # Every SMS, the alerts included, was delivered and reported back by the sandbox.
    wait_until(lambda: {m.status for m in db.session.scalars(sa.select(OutboundSms))} == {
        SmsStatus.DELIVERED}, 30, log)

    # The worker logged no error and no phone number in any form.
    written = log.read_text()
    assert "Traceback" not in written and " ERROR " not in written, written[-3000:]
    leaks = [form for phone in (REPORTER, *RESPONDER_PHONES) for form in phone_forms(phone)
             if form in written]
    assert leaks == [], written[-3000:]


def test_two_workers_and_two_accepts_at_once_make_one_lead(live_app, start_worker,
                                                          tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    log = start_worker(ACK_TIMEOUT_URGENT_SECONDS="600")
    start_worker(ACK_TIMEOUT_URGENT_SECONDS="600")
    linda.import_responders(tmp_path)
    wait_until(lambda: all(got(p, "Jibu ANZA") for p in RESPONDER_PHONES), 30, log)
    for phone in (ASHA, JUMA):
        linda.sms_from(phone, "ANZA")
    wait_until(lambda: got(ASHA, "imethibitishwa") and got(JUMA, "imethibitishwa"), 30, log)
    reference = linda.report()
    wait_until(lambda: got(ASHA, f"kesi {reference}:") and got(JUMA, f"kesi {reference}:"),
               30, log)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda p: linda.sms_from(p, f"KUBALI {reference}"), (ASHA, JUMA)))
    lead, taken = f"Wewe ndiye kiongozi wa kesi {reference}", f"Kesi {reference} imeshachukuliwa"
    wait_until(lambda: sum(got(p, lead) or got(p, taken) for p in (ASHA, JUMA)) == 2, 30, log)
    assert sorted([got(ASHA, lead), got(JUMA, lead)]) == [False, True]
    case = find_by_reference(reference)
    assert case.status is CaseStatus.ACCEPTED
    winner = db.session.get_one(Responder, case.lead_responder_id)
    assert got(winner.phone, lead)
    loser = JUMA if winner.phone == ASHA else ASHA
    assert sum(taken in text for text in inbox(loser)) == 1
    accepted = db.session.scalars(sa.select(Alert.responder_id).where(
        Alert.status == AlertStatus.ACCEPTED)).all()
    assert accepted == [winner.id]
