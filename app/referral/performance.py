"""How each responder is doing: open cases, acceptance rate, time to accept, failing numbers.

For the responders pages. Read-only, a page of responders at a time.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
from app.sms.models import OutboundSms
from app.sms.status import WITHDRAWN, SmsStatus

A = AlertStatus
#: Alerts that count towards the acceptance rate: the responder had their chance to answer.
#: Cancelled (somebody else was faster) and still-waiting alerts do not count.
ANSWERABLE = (A.ACCEPTED, A.DONE, A.DECLINED, A.EXPIRED, A.FAILED)
FAILING = (SmsStatus.FAILED, SmsStatus.EXPIRED)


@dataclass
class ResponderFigures:
    open_cases: int = 0
    alerts: int = 0  # answerable alerts
    accepted: int = 0
    median_accept_seconds: float | None = None
    last_sms_failed: bool = False
    last_sms_reason: str | None = None

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.alerts if self.alerts else None


def figures(responders: Sequence[Responder]) -> dict[int, ResponderFigures]:
    ids = [r.id for r in responders]
    out = {i: ResponderFigures() for i in ids}
    if not ids:
        return out
    for rid, n in db.session.execute(
            sa.select(Case.lead_responder_id, sa.func.count(Case.id))
            .where(Case.lead_responder_id.in_(ids), Case.status == CaseStatus.ACCEPTED)
            .group_by(Case.lead_responder_id)):
        out[rid].open_cases = int(n)
    for rid, status, n in db.session.execute(
            sa.select(Alert.responder_id, Alert.status, sa.func.count(Alert.id))
            .where(Alert.responder_id.in_(ids), Alert.status.in_(ANSWERABLE))
            .group_by(Alert.responder_id, Alert.status)):
        out[rid].alerts += int(n)
        if status in (A.ACCEPTED, A.DONE):
            out[rid].accepted += int(n)
    waits: defaultdict[int, list[float]] = defaultdict(list)
    for rid, created, responded in db.session.execute(
            sa.select(Alert.responder_id, Alert.created_at, Alert.responded_at)
            .where(Alert.responder_id.in_(ids), Alert.status.in_((A.ACCEPTED, A.DONE)),
                   Alert.responded_at.is_not(None))):
        waits[rid].append((responded - created).total_seconds())
    for rid, values in waits.items():
        out[rid].median_accept_seconds = statistics.median(values)
    by_hash = {r.phone_hash: r.id for r in responders}
    last = (sa.select(sa.func.max(OutboundSms.id)).where(OutboundSms.to_hash.in_(by_hash))
            .group_by(OutboundSms.to_hash))
    for to_hash, status, reason in db.session.execute(
            sa.select(OutboundSms.to_hash, OutboundSms.status, OutboundSms.failure_reason)
            .where(OutboundSms.id.in_(last))):
        fig = out[by_hash[to_hash]]
        fig.last_sms_failed = status in FAILING and not (reason or "").startswith(WITHDRAWN)
        fig.last_sms_reason = reason if fig.last_sms_failed else None
    return out
