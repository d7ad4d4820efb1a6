"""Placement: a lead asks for a place, centres are asked one at a time, a contact admits or
refuses, the child is discharged. Services flush; callers commit. Decisions are made from rows
under the case's row lock, so an SMS, the deadline job and the reconciler may come in any
order, twice, and the placement still moves once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.cases.services import record
from app.cases.status import CaseStatus
from app.centres.matching import CentreInfo, Need, rank_centres
from app.centres.models import (
    OPEN_PLACEMENT,
    Centre,
    CentreContact,
    Placement,
    PlacementStatus,
)
from app.centres.texts import short_name, text
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import best_point
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from app.referral.services import case_site
from app.sms.services import queue_sms
from app.worker.queue import enqueue_after_commit

P = PlacementStatus
#: The deadline job, queued by name: services never import their tasks.
CHECK_PLACEMENT = "app.centres.tasks.check_placement"


def timeout() -> timedelta:
    return timedelta(seconds=current_app.config["PLACEMENT_TIMEOUT_SECONDS"])


def contacts(centre_id: int, *, available_only: bool = True) -> list[Responder]:
    query = (sa.select(Responder).join(CentreContact, CentreContact.responder_id == Responder.id)
             .where(CentreContact.centre_id == centre_id).order_by(Responder.id))
    rows = db.session.scalars(query).all()
    return [r for r in rows if r.can_receive_alerts] if available_only else list(rows)


def centre_infos() -> list[CentreInfo]:
    reachable = set(db.session.scalars(
        sa.select(CentreContact.centre_id).join(Responder,
                                                Responder.id == CentreContact.responder_id)
        .where(Responder.on_duty.is_(True), Responder.confirmed_at.is_not(None))))
    out = []
    for c in db.session.scalars(sa.select(Centre)):
        point = best_point(ward=db.session.get(Ward, c.ward_id) if c.ward_id else None,
                           council=db.session.get(Council, c.council_id) if c.council_id
                           else None, region=db.session.get(Region, c.region_id))
        out.append(CentreInfo(c.id, c.region_id, c.council_id, c.ward_id, point,
                              frozenset(c.services.split(";")),
                              frozenset(filter(None, c.takes.split(";"))),
                              c.age_min, c.age_max, c.free, c.id in reachable))
    return out


def open_placement(case_id: int) -> Placement | None:
    return db.session.scalar(sa.select(Placement).where(
        Placement.case_id == case_id, Placement.status.in_(OPEN_PLACEMENT))
        .order_by(Placement.id.desc()))


def offer(case: Case, lead: Responder, need: Need) -> tuple[Placement | None, list[Centre]]:
    """The nearest centres with free places that take this child, as a new ``offered``
    placement (replacing an unanswered one). No centre: nothing is written."""
    ranked = rank_centres(case_site(case), centre_infos(), need)
    centres = [db.session.get_one(Centre, c.id) for c in ranked]
    if not centres:
        record(case, "placement_none", actor=f"responder:{lead.id}",
               detail={"sex": need.sex, "age": need.age})
        return None, []
    old = open_placement(case.id)
    if old is not None and old.status is P.OFFERED:
        old.status = P.CANCELLED
    placement = Placement(case_id=case.id, requested_by=lead.id, status=P.OFFERED,
                          offered=[c.id for c in centres], queue=[], refused=[])
    db.session.add(placement)
    db.session.flush()
    record(case, "placement_offered", actor=f"responder:{lead.id}",
           detail={"placement": placement.id, "centres": placement.offered})
    return placement, centres


def choose(placement: Placement, case: Case, index: int, *, actor: str) -> Centre:
    """Ask the chosen centre first, then the others offered, in the order offered."""
    first = placement.offered[index]
    placement.queue = [c for c in placement.offered if c != first]
    for older in db.session.scalars(sa.select(Placement).where(
            Placement.case_id == case.id, Placement.id != placement.id,
            Placement.status.in_(OPEN_PLACEMENT))):
        older.status = P.CANCELLED  # the newest choice replaces a request still out
    record(case, "placement_chosen", actor=actor,
           detail={"placement": placement.id, "centre": first})
    return ask(placement, case, first)


def ask(placement: Placement, case: Case, centre_id: int) -> Centre:
    """Send the request to every available contact of a centre; its deadline is the row."""
    centre = db.session.get_one(Centre, centre_id)
    lead = db.session.get_one(Responder, placement.requested_by)
    placement.status, placement.centre_id = P.REQUESTED, centre.id
    placement.deadline_at = utcnow() + timeout()
    for who in contacts(centre.id):
        queue_sms(who.phone, text(who.language, "place.request", ref=case.reference,
                                  centre=short_name(centre.name, 30), lead=lead.phone),
                  purpose="placement", ref_kind="placement", ref_id=placement.id)
    record(case, "placement_requested", detail={"placement": placement.id,
                                                "centre": centre.id})
    at = placement.deadline_at.replace(microsecond=0) + timedelta(seconds=1)
    enqueue_after_commit(CHECK_PLACEMENT, placement.id,
                         job_id=f"placement-deadline-{placement.id}-{centre.id}", at=at)
    return centre


def move_on(placement: Placement, case: Case, *, reason: str) -> Centre | None:
    """The centre asked refused or stayed silent: ask the next one that still has a free
    place, or tell the lead and the hotline supervisors that none took the child."""
    if placement.centre_id is not None:
        placement.refused = [*placement.refused, placement.centre_id]
    record(case, "placement_refused", detail={"placement": placement.id,
                                              "centre": placement.centre_id, "reason": reason})
    lead = db.session.get_one(Responder, placement.requested_by)
    queue = list(placement.queue)
    while queue:
        centre_id = queue.pop(0)
        placement.queue = queue
        centre = db.session.get(Centre, centre_id)
        if centre is not None and centre.free > 0 and contacts(centre_id):
            asked = ask(placement, case, centre_id)
            queue_sms(lead.phone, text(lead.language, "place.moved", ref=case.reference,
                                       centre=short_name(asked.name, 30)),
                      purpose="placement", ref_kind="placement", ref_id=placement.id)
            return asked
    placement.status, placement.centre_id, placement.deadline_at = P.EXHAUSTED, None, None
    queue_sms(lead.phone, text(lead.language, "place.exhausted", ref=case.reference),
              purpose="placement", ref_kind="placement", ref_id=placement.id)
    supervisors = db.session.scalars(sa.select(Responder).where(
        Responder.role == ResponderRole.HOTLINE_SUPERVISOR, Responder.on_duty.is_(True),
        Responder.confirmed_at.is_not(None)).order_by(Responder.id)).all()
    for sup in supervisors:
        queue_sms(sup.phone, text(sup.language, "supervisor.place", ref=case.reference),
                  purpose="escalation", ref_kind="placement", ref_id=placement.id)
    record(case, "placement_exhausted", detail={"placement": placement.id,
                                                "supervisors": [s.id for s in supervisors]})
    return None


def staff_request(case: Case, centre_id: int, *, actor: str) -> Centre:
    """Staff ask a centre for the child of an accepted case (on the lead's behalf).

    Raises:
        PlacementError: the case has no lead, the centre no free place or no contact.
    """
    if case.status is not CaseStatus.ACCEPTED or case.lead_responder_id is None:
        raise PlacementError("no_lead")
    centre = db.session.get(Centre, centre_id)
    if centre is None or centre.free <= 0:
        raise PlacementError("no_place")
    if not contacts(centre.id):
        raise PlacementError("no_contact")
    old = open_placement(case.id)
    if old is not None:
        old.status = P.CANCELLED
    placement = Placement(case_id=case.id, requested_by=case.lead_responder_id,
                          status=P.OFFERED, offered=[centre.id], queue=[], refused=[])
    db.session.add(placement)
    db.session.flush()
    return choose(placement, case, 0, actor=actor)


class PlacementError(ValueError):
    """A staff placement action cannot be done; the message is a catalog key suffix."""


def admit(placement: Placement, case: Case, contact: Responder | None, *, actor: str) -> Centre:
    """The centre took the child: one place is taken; the lead is told."""
    centre = db.session.execute(sa.select(Centre).where(Centre.id == placement.centre_id)
                                .with_for_update()).scalar_one()
    centre.taken += 1
    now = utcnow()
    placement.status, placement.admitted_at, placement.deadline_at = P.ADMITTED, now, None
    placement.answered_by = contact.id if contact is not None else None
    lead = db.session.get_one(Responder, placement.requested_by)
    queue_sms(lead.phone, text(lead.language, "place.admitted", ref=case.reference,
                               centre=short_name(centre.name, 30)),
              purpose="placement", ref_kind="placement", ref_id=placement.id)
    record(case, "placement_admitted", actor=actor,
           detail={"placement": placement.id, "centre": centre.id})
    return centre


def discharge(placement: Placement, case: Case, *, actor: str) -> Centre:
    """The child left the centre; the place is free again."""
    centre = db.session.execute(sa.select(Centre).where(Centre.id == placement.centre_id)
                                .with_for_update()).scalar_one()
    centre.taken = max(centre.taken - 1, 0)
    placement.status, placement.discharged_at = P.DISCHARGED, utcnow()
    record(case, "placement_discharged", actor=actor,
           detail={"placement": placement.id, "centre": centre.id})
    return centre


def placement_for_contact(responder: Responder, case_id: int | None,
                          statuses: tuple[PlacementStatus, ...]) -> list[Placement]:
    """Placements in ``statuses`` at a centre this responder answers for."""
    centre_ids = sa.select(CentreContact.centre_id).where(
        CentreContact.responder_id == responder.id)
    query = sa.select(Placement).where(Placement.centre_id.in_(centre_ids),
                                       Placement.status.in_(statuses))
    if case_id is not None:
        query = query.where(Placement.case_id == case_id)
    return list(db.session.scalars(query.order_by(Placement.id)))
