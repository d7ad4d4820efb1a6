"""Sending a case out wave by wave until somebody accepts it. Services flush; callers commit.

Every step is decided from rows (waves, alerts, the case status) under the case's row lock,
so the deadline job, the reconciler, a delivery report and an SMS reply can all arrive in any
order, twice, or late, and the case still moves exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import apply_event, record
from app.cases.status import CaseEvent, CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.cache import PlaceRow, cached_places
from app.gazetteer.matching import first_point
from app.gazetteer.names import council_label_of, fold
from app.referral.matching import (
    COUNCIL,
    NATIONAL,
    REGION,
    Candidate,
    Directory,
    Point,
    Site,
    pick_from,
)
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.roles import ResponderRole
from app.referral.rules import REACH, RuleBook, WavePlan
from app.referral.schedule import schedule_wave_deadline
from app.referral.status import WAITING, AlertEvent, AlertStatus, next_alert_status
from app.referral.texts import alert_text, council_in_words, exhausted_text, info_text
from app.sms.models import OutboundSms
from app.sms.services import compose_sms, queue_composed, queue_sms
from app.sms.status import SmsStatus

log = logging.getLogger(__name__)

#: Outbox statuses that mean an alert never reached its responder.
SMS_FAILED = (SmsStatus.FAILED, SmsStatus.EXPIRED)
#: Cases still waiting for somebody to take them.
SEEKING = (CaseStatus.RECEIVED, CaseStatus.REFERRED)


def rulebook() -> RuleBook:
    return current_app.extensions["linda_referral_rules"]  # type: ignore[no-any-return]


def move_alert(alert: Alert, event: AlertEvent, *, reason: str | None = None) -> None:
    alert.status = next_alert_status(alert.status, event)
    if reason is not None:
        alert.reason = reason[:200]


def _case_places(case: Case) -> tuple[PlaceRow | None, PlaceRow, PlaceRow]:
    """The ward (None without one), council and region of a case, from this process's copy
    of the gazetteer (``gazetteer.cache``): no query but its periodic version check."""
    places = cached_places()
    ward = places.ward_rows.get(case.ward_id) if case.ward_id else None
    council = places.council_rows.get(case.council_id)
    region = places.region_rows.get(case.region_id)
    if council is None or region is None:
        raise LookupError(f"case {case.id}: council or region not in the gazetteer")
    return ward, council, region


def place_parts(case: Case, lang: str | None = None) -> list[str]:
    """Ward, council label and region of a case, most specific first ("Kariakoo",
    "Ilala (Dar Es Salaam CC)", "Dar es Salaam"); the region is left out when the council
    label already names it. With ``lang``, the council type is in words ("Jiji la Mwanza")."""
    ward, council, region = _case_places(case)
    council_type = council.council_type or ""
    label = council_label_of(council.name, council_type, council.known_as) if lang is None \
        else council_in_words(lang, council.name, council_type, council.known_as)
    parts = [ward.name] if ward is not None else []
    parts.append(label)
    if fold(region.name) not in fold(label):
        parts.append(region.name)
    return parts


def case_site(case: Case) -> Site:
    """Where a case is, with the most precise known point (``gazetteer.best_point``)."""
    return Site(case.region_id, case.council_id, case.ward_id, first_point(*_case_places(case)))


def candidates(roles: tuple[ResponderRole, ...], *, site: Site | None = None,
               max_tier: int = NATIONAL) -> list[Candidate]:
    """Every responder of ``roles`` with their open-case count, for ``matching.pick``.

    With ``site``: only the available ones ``max_tier`` can reach (the case's ward, council
    or region, or the whole country), so a wave reads a region, not the directory."""
    query = sa.select(Responder).where(Responder.role.in_(roles))
    if site is not None:
        query = query.where(Responder.on_duty.is_(True), Responder.confirmed_at.is_not(None))
        near = [Responder.ward_id == site.ward_id] if site.ward_id is not None else []
        if max_tier >= COUNCIL:
            near.append(Responder.council_id == site.council_id)
        if max_tier >= REGION:
            near.append(Responder.region_id == site.region_id)
        if max_tier < NATIONAL:
            query = query.where(sa.or_(sa.false(), *near))
    rows = db.session.scalars(query).all()
    busy = (sa.select(Alert.responder_id, sa.func.count(sa.distinct(Alert.case_id)))
            .where(Alert.status.in_([*WAITING, AlertStatus.ACCEPTED]))
            .group_by(Alert.responder_id))
    if site is not None and max_tier < NATIONAL:
        busy = busy.where(Alert.responder_id.in_(query.with_only_columns(Responder.id)))
    load: dict[int, int] = dict(db.session.execute(busy).all())  # type: ignore[arg-type]
    points = _known_points()

    def point(r: Responder) -> Point | None:
        if r.lat is not None and r.lon is not None:
            return (r.lat, r.lon)
        places = (("ward", r.ward_id), ("council", r.council_id), ("region", r.region_id))
        return next((points[p] for p in places if p in points), None)

    return [Candidate(r.id, r.role, r.region_id, r.council_id, r.ward_id, point(r),
                      r.can_receive_alerts, load.get(r.id, 0))
            for r in rows]


def choose(site: Site, roles: tuple[ResponderRole, ...], count: int, *,
           exclude: Collection[int], max_tier: int) -> list[Candidate]:
    """``matching.pick`` over the whole directory, reading the case's region first and the
    country only when the region cannot fill a national wave (same people either way)."""
    reach = min(max_tier, REGION)
    nearby = Directory.of(candidates(roles, site=site, max_tier=reach))
    if reach < max_tier and not nearby.suffices(site, roles, count, exclude=exclude,
                                                 max_tier=reach):
        nearby = Directory.of(candidates(roles, site=site, max_tier=max_tier))
    return pick_from(site, nearby, roles, count, exclude=exclude, max_tier=max_tier)


def _known_points() -> Mapping[tuple[str, str], Point]:
    """Coordinates of every ward, council and region that has them, by ("ward", id) etc.,
    from the gazetteer cache: looking them up per responder with ``gazetteer.best_point``
    took ~0.8 s for 2,000 responders (docs/PERFORMANCE.md)."""
    return cached_places().points


def already_alerted(case: Case) -> set[int]:
    return set(db.session.scalars(sa.select(Alert.responder_id).where(Alert.case_id == case.id)))


def case_alerts(case: Case) -> dict[int, Alert]:
    """The alerts of a case by responder (at most one each)."""
    return {a.responder_id: a
            for a in db.session.scalars(sa.select(Alert).where(Alert.case_id == case.id))}


def dispatch(case: Case) -> ReferralWave | None:
    """Start the rule of a case waiting for its first wave, or waiting again after being
    released or reopened; a case with an open wave, or held for staff review, is left alone.
    Returns the wave it opened (None when it opened none)."""
    if case.status not in SEEKING or case.held_at is not None:
        return None
    waves = db.session.execute(sa.select(ReferralWave.number, ReferralWave.closed_at)
                               .where(ReferralWave.case_id == case.id)).all()
    if any(closed_at is None for _, closed_at in waves):
        return None
    return open_wave(case, 1, last_number=max((number for number, _ in waves), default=0))


def alert_sms_ids(wave: ReferralWave) -> list[int]:
    """The outbox rows of a wave's alerts."""
    return list(db.session.scalars(sa.select(Alert.sms_id).where(
        Alert.wave_id == wave.id, Alert.sms_id.is_not(None)).order_by(Alert.sms_id)))


