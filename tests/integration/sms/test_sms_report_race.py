"""A delivery report that reaches another web process while the send job is committing.

With two workers, AT's (or the sandbox's) delivery report for the first rows of a batch can
arrive while the job that sent them is still recording the outcomes. The report must reach
its message whichever transaction commits first: stored before the job looks, applied by the
job; stored after, applied by the webhook. Here the report is posted from another thread at
the last moment of the job's transaction, after it looked for reports and before it commits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.status import SmsStatus
from app.sms.tasks import send_sms

PHONE = "+255712345678"
TOKEN = "test-token-0123456789abcdef"
PROVIDER_ID = "ATXid_race"


class ReportWhileCommitting:
    """Posts the delivery report from another thread just before the job's commit that
    records ``PROVIDER_ID``; waits for it a moment (it may have to wait for that commit)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.thread: threading.Thread | None = None
        self.answers: list[int] = []

    def before_commit(self, session: Session) -> None:
        if self.thread is not None:
            return
        if not any(isinstance(obj, OutboundSms) and obj.provider_message_id == PROVIDER_ID
                   for obj in session.identity_map.values()):
            return
        self.thread = threading.Thread(target=self._post, daemon=True)
        self.thread.start()
        self.thread.join(timeout=2)  # done, or waiting for this very commit

    def _post(self) -> None:
        with self.app.app_context():
            res = self.app.test_client().post(f"/at/{TOKEN}/sms/delivery", data={
                "id": PROVIDER_ID, "status": "Success", "phoneNumber": PHONE})
            self.answers.append(res.status_code)
            db.session.remove()


@pytest.fixture
def report_while_committing(app: Flask) -> Iterator[ReportWhileCommitting]:
    race = ReportWhileCommitting(app)

    def listener(session: Session, *args: Any) -> None:
        race.before_commit(session)

    event.listen(Session, "before_commit", listener)
    try:
        yield race
    finally:
        event.remove(Session, "before_commit", listener)
        if race.thread is not None:
            race.thread.join(timeout=30)


def test_a_report_posted_while_the_send_job_commits_is_not_lost(
        app, fake_at, report_while_committing) -> None:
    fake_at.next_ids.append(PROVIDER_ID)
    msg = queue_sms(PHONE, "Linda kesi 1234567: mtoto hatarini")
    db.session.commit()

    send_sms(msg.id)
    assert report_while_committing.thread is not None, "the job never recorded the send"
    report_while_committing.thread.join(timeout=30)
    assert report_while_committing.answers == [200]

    db.session.expire_all()
    msg = db.session.get_one(OutboundSms, msg.id)
    assert (msg.provider_message_id, msg.status) == (PROVIDER_ID, SmsStatus.DELIVERED)
