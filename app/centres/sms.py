"""SMS about places: ``MAHALI``/``PLACE`` from a lead, ``POKEA``/``ADMIT``, ``KATAA``/``DECLINE``
and ``TOKA``/``DISCHARGE`` from a centre's contact. Called by the referral inbound handler;
returns None for a message that is not about a place, so the usual commands run."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.services import find_by_reference, lock_case
from app.cases.status import CaseStatus
from app.centres import services as svc
from app.centres.matching import parse_need
from app.centres.models import Placement, PlacementStatus
from app.centres.texts import offer_text, short_name, text
from app.extensions import db
from app.referral.models import Responder
from app.referral.sms_commands import Command, Verb
from app.referral.texts import text as referral_text
from app.sms.models import InboundSms
from app.staff.services import audit

Result = tuple[str, str, dict[str, Any]]
P = PlacementStatus


class AnswerError(Exception):
    """The case number is wrong: answer with the referral catalog's ``key``."""

    def __init__(self, outcome: str, key: str, **params: str) -> None:
        super().__init__(outcome)
        self.outcome, self.key, self.params = outcome, key, params


def handle(responder: Responder, command: Command, msg: InboundSms) -> Result | None:
    try:
        return _route(responder, command)
    except AnswerError as exc:
        return exc.outcome, "alert", {"body": referral_text(responder.language, exc.key,
                                                            **exc.params)}


def _route(responder: Responder, command: Command) -> Result | None:
    if command.verb is Verb.PLACE:
        return _place(responder, command)
    if command.verb is Verb.ADMIT:
        return _answer(responder, command, admit=True)
    if command.verb is Verb.DECLINE:
        return _refusal(responder, command)
    if command.verb is Verb.DISCHARGE:
        return _discharge(responder, command)
    return None


def _say(outcome: str, lang: str, key: str, **params: Any) -> Result:
    return outcome, "alert", {"body": text(lang, key, **params)}


def _case(command: Command) -> Case | None:
    if command.bad_reference:
        raise AnswerError("bad_reference", "reply.bad_reference", given=command.bad_reference)
    if command.reference is None:
        return None
    case = find_by_reference(command.reference)
    if case is None:
        raise AnswerError("no_such_case", "reply.no_such_case", ref=command.reference)
    return case


def _place(lead: Responder, command: Command) -> Result:
    lang = lead.language
    case = _case(command)
    if case is None:
        led = db.session.scalars(sa.select(Case).where(
            Case.lead_responder_id == lead.id, Case.status == CaseStatus.ACCEPTED)).all()
        if len(led) != 1:
            return _say("place_which", lang, "place.need_ref")
        case = led[0]
    case = lock_case(case.id)
    ref = case.reference
    if case.lead_responder_id != lead.id or case.status is not CaseStatus.ACCEPTED:
        return _say("place_not_lead", lang, "place.not_lead", ref=ref)
    need, choice = parse_need(command.rest)
    actor = f"responder:{lead.id}"
    if choice is None:
        placement, centres = svc.offer(case, lead, need)
        if placement is None:
            return _say("place_none", lang, "place.none", ref=ref)
        body, listed = offer_text(lang, ref, [(c.name, c.free) for c in centres])
        placement.offered = placement.offered[:listed]
        audit(actor, "placement.offer", "case", case.id, centres=placement.offered)
        return "place_offered", "alert", {"body": body}
    placement = svc.open_placement(case.id)
    if placement is None or placement.status is not P.OFFERED:
        return _say("place_ask_first", lang, "place.ask_first", ref=ref)
    if not 1 <= choice <= len(placement.offered):
        return _say("place_bad_choice", lang, "place.bad_choice", ref=ref,
                    n=len(placement.offered))
    centre = svc.choose(placement, case, choice - 1, actor=actor)
    audit(actor, "placement.request", "case", case.id, centre=centre.id)
    return _say("place_requested", lang, "place.asked", ref=ref,
                centre=short_name(centre.name, 30))


def _requests(contact: Responder, command: Command, statuses: tuple[P, ...]
              ) -> tuple[Placement | None, Result | None]:
    """The one placement this contact's message is about, or the reply saying why not."""
    case = _case(command)
    found = svc.placement_for_contact(contact, case.id if case else None, statuses)
    if len(found) == 1:
        return found[0], None
    lang = contact.language
    if not found:
        return None, None
    refs = ", ".join(db.session.get_one(Case, p.case_id).reference for p in found[:4])
    return None, _say("place_which", lang, "place.which", refs=refs)


def _answer(contact: Responder, command: Command, *, admit: bool) -> Result | None:
    placement, reply = _requests(contact, command, (P.REQUESTED,))
    if reply is not None:
        return reply
    lang = contact.language
    if placement is None:
        return _say("place_no_request", lang, "place.no_request") if admit else None
    case = lock_case(placement.case_id)
    db.session.refresh(placement)
    ref, actor = case.reference, f"responder:{contact.id}"
    if placement.status is not P.REQUESTED:
        return _say("place_too_late", lang, "place.too_late", ref=ref)
    if admit:
        centre = svc.admit(placement, case, contact, actor=actor)
        audit(actor, "placement.admit", "case", case.id, centre=centre.id)
        return _say("place_admitted", lang, "place.admit_done", ref=ref, free=centre.free)
    svc.move_on(placement, case, reason="refused")
    audit(actor, "placement.refuse", "case", case.id, centre=placement.refused[-1])
    return _say("place_refused", lang, "place.refuse_done", ref=ref)


def _refusal(contact: Responder, command: Command) -> Result | None:
    """KATAA/DECLINE is a refusal of a placement only from a contact of the centre asked;
    otherwise (an alert about a case) the referral command runs as always."""
    if not svc.placement_for_contact(contact, None, (P.REQUESTED,)):
        return None
    case = _case(command)
    if case is not None and not svc.placement_for_contact(contact, case.id, (P.REQUESTED,)):
        return None
    return _answer(contact, command, admit=False)


def _discharge(who: Responder, command: Command) -> Result:
    lang = who.language
    placement, reply = _requests(who, command, (P.ADMITTED,))
    if reply is not None:
        return reply
    if placement is None:
        case = _case(command)
        if case is not None and case.lead_responder_id == who.id:
            placement = db.session.scalar(sa.select(Placement).where(
                Placement.case_id == case.id, Placement.status == P.ADMITTED))
    if placement is None:
        return _say("place_not_admitted", lang, "place.not_admitted")
    case = lock_case(placement.case_id)
    db.session.refresh(placement)
    if placement.status is not P.ADMITTED:
        return _say("place_not_admitted", lang, "place.not_admitted")
    actor = f"responder:{who.id}"
    centre = svc.discharge(placement, case, actor=actor)
    audit(actor, "placement.discharge", "case", case.id, centre=centre.id)
    return _say("place_discharged", lang, "place.discharged", ref=case.reference,
                centre=short_name(centre.name, 30), free=centre.free)