def open_wave(case: Case, step: int, *, exclude: set[int] | None = None,
              last_number: int | None = None) -> ReferralWave | None:
    """Start step ``step`` of the rule (or the next one that finds anybody); exhaust after the
    last. ``exclude``: who may not be picked (default: everybody already alerted).
    ``last_number``: the case's highest wave number, when the caller read it."""
    plans = rulebook().waves_for(case.category.value, case.urgent)
    alerts = case_alerts(case)
    exclude = set(alerts) if exclude is None else exclude
    site = case_site(case)
    for n in range(step, len(plans) + 1):
        plan = plans[n - 1]
        chosen = choose(site, plan.roles, plan.responders, exclude=exclude,
                        max_tier=plan.max_tier)
        if not chosen:
            record(case, "wave_skipped", detail={"step": n, "reason": "no responder"})
            continue
        return _start_wave(case, n, plan, [c.id for c in chosen], alerts=alerts,
                           last_number=last_number)
    exhaust(case)
    return None


def _start_wave(case: Case, step: int, plan: WavePlan, responder_ids: list[int], *,
                alerts: Mapping[int, Alert] | None = None,
                last_number: int | None = None) -> ReferralWave:
    now = utcnow()
    if last_number is None:
        last_number = db.session.scalar(sa.select(sa.func.max(ReferralWave.number)).where(
            ReferralWave.case_id == case.id)) or 0
    number = 1 + last_number
    wave = ReferralWave(case_id=case.id, number=number, step=step,
                        roles=[r.value for r in plan.roles], size=plan.responders,
                        reach=plan.reach, created_at=now,
                        deadline_at=now + timedelta(seconds=plan.deadline_seconds))
    db.session.add(wave)
    db.session.flush()
    send_alerts(case, responder_ids, wave, alerts=alerts)
    event = CaseEvent.ESCALATE if case.status is CaseStatus.REFERRED else CaseEvent.REFER
    apply_event(case, event, detail={"wave": number, "step": step, "responders": responder_ids,
                                     "deadline": wave.deadline_at.isoformat()})
    schedule_wave_deadline(wave.id, wave.deadline_at)
    return wave


