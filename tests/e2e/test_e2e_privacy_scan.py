"""After a full flow, no phone number and no landmark is anywhere in plain text.

Scanned: every log record at DEBUG from every logger, every Redis key and value (RQ job data
decompressed), every RQ job's arguments, and every column of every table, sandbox included.
"""

from __future__ import annotations

import logging
import pickle
import zlib
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.sandbox.at import PhoneMode
from app.sandbox.services import set_mode
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from app.staff.services import audit
from app.worker.queue import connection, enqueue
from app.worker.reconcile import reconcile
from tests.e2e.e2e_helpers import (
    ASHA,
    JUMA,
    LANDMARK,
    REPORTER,
    RESPONDER_PHONES,
    Product,
    inbox,
    phone_forms,
)
from tests.e2e.privacy_scan import Hit, Scanner

NEEDLES = [form for phone in (REPORTER, *RESPONDER_PHONES) for form in phone_forms(phone)]
NEEDLES.append(LANDMARK)


class ScannedProduct(Product):
    """Looks at Redis before every job run, while the jobs and their arguments are there."""

    def __init__(self, app, url, scanner: Scanner) -> None:
        super().__init__(app, url)
        self.scanner = scanner

    def run_jobs(self) -> int:
        db.session.commit()
        self.scanner.redis(connection())
        return super().run_jobs()


def test_a_full_flow_leaves_no_phone_number_or_landmark_in_plain_text(
        live_app, tmp_path, all_logs) -> None:
    app, server = live_app
    scanner = Scanner(NEEDLES)
    linda = ScannedProduct(app, server.url, scanner)

    linda.import_responders(tmp_path)
    linda.run_jobs()
    for phone in RESPONDER_PHONES:
        linda.sms_from(phone, "ANZA")
    linda.run_jobs()
    reference = linda.report(consent=True, landmark=LANDMARK)
    case = find_by_reference(reference)
    assert case is not None and case.landmark == LANDMARK and case.callback_consent
    linda.run_jobs()
    assert REPORTER in inbox(ASHA)[-1]  # with consent the alert carries the number (sealed)
    linda.sms_from(JUMA, f"KUBALI {reference}")
    linda.run_jobs()
    assert find_by_reference(reference).status is CaseStatus.ACCEPTED
    assert len(inbox(REPORTER)) == 2  # a consenting reporter's: the case number, "taken up"
    assert "amepokea" in linda.check_status(REPORTER, reference)

    scanner.redis(connection())
    scanner.database()
    scanner.logs(all_logs.records, all_logs.handler)
    assert {where for where, _, _ in scanner.seen} == {"log", "redis", "job", "db"}
    assert scanner.hits() == [], "\n".join(
        f"{w} {p}: {t[:300]}" for w, p, t in scanner.seen if any(n in t for n in NEEDLES))


def test_the_scanner_finds_a_planted_number_in_each_place(app, all_logs) -> None:
    """The scan above would fail if anything leaked: each channel is checked here."""
    scanner = Scanner(NEEDLES)
    logging.getLogger("app.somewhere").debug("sending to %s", "0754321987")
    connection().set("linda:planted", zlib.compress(pickle.dumps({"to": "+255713500101"})))
    enqueue(print, "255713500102", job_id="planted-1")
    audit("cli", "planted", "case", 1, landmark=LANDMARK)

    scanner.redis(connection())
    scanner.database()
    scanner.logs(all_logs.records, all_logs.handler)
    hits = scanner.hits()
    assert Hit("log", "app.somewhere", "0754321987") in hits
    assert Hit("log", "app.somewhere", "754321987") in hits
    assert Hit("redis", "linda:planted", "+255713500101") in hits
    assert Hit("job", "planted-1", "255713500102") in hits
    assert Hit("db", "audit_log.detail", LANDMARK) in hits
    assert not any(h.needle == REPORTER for h in hits)  # only what was planted



def test_failing_networks_leave_no_phone_number_in_errors_or_retries(live_app, tmp_path,
                                                                      all_logs) -> None:
    """Every failure path writes reasons, retries and reports: none may carry a number."""
    app, server = live_app
    scanner = Scanner(NEEDLES)
    linda = ScannedProduct(app, server.url, scanner)
    modes = dict(zip(RESPONDER_PHONES, ["fail", "throttle", "reject", "blacklist",
                                        "undeliverable"], strict=True))
    for phone, mode in modes.items():  # not through the page's API: its URLs hold numbers
        set_mode(phone, PhoneMode(mode))
    db.session.commit()
    linda.set_up_directory(tmp_path)
    reference = linda.report(consent=True, landmark=LANDMARK)
    linda.run_jobs()
    failed = db.session.scalars(sa.select(OutboundSms).where(
        OutboundSms.status == SmsStatus.FAILED)).all()
    assert {m.failure_reason.split(":")[0] for m in failed if m.failure_reason} >= {
        "Africa's Talking"}
    retrying = db.session.scalars(sa.select(OutboundSms).where(
        OutboundSms.status == SmsStatus.QUEUED, OutboundSms.attempts > 0)).all()
    assert retrying, "the fail and throttle phones should be waiting for a retry"

    for phone in (ASHA, JUMA):
        set_mode(phone, PhoneMode.NORMAL)
    db.session.commit()
    # Jumping the clock also makes the live server drop its idle connections at once, so a
    # retry may meet a closed keep-alive connection and wait for the next try (120 s on).
    start = utcnow()
    for minutes in (5, 8):  # both before the urgent deadline (10 minutes)
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            reconcile()
            linda.run_jobs()
        if any(f"Linda kesi {reference}" in text for text in inbox(ASHA)):
            break
    assert any(f"Linda kesi {reference}" in text for text in inbox(ASHA))
    linda.sms_from(ASHA, f"KUBALI {reference}")
    linda.run_jobs()
    assert find_by_reference(reference).status is CaseStatus.ACCEPTED

    scanner.redis(connection())
    scanner.database()
    scanner.logs(all_logs.records, all_logs.handler)
    assert scanner.hits() == [], "\n".join(
        f"{w} {p}: {t[:300]}" for w, p, t in scanner.seen if any(n in t for n in NEEDLES))
