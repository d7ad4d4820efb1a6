"""Alerts that hotline staff send by hand: the same SMS, alert row, wave deadline and
follow-on waves as the engine, to a responder a person chose."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import apply_event
from app.cases.status import CaseEvent, CaseStatus
from app.extensions import db
from app.referral import services as svc
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.rules import REACH, WavePlan
from app.referral.status import WAITING, AlertStatus


class ChosenAlertError(ValueError):
    """The responder cannot be alerted about this case; the message key says why."""


def alert_chosen(case: Case, responder: Responder, *, actor: str) -> ReferralWave:
    """Send ``case`` to ``responder`` in a wave of one; an accepted case's lead is released
    first (reassignment). When the wave's deadline passes unanswered, the case's rule goes on
    from the step after the latest one, as it would have.

    Raises:
        ChosenAlertError: closed case, unavailable responder, or already asked and waiting.
        InvalidTransitionError: the case's status does not allow it.
    """
    if case.status is CaseStatus.CLOSED:
        raise ChosenAlertError("closed")
    if not responder.can_receive_alerts:
        raise ChosenAlertError("unavailable")
    if case.lead_responder_id == responder.id and case.status is CaseStatus.ACCEPTED:
        raise ChosenAlertError("already_lead")
    existing = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id,
                                                        Alert.responder_id == responder.id))
    if existing is not None and existing.status in WAITING:
        raise ChosenAlertError("waiting")
    if existing is not None and existing.status not in (AlertStatus.EXPIRED,
                                                        AlertStatus.CANCELLED):
        raise ChosenAlertError("answered")  # declined or failed: a new alert would not help
    if case.status is CaseStatus.ACCEPTED:
        apply_event(case, CaseEvent.RELEASE, actor=actor,
                    detail={"reason": "reassigned", "to": responder.id})
    step = db.session.scalar(sa.select(sa.func.max(ReferralWave.step)).where(
        ReferralWave.case_id == case.id)) or 1
    seconds = current_app.config["ACK_TIMEOUT_URGENT_SECONDS" if case.urgent
                                 else "ACK_TIMEOUT_NORMAL_SECONDS"]
    plan = WavePlan(roles=(responder.role,), responders=1, deadline_seconds=seconds,
                    reach=REACH[-1])
    return svc._start_wave(case, step, plan, [responder.id])


def choosable_responders(case: Case, limit: int = 100) -> list[Responder]:
    """Responders staff may pick for a case: available ones of its region, nearest first,
    then hotline supervisors anywhere."""
    near = sa.case((Responder.ward_id == case.ward_id, 0),
                   (Responder.council_id == case.council_id, 1), else_=2)
    return list(db.session.scalars(
        sa.select(Responder).where(Responder.on_duty.is_(True),
                                   Responder.confirmed_at.is_not(None),
                                   Responder.region_id == case.region_id)
        .order_by(near, Responder.name).limit(limit)))
