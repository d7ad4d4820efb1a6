"""Sending faster without losing track: kept-alive connections, several requests in flight,
and one request for a text going to many numbers, each number with its own status."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.sms import tasks
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.signals import sms_status_changed
from app.sms.status import SmsStatus

NUMBERS = [f"+2557130000{n:02d}" for n in range(12)]


def rows() -> list[OutboundSms]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id)))


def test_one_text_to_many_numbers_is_one_request_with_a_status_per_number(
        app, fake_at, run_jobs) -> None:
    fake_at.modes[NUMBERS[2]] = "status403"
    for number in NUMBERS[:5]:
        queue_sms(number, "Mkutano wa uratibu kesho saa 3 asubuhi.", purpose="coordination")
    db.session.commit()
    run_jobs()
    assert len(fake_at.requests) == 1
    assert fake_at.requests[0]["to"].split(",") == NUMBERS[:5]
    statuses = {m.to: (m.status, m.provider_message_id) for m in rows()}
    assert statuses[NUMBERS[2]] == (SmsStatus.FAILED, None)
    accepted = {a["to"]: a["messageId"] for a in fake_at.accepted}
    assert sorted(accepted) == sorted(NUMBERS[:2] + NUMBERS[3:5])
    for number, message_id in accepted.items():
        assert statuses[number] == (SmsStatus.SUBMITTED, message_id)


def test_a_number_twice_with_one_text_goes_in_two_requests(app, fake_at, run_jobs) -> None:
    for _ in range(2):
        queue_sms(NUMBERS[0], "Kesi 1234567: jibu KUBALI.", purpose="alert")
    db.session.commit()
    run_jobs()
    assert sorted(r["to"] for r in fake_at.requests) == [NUMBERS[0]] * 2
    assert [m.status for m in rows()] == [SmsStatus.SUBMITTED] * 2


def test_different_texts_are_sent_in_parallel_each_once(app, fake_at, run_jobs) -> None:
    fake_at.default_mode = "slow"
    fake_at.slow_seconds = 0.3
    for n, number in enumerate(NUMBERS[:8]):
        queue_sms(number, f"Kesi {1000000 + n}: jibu KUBALI.", purpose="alert")
    db.session.commit()
    run_jobs()
    assert fake_at.max_in_flight > 1
    assert sorted(a["to"] for a in fake_at.accepted) == sorted(NUMBERS[:8])  # none twice
    assert {m.status for m in rows()} == {SmsStatus.SUBMITTED}


def test_connections_to_at_are_kept_alive_between_jobs(
        app, fake_at, run_jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "SEND_BATCH", 1)  # one job per message
    for n, number in enumerate(NUMBERS[:6]):
        queue_sms(number, f"Kesi {2000000 + n}: jibu KUBALI.", purpose="alert")
        db.session.commit()
        run_jobs()
    assert len(fake_at.requests) == 6
    assert len(set(fake_at.connections)) == 1  # the SDK alone opens one connection per SMS


def test_more_rows_than_one_job_takes_are_all_sent_once(app, fake_at, run_jobs) -> None:
    numbers = [f"+2557140000{n:02d}" for n in range(3 * tasks.SEND_BATCH + 5)]
    for n, number in enumerate(numbers):
        queue_sms(number, f"Kesi {3000000 + n}: jibu KUBALI.", purpose="alert")
    db.session.commit()
    run_jobs()
    assert sorted(a["to"] for a in fake_at.accepted) == numbers
    assert {m.status for m in rows()} == {SmsStatus.SUBMITTED}


def test_the_outcomes_of_a_batch_are_recorded_in_one_transaction(app, fake_at) -> None:
    queued = [queue_sms(number, "Mkutano wa uratibu kesho saa 3 asubuhi.",
                        purpose="coordination") for number in NUMBERS[:6]]
    db.session.commit()
    commits: list[object] = []

    def count(conn: object) -> None:
        commits.append(conn)

    sa.event.listen(db.engine, "commit", count)
    try:
        tasks.send_sms(queued[0].id)  # claims the six
    finally:
        sa.event.remove(db.engine, "commit", count)
    assert {m.status for m in rows()} == {SmsStatus.SUBMITTED}
    assert len(commits) == 3  # the claim, the read before sending, every outcome at once


def test_a_receiver_failing_on_one_row_of_a_batch_holds_back_no_other(
        app, fake_at, run_jobs, caplog) -> None:
    told: list[tuple[int, SmsStatus]] = []

    def picky(sender: OutboundSms, old: SmsStatus, new: SmsStatus) -> None:
        if sender.to == NUMBERS[1]:
            raise RuntimeError("receiver bug")
        told.append((sender.id, new))

    good = queue_sms(NUMBERS[0], "habari")
    bad = queue_sms(NUMBERS[1], "habari")
    db.session.commit()
    with sms_status_changed.connected_to(picky):
        run_jobs()
    assert [(m.id, m.status) for m in rows()] == [(good.id, SmsStatus.SUBMITTED),
                                                  (bad.id, SmsStatus.SUBMITTED)]
    assert (good.id, SmsStatus.SUBMITTED) in told  # its receivers ran and committed
    assert "recording each on its own" in caplog.text
    assert "a receiver of its status change failed" in caplog.text
    assert len(fake_at.accepted) == 2