def send_alerts(case: Case, responder_ids: Sequence[int], wave: ReferralWave, *,
                alerts: Mapping[int, Alert] | None = None) -> list[Alert]:
    """One alert row and one SMS per responder, in their language, never sent late; the
    rows of all of them are written together (one insert per table, however many).

    A responder asked again (a rescue round, after no answer) keeps their one row for the
    case. ``alerts``: every alert of the case by responder, when the caller read them.
    """
    if not responder_ids:
        return []
    responders = {r.id: r for r in db.session.scalars(
        sa.select(Responder).where(Responder.id.in_(responder_ids)))}
    if alerts is None:
        alerts = {a.responder_id: a for a in db.session.scalars(sa.select(Alert).where(
            Alert.case_id == case.id, Alert.responder_id.in_(responder_ids)))}
    sent: list[Alert] = []
    for rid in responder_ids:
        alert = alerts.get(rid)
        if alert is not None:
            move_alert(alert, AlertEvent.RESEND)
            alert.wave_id, alert.deadline_at, alert.responded_at = wave.id, wave.deadline_at, None
        else:
            alert = Alert(case_id=case.id, responder_id=rid, wave_id=wave.id,
                          deadline_at=wave.deadline_at, status=AlertStatus.PENDING)
            db.session.add(alert)
        sent.append(alert)
    db.session.flush()
    expires_at = utcnow() + _max_age()
    messages = [compose_sms(responders[a.responder_id].phone,
                            render_alert(case, responders[a.responder_id].language),
                            purpose="alert", ref_kind="alert", ref_id=a.id,
                            expires_at=expires_at) for a in sent]
    queue_composed(messages)
    for alert, msg in zip(sent, messages, strict=True):
        alert.sms_id = msg.id
    return sent


def _facts(case: Case) -> dict[str, object]:
    return {"labour": case.labour_kind.value if case.labour_kind else None,
            "children": case.children.value if case.children else None,
            "seen_when": case.seen_when.value if case.seen_when else None}


def render_alert(case: Case, lang: str) -> str:
    """What the reporter said, in the responder's language (see ``texts.alert_text``)."""
    caller = case.reporter_phone if case.callback_consent else None
    return alert_text(lang, ref=case.reference, category=case.category.value,
                      urgent=case.urgent, place_parts=place_parts(case, lang), caller=caller,
                      landmark=case.landmark, **_facts(case))  # type: ignore[arg-type]


