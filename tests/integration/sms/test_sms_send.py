"""The outbox worker through the real SDK to a fake AT over HTTP: send, retry, fail, expire."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.cases.services import NewReport, create_case
from app.cases.signals import case_created
from app.cases.vocabulary import CaseCategory
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.models import Council
from app.sms.gateway import AfricasTalkingGateway
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.signals import sms_status_changed
from app.sms.status import MAX_ATTEMPTS, SmsStatus
from app.sms.tasks import send_sms
from app.worker.queue import state

PHONE = "+255712345678"
TOKEN = "test-token-0123456789abcdef"


def reload(msg_id: int) -> OutboundSms:
    db.session.expire_all()
    return db.session.get_one(OutboundSms, msg_id)


def some_council() -> Council:
    """A council of the real gazetteer (loaded once per session)."""
    return db.session.scalars(sa.select(Council).order_by(Council.id).limit(1)).one()


@pytest.fixture
def status_changes():
    """Return the (old, new) pairs sms_status_changed sends during the test."""
    seen: list[tuple[SmsStatus, SmsStatus]] = []

    def receiver(sender, old, new):
        seen.append((old, new))

    with sms_status_changed.connected_to(receiver):
        yield seen


def test_a_case_becomes_an_sms_that_the_sdk_posts_and_a_delivery_report_closes(
        app, fake_at, run_jobs, status_changes):
    def alert_responder(case):
        queue_sms(PHONE, f"Kesi {case.reference}: msaada unahitajika", purpose="alert",
                  ref_kind="case", ref_id=case.id)

    with case_created.connected_to(alert_responder):
        case = create_case(NewReport(category=CaseCategory.TRANSPORTED,
                                     council_id=some_council().id, urgent=True))
    db.session.commit()
    msg = db.session.scalars(sa.select(OutboundSms)).one()
    assert (msg.status, msg.ref_id) == (SmsStatus.QUEUED, case.id)

    run_jobs()

    assert len(fake_at.accepted) == 1
    posted = fake_at.accepted[0]
    assert (posted["to"], posted["username"]) == (PHONE, "sandbox")
    assert posted["message"] == f"Kesi {case.reference}: msaada unahitajika"
    msg = reload(msg.id)
    assert msg.status is SmsStatus.SUBMITTED
    assert msg.provider_message_id == posted["messageId"]
    assert msg.submitted_at is not None

    client = app.test_client()
    report = {"id": posted["messageId"], "status": "Success", "phoneNumber": PHONE,
              "networkCode": "64004"}
    assert client.post(f"/at/{TOKEN}/sms/delivery", data=report).status_code == 200
    msg = reload(msg.id)
    assert msg.status is SmsStatus.DELIVERED
    assert msg.delivered_at is not None

    late = client.post(f"/at/{TOKEN}/sms/delivery", data={**report, "status": "Sent"})
    assert late.status_code == 200
    assert reload(msg.id).status is SmsStatus.DELIVERED
    assert status_changes == [(SmsStatus.SENDING, SmsStatus.SUBMITTED),
                              (SmsStatus.SUBMITTED, SmsStatus.DELIVERED)]


def test_send_sms_run_twice_sends_once(app, fake_at, run_jobs):
    msg = queue_sms(PHONE, "habari")
    db.session.commit()
    send_sms(msg.id)
    send_sms(msg.id)
    run_jobs()  # the job queued after commit finds the row already submitted
    assert len(fake_at.requests) == 1
    assert reload(msg.id).status is SmsStatus.SUBMITTED


def test_an_expired_message_is_not_sent(app, fake_at, run_jobs, status_changes):
    msg = queue_sms(PHONE, "old news", expires_at=utcnow() + timedelta(minutes=1),
                    not_before=utcnow() + timedelta(minutes=5))
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(minutes=6), tick=False):
        run_jobs()
        msg = reload(msg.id)
    assert fake_at.requests == []
    assert msg.status is SmsStatus.EXPIRED
    assert status_changes == [(SmsStatus.SENDING, SmsStatus.EXPIRED)]


def test_not_before_holds_the_message_until_then(app, fake_at, run_jobs):
    msg = queue_sms(PHONE, "later", not_before=utcnow() + timedelta(minutes=10))
    db.session.commit()
    run_jobs()
    assert fake_at.requests == []
    with time_machine.travel(utcnow() + timedelta(minutes=11), tick=False):
        run_jobs()
        assert reload(msg.id).status is SmsStatus.SUBMITTED
    assert len(fake_at.accepted) == 1


def test_a_json_answer_with_a_charset_is_understood(app, fake_at, run_jobs):
    fake_at.default_mode = "charset"
    msg = queue_sms(PHONE, "habari")
    run_jobs()
    assert reload(msg.id).provider_message_id == fake_at.accepted[0]["messageId"]


@pytest.mark.parametrize("mode", ["http500", "http503", "http429", "status500", "status405"])
def test_transient_errors_are_retried_with_backoff(app, fake_at, run_jobs, mode):
    fake_at.modes[PHONE] = mode
    start = utcnow()
    with time_machine.travel(start, tick=False):
        msg = queue_sms(PHONE, "habari")
        run_jobs()
        msg = reload(msg.id)
    assert (msg.status, msg.attempts) == (SmsStatus.QUEUED, 1)
    assert msg.next_attempt_at == start + timedelta(seconds=30)
    assert msg.failure_reason

    with time_machine.travel(start + timedelta(seconds=20), tick=False):
        run_jobs()  # not yet due
    assert len(fake_at.requests) == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        run_jobs()
        msg = reload(msg.id)
    assert (msg.attempts, msg.next_attempt_at) == (2, start + timedelta(seconds=31 + 120))

    fake_at.modes[PHONE] = "ok"
    with time_machine.travel(start + timedelta(seconds=31 + 121), tick=False):
        run_jobs()
        msg = reload(msg.id)
    assert msg.status is SmsStatus.SUBMITTED
    assert msg.failure_reason is None
    assert len(fake_at.requests) == 3
    assert len(fake_at.accepted) == 1


def test_a_timeout_is_retried(make_app, fake_at):
    fake_at.default_mode = "slow"
    fake_at.slow_seconds = 0.6
    gw = AfricasTalkingGateway("sandbox", "sandbox", fake_at.url, timeout=0.2)
    app = make_app(SMS_GATEWAY=gw)
    with app.app_context():
        msg = queue_sms(PHONE, "habari")
        db.session.commit()
        send_sms(msg.id)
        msg = reload(msg.id)
        assert (msg.status, msg.attempts) == (SmsStatus.QUEUED, 1)
        assert "in time" in (msg.failure_reason or "")
        assert msg.possible_duplicate  # AT may have sent it before the answer was lost


def test_connection_refused_is_retried(make_app, closed_url):
    app = make_app(SMS_GATEWAY=AfricasTalkingGateway("sandbox", "sandbox", closed_url))
    with app.app_context():
        msg = queue_sms(PHONE, "habari")
        db.session.commit()
        send_sms(msg.id)
        msg = reload(msg.id)
        assert (msg.status, msg.attempts) == (SmsStatus.QUEUED, 1)
        assert "could not reach" in (msg.failure_reason or "")
        assert not msg.possible_duplicate  # nothing reached AT


@pytest.mark.parametrize(("mode", "reason"), [
    ("http401", "The supplied authentication is invalid"),
    ("status403", "InvalidPhoneNumber"),
    ("status406", "UserInBlacklist"),
])
def test_permanent_errors_fail_at_once_with_the_reason(app, fake_at, run_jobs,
                                                       status_changes, mode, reason):
    fake_at.modes[PHONE] = mode
    msg = queue_sms(PHONE, "habari")
    run_jobs()
    msg = reload(msg.id)
    assert msg.status is SmsStatus.FAILED
    assert reason in (msg.failure_reason or "")
    assert len(fake_at.requests) == 1
    assert status_changes == [(SmsStatus.SENDING, SmsStatus.FAILED)]


def test_gives_up_after_the_last_try(app, fake_at, run_jobs):
    fake_at.modes[PHONE] = "http500"
    msg = queue_sms(PHONE, "habari")
    msg.attempts = MAX_ATTEMPTS - 1
    run_jobs()
    msg = reload(msg.id)
    assert msg.status is SmsStatus.FAILED
    assert f"gave up after {MAX_ATTEMPTS} tries" in (msg.failure_reason or "")


def test_the_sdk_sends_our_credentials_and_sender(make_app, fake_at):
    app = make_app(env={"AT_API_URL": fake_at.url, "AT_USERNAME": "linda",
                        "AT_API_KEY": "key-123", "AT_SENDER_ID": "LINDA"})
    with app.app_context():
        msg = queue_sms(PHONE, "habari")
        db.session.commit()
        send_sms(msg.id)
    assert fake_at.api_keys == ["key-123"]
    assert (fake_at.requests[0]["username"], fake_at.requests[0]["from"]) == ("linda", "LINDA")


def test_the_reconciler_resends_what_redis_lost(app, fake_at, run_jobs, reconcile):
    msg = queue_sms(PHONE, "habari")
    db.session.commit()
    state().connection.flushdb()
    assert run_jobs() == 0
    assert reconcile()["sms"] == 1
    run_jobs()
    assert reload(msg.id).status is SmsStatus.SUBMITTED
    assert len(fake_at.accepted) == 1
    assert reconcile()["sms"] == 0


def test_a_row_stuck_in_sending_is_sent_again_after_the_lease(app, fake_at, run_jobs,
                                                             reconcile):
    msg = queue_sms(PHONE, "habari")
    msg.status, msg.claimed_at = SmsStatus.SENDING, utcnow() - timedelta(seconds=30)
    db.session.commit()
    state().connection.flushdb()
    reconcile()
    run_jobs()
    assert reload(msg.id).status is SmsStatus.SENDING  # its worker may still be at it

    msg.claimed_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    reconcile()
    run_jobs()
    msg = reload(msg.id)
    assert (msg.status, msg.attempts) == (SmsStatus.SUBMITTED, 1)
    assert len(fake_at.accepted) == 1


def test_a_delivery_report_faster_than_the_send_commit_is_applied(app, fake_at, run_jobs):
    fake_at.next_ids.append("ATXid_early")
    client = app.test_client()
    early = client.post(f"/at/{TOKEN}/sms/delivery",
                        data={"id": "ATXid_early", "status": "Success", "phoneNumber": PHONE})
    assert early.status_code == 200
    msg = queue_sms(PHONE, "habari")
    run_jobs()
    msg = reload(msg.id)
    assert (msg.provider_message_id, msg.status) == ("ATXid_early", SmsStatus.DELIVERED)


def test_no_phone_number_in_logs_job_arguments_or_redis_keys(app, fake_at, run_jobs, caplog):
    fake_at.modes[PHONE] = "http503"  # a retry puts a scheduled job in Redis too
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(utcnow(), tick=False):
        msg = queue_sms(PHONE, "habari")
        db.session.commit()
        conn = state().connection
        jobs = [Job.fetch(i, connection=conn) for i in state().queues["sms"].job_ids]
        run_jobs()
        scheduled = ScheduledJobRegistry(queue=state().queues["sms"])
        jobs += [Job.fetch(i, connection=conn) for i in scheduled.get_job_ids()]
    assert [(j.id, j.args) for j in jobs] == [(f"sms-{msg.id}", (msg.id,)),
                                              (f"sms-{msg.id}-1", (msg.id,))]
    fake_at.modes[PHONE] = "ok"
    with time_machine.travel(utcnow() + timedelta(seconds=40), tick=False):
        run_jobs()
    provider_id = reload(msg.id).provider_message_id
    app.test_client().post(f"/at/{TOKEN}/sms/delivery", data={
        "id": provider_id, "status": "Failed", "phoneNumber": PHONE,
        "failureReason": "UserInBlackList"})
    assert reload(msg.id).status is SmsStatus.FAILED

    digits = PHONE.removeprefix("+255")
    assert digits not in caplog.text
    for key in conn.keys("*"):
        assert digits.encode() not in key


def test_a_message_that_would_expire_before_its_next_try_expires_now(app, fake_at, run_jobs):
    fake_at.modes[PHONE] = "http503"
    msg = queue_sms(PHONE, "habari", expires_at=utcnow() + timedelta(seconds=20))
    run_jobs()
    msg = reload(msg.id)
    assert msg.status is SmsStatus.EXPIRED
    assert "HTTP 503" in (msg.failure_reason or "")


def test_a_number_the_sdk_refuses_fails_without_showing_it(app, fake_at, run_jobs):
    msg = queue_sms("0712345678", "habari")  # not E.164: a caller's bug
    run_jobs()
    msg = reload(msg.id)
    assert msg.status is SmsStatus.FAILED
    assert "Invalid phone number" in (msg.failure_reason or "")
    assert "712345678" not in (msg.failure_reason or "")
    assert fake_at.requests == []


def test_without_an_at_account_sms_go_to_this_process_sandbox(make_app, fake_at):
    app = make_app()  # no AT_USERNAME, AT_API_KEY nor AT_API_URL
    # `linda serve` learns its address after the app is built; the URL is read at first send.
    app.config["SANDBOX_BASE_URL"] = fake_at.url.removesuffix("/version1")
    with app.app_context():
        msg = queue_sms(PHONE, "habari")
        db.session.commit()
        send_sms(msg.id)
        assert reload(msg.id).status is SmsStatus.SUBMITTED
    assert fake_at.api_keys == ["sandbox"]
    assert fake_at.requests[0]["username"] == "sandbox"


def test_a_message_expires_after_alert_max_age_by_default(app, fake_at, run_jobs):
    fake_at.default_mode = "http500"
    start = utcnow()
    with time_machine.travel(start, tick=False):
        msg = queue_sms(PHONE, "habari")
        run_jobs()
    assert reload(msg.id).expires_at == start + timedelta(seconds=21600)
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        send_sms(msg.id)  # due long ago: its try finds it too old
    msg = reload(msg.id)
    assert msg.status is SmsStatus.EXPIRED
    assert len(fake_at.requests) == 1


def test_a_failing_status_receiver_does_not_leave_the_row_to_be_sent_again(
        app, fake_at, run_jobs, reconcile, caplog):
    def broken(sender, old, new):
        raise RuntimeError("receiver bug")

    msg = queue_sms(PHONE, "habari")
    with sms_status_changed.connected_to(broken):
        run_jobs()
    msg = reload(msg.id)
    assert msg.status is SmsStatus.SUBMITTED
    assert msg.provider_message_id == fake_at.accepted[0]["messageId"]
    assert "a receiver of its status change failed" in caplog.text
    with time_machine.travel(utcnow() + timedelta(minutes=10), tick=False):
        reconcile()
        run_jobs()
    assert len(fake_at.requests) == 1
