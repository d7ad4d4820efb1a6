"""Two web processes and two workers on one PostgreSQL and one Redis deliver every alert as
one process does: none lost, none duplicated, one lead per case.

Callers' hops are spread over both web processes (one session's hops land on either, AT
retries some, and the confirming hop reaches both), responders' replies too, while two
``linda worker`` processes send the SMS through the real SDK to the sandbox and apply its
delivery reports. ``LINDA_SCALE_REPORTS`` sets how many reports (CI runs the short version).

Both responders accept every case at once, so the one who loses a race is often told "taken"
twice: by a notice queued by the winner's accept, and by the reply to their own KUBALI. A notice
still in the outbox then is withdrawn (never sent, ``NOTICE_WITHDRAWN``); every other SMS must
be delivered, with its delivery report applied.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.inbound import NOTICE_WITHDRAWN
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
from app.sandbox.models import Direction, SandboxMessage
from app.sms.models import DeliveryReport, OutboundSms
from app.sms.status import SmsStatus
from tests.conftest import WEBHOOK_TOKEN, free_port
from tests.e2e.e2e_helpers import ASHA, JUMA, RESPONDER_PHONES, Product, inbox, report_inputs
from tests.e2e.test_e2e_serve import LINDA, _ready
from tests.integration.ussd.ussd_helpers import CODE
from tests.workers import WorkerProcess, app_env, needs_worker_services, wait_until

pytestmark = [pytest.mark.slow, needs_worker_services, pytest.mark.timeout(600)]

REPORTS = int(os.environ.get("LINDA_SCALE_REPORTS", "4"))
SLOW = {"ACK_TIMEOUT_URGENT_SECONDS": "600", "ACK_TIMEOUT_NORMAL_SECONDS": "600",
        "RECONCILE_INTERVAL_SECONDS": "1"}


@pytest.fixture
def cluster(app, tmp_path: Path) -> Iterator[tuple[list[str], list[Path]]]:
    """Two web processes (gunicorn, one worker each) and two ``linda worker``s."""
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    env = app_env(app, **SLOW, AT_API_URL=f"{urls[0]}/sandbox/version1",
                  SANDBOX_BASE_URL=urls[0])  # the sandbox calls back one web process
    webs, logs = [], []
    for n, port in enumerate(ports):
        log = tmp_path / f"web-{n}.log"
        logs.append(log)
        with log.open("ab") as out:
            webs.append(subprocess.Popen(
                [LINDA, "serve", "--server", "gunicorn", "--workers", "1", "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
    workers = []
    for n in range(2):
        log = tmp_path / f"worker-{n}.log"
        logs.append(log)
        workers.append(WorkerProcess(env, log))
    try:
        end = time.monotonic() + 60
        while not all(_ready(u) for u in urls):
            assert time.monotonic() < end, "\n".join(p.read_text()[-2000:] for p in logs)
            time.sleep(0.2)
        yield urls, logs
    finally:
        for proc in webs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        for worker in workers:
            worker.stop()


def _hop(url: str, phone: str, text: str, session: str) -> str:
    res = requests.post(f"{url}/at/{WEBHOOK_TOKEN}/ussd", timeout=30, data={
        "sessionId": session, "serviceCode": CODE, "phoneNumber": phone,
        "networkCode": "64002", "text": text})
    assert res.status_code == 200 and res.text.startswith(("CON ", "END ")), res.text
    return res.text


def _report(urls: list[str], inputs: list[str], n: int) -> str:
    """One caller; each hop to either web process, some hops twice (AT retrying)."""
    rng = random.Random(n)
    phone, session = f"+2557549{n:05d}", f"ATUid_scale{n}"
    screen = _hop(rng.choice(urls), phone, "", session)
    for i in range(1, len(inputs) + 1):
        text = "*".join(inputs[:i])
        screen = _hop(rng.choice(urls), phone, text, session)
        if rng.random() < 0.2 or i == len(inputs):  # a retry; the confirm reaches both
            again = _hop(urls[1] if i == len(inputs) else rng.choice(urls), phone, text, session)
            assert again == screen, (again, screen)
    assert screen.startswith("END Asante. Taarifa imepokelewa."), screen
    found = re.search(r"kumbukumbu:\s*(\d{7})\b", screen)
    assert found is not None, screen
    return found.group(1)


def test_two_webs_and_two_workers_deliver_every_alert_once(app, cluster, tmp_path) -> None:
    urls, logs = cluster
    log = logs[2]
    web = [Product(app, url) for url in urls]
    web[0].import_responders(tmp_path)  # the CLI's rows; the workers' reconcilers send them
    wait_until(lambda: all(any("Jibu ANZA" in t for t in inbox(p)) for p in RESPONDER_PHONES),
               60, log, "the confirmation SMS")
    for n, phone in enumerate(RESPONDER_PHONES):
        web[n % 2].sms_from(phone, "ANZA")
    wait_until(lambda: all(any("imethibitishwa" in t for t in inbox(p))
                           for p in RESPONDER_PHONES), 60, log, "the confirmations")

    with ThreadPoolExecutor(4) as pool:
        inputs = report_inputs(consent=False)
        references = list(pool.map(lambda n: _report(urls, inputs, n), range(REPORTS)))
    assert len(set(references)) == REPORTS

    def alerted() -> bool:
        texts = [inbox(ASHA), inbox(JUMA)]
        return all(any(t.startswith(f"Linda kesi {ref}:") for t in box)
                   for ref in references for box in texts)
    wait_until(alerted, 120, log, "every first-wave alert")

    # Both responders accept every case at once, through different web processes.
    def accept(args: tuple[int, str, str]) -> None:
        n, phone, ref = args
        web[n % 2].sms_from(phone, f"KUBALI {ref}")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(accept, [(n + k, phone, ref) for n, ref in enumerate(references)
                               for k, phone in enumerate((ASHA, JUMA))]))

    def all_taken() -> bool:
        return all(c.status is CaseStatus.ACCEPTED for c in db.session.scalars(sa.select(Case)))
    wait_until(all_taken, 120, log, "every case accepted")

    def settled() -> bool:
        return all(m.status is SmsStatus.DELIVERED or _withdrawn(m)
                   for m in db.session.scalars(sa.select(OutboundSms)))
    wait_until(settled, 120, log, "every SMS delivered and reported")

    cases = db.session.scalars(sa.select(Case)).all()
    assert sorted(c.reference for c in cases) == sorted(references)  # one case per report
    for case in cases:
        accepted = db.session.scalars(sa.select(Alert).where(
            Alert.case_id == case.id, Alert.status == AlertStatus.ACCEPTED)).all()
        assert [a.responder_id for a in accepted] == [case.lead_responder_id]  # one lead
    for phone in (ASHA, JUMA):  # each alert arrived once
        per_case = Counter(m.group(1) for t in inbox(phone)
                           if (m := re.match(r"Linda kesi (\d{7}):", t)))
        assert per_case == dict.fromkeys(references, 1), per_case
    # A withdrawn notice's responder was told by the reply to their own KUBALI instead.
    withdrawn = [m for m in db.session.scalars(sa.select(OutboundSms)) if _withdrawn(m)]
    for notice in withdrawn:
        alert = db.session.get_one(Alert, notice.ref_id)
        phone = db.session.get_one(Responder, alert.responder_id).phone
        ref = db.session.get_one(Case, alert.case_id).reference
        assert any(t.startswith(f"Kesi {ref} imeshachukuliwa") for t in inbox(phone))
    # Every other SMS Linda queued reached a phone exactly once, and nothing else did.
    sent = db.session.scalar(sa.select(sa.func.count(OutboundSms.id))) - len(withdrawn)
    received = db.session.scalar(sa.select(sa.func.count(SandboxMessage.id)).where(
        SandboxMessage.direction == Direction.TO_PHONE))
    assert sent == received
    # Every delivery report reached its message, even one faster than the send job's commit.
    assert db.session.scalar(sa.select(sa.func.count(DeliveryReport.id)).where(
        DeliveryReport.applied_at.is_(None))) == 0
    for path in logs:
        written = path.read_text()
        assert "Traceback" not in written, written[-3000:]
        assert "could not connect to Redis" not in written, written[-3000:]


def _withdrawn(msg: OutboundSms) -> bool:
    """A "taken" notice withdrawn before any try, because the reply said the same."""
    return (msg.status is SmsStatus.EXPIRED and msg.purpose == "notice" and msg.attempts == 0
            and msg.provider_message_id is None and msg.failure_reason == NOTICE_WITHDRAWN)