def render_info(case: Case, lang: str) -> str:
    """The case details a responder asks for with INFO/TAARIFA (with the reporter's landmark)."""
    caller = case.reporter_phone if case.callback_consent else None
    return info_text(lang, ref=case.reference, category=case.category.value, urgent=case.urgent,
                     place_parts=place_parts(case, lang), caller=caller, landmark=case.landmark,
                     **_facts(case))  # type: ignore[arg-type]


def _max_age() -> timedelta:
    return timedelta(seconds=current_app.config["ALERT_MAX_AGE_SECONDS"])


def check_wave(wave: ReferralWave, case: Case, now: datetime) -> None:
    """Refill failed or declined slots; past the deadline (or with nobody left) move on."""
    if wave.closed_at is not None:
        return
    if case.status not in SEEKING:
        wave.closed_at = now
        return
    alerts = db.session.scalars(sa.select(Alert).where(Alert.wave_id == wave.id)).all()
    _catch_up_failures(case, [a for a in alerts if a.status in WAITING])
    waiting = [a for a in alerts if a.status in WAITING]
    if now < wave.deadline_at and len(waiting) < wave.size:
        waiting += _refill(case, wave, wave.size - len(waiting))
    if now < wave.deadline_at and waiting:
        return
    for alert in waiting:
        move_alert(alert, AlertEvent.EXPIRE)
    wave.closed_at = now
    record(case, "wave_closed", detail={
        "wave": wave.number, "reason": "deadline" if now >= wave.deadline_at else "no one left"})
    open_wave(case, wave.step + 1)


def _catch_up_failures(case: Case, waiting: list[Alert]) -> None:
    """Fail alerts whose SMS failed while the delivery-report receiver could not run."""
    sms_ids = [a.sms_id for a in waiting if a.sms_id is not None]
    if not sms_ids:
        return
    failed = dict(db.session.execute(
        sa.select(OutboundSms.id, OutboundSms.status).where(
            OutboundSms.id.in_(sms_ids), OutboundSms.status.in_(SMS_FAILED))).all())
    for alert in waiting:
        if alert.sms_id in failed:
            move_alert(alert, AlertEvent.FAIL, reason=f"sms {failed[alert.sms_id].value}")
            record(case, "alert_failed", detail={"alert": alert.id,
                                                 "sms": failed[alert.sms_id].value})


def _refill(case: Case, wave: ReferralWave, count: int) -> list[Alert]:
    roles = tuple(ResponderRole(r) for r in wave.roles)
    chosen = choose(case_site(case), roles, count, exclude=already_alerted(case),
                    max_tier=REACH.index(wave.reach))
    added = send_alerts(case, [c.id for c in chosen], wave)
    if added:
        apply_event(case, CaseEvent.REFER,
                    detail={"wave": wave.number, "replacements": [c.id for c in chosen]})
    return added


def exhaust(case: Case) -> None:
    """Nobody took the case: tell the on-duty hotline supervisors and flag it for staff."""
    supervisors = db.session.scalars(
        sa.select(Responder).where(Responder.role == ResponderRole.HOTLINE_SUPERVISOR,
                                   Responder.on_duty.is_(True),
                                   Responder.confirmed_at.is_not(None))
        .order_by(Responder.id)).all()
    for sup in supervisors:
        queue_sms(sup.phone, exhausted_text(sup.language, ref=case.reference,
                                            category=case.category.value, urgent=case.urgent,
                                            place_parts=place_parts(case, sup.language)),
                  purpose="escalation", ref_kind="case", ref_id=case.id)
    apply_event(case, CaseEvent.EXHAUST, detail={"supervisors": [s.id for s in supervisors]})
    if not supervisors:
        # Nobody was told: the first supervisor to confirm or come on duty hears of it (rescue).
        log.error("case %s needs attention and no hotline supervisor is confirmed and on duty",
                  case.id)
        record(case, "no_supervisor")


def release_lead(case: Case) -> None:
    """The lead handed the case back (or it was reopened): their alert ends, they lead no more."""
    for alert in db.session.scalars(sa.select(Alert).where(
            Alert.case_id == case.id, Alert.status == AlertStatus.ACCEPTED)):
        move_alert(alert, AlertEvent.CANCEL, reason="released")
    case.lead_responder_id = None

