"""Check-in answers by SMS: ``1``/``SALAMA``/``SAFE``, ``2``/``WASIWASI``/``CONCERN``,
``3``/``SIKUMPATA``/``UNREACHED``, with the case number when several are open. Called by the
referral inbound handler; returns None for anything else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.cases.models import Case
from app.cases.services import find_by_reference, lock_case
from app.extensions import db
from app.followup import services as svc
from app.followup.outcomes import FOLLOWED_UP, BadOutcomeError, parse_outcome
from app.followup.texts import duration, outcome_label, text
from app.referral.models import Responder
from app.referral.sms_commands import Command, Verb
from app.referral.texts import text as referral_text
from app.sms.models import InboundSms
from app.staff.services import audit

ANSWERS = {Verb.SAFE: "safe", Verb.CONCERN: "concern", Verb.UNREACHED: "unreached"}


def handle(responder: Responder, command: Command, msg: InboundSms
           ) -> tuple[str, str, dict[str, Any]] | None:
    said = ANSWERS.get(command.verb)
    if said is None:
        return None
    lang = responder.language
    if command.bad_reference:
        return "bad_reference", "alert", {"body": referral_text(
            lang, "reply.bad_reference", given=command.bad_reference)}
    case_id = None
    if command.reference:
        case = find_by_reference(command.reference)
        if case is None:
            return "no_such_case", "alert", {"body": referral_text(
                lang, "reply.no_such_case", ref=command.reference)}
        case_id = case.id
    rows = svc.open_checkins(responder, case_id)
    if not rows:
        return "checkin_none", "alert", {"body": text(lang, "checkin.none")}
    if len({r.case_id for r in rows}) > 1:
        refs = [db.session.get_one(Case, r.case_id).reference for r in rows]
        return "checkin_which", "alert", {"body": text(
            lang, "checkin.which", refs=", ".join(dict.fromkeys(refs[:4])), first=refs[0])}
    row = rows[-1]
    case = lock_case(row.case_id)
    db.session.refresh(row)
    key, params = svc.answer(row, case, said, responder)
    audit(f"responder:{responder.id}", f"followup.{said}", "case", case.id, checkin=row.id)
    return f"checkin_{said}", "alert", {"body": text(lang, key, **params)}


def close_by_sms(lead: Responder, case: Case, rest: str, *, finish: Callable[[], None]
                 ) -> tuple[str, str, dict[str, Any]]:
    """``MALIZA <case> [<n>] [text]`` from the lead: a numbered outcome, free text, or both.
    A number outside 1-6 closes nothing and says which numbers there are."""
    lang = lead.language
    try:
        code, note = parse_outcome(rest)
    except BadOutcomeError:
        return "bad_outcome", "alert", {"body": text(lang, "outcome.bad", ref=case.reference)}
    finish()
    svc.close_case(case, code, note, actor=f"responder:{lead.id}")
    if code is None:
        return "closed", "reply.done", {"ref": case.reference}
    follow = ""
    if code in FOLLOWED_UP:
        follow = text(lang, "outcome.followup", after=duration(lang, svc.schedule()[0]))
    return "closed", "alert", {"body": text(lang, "outcome.closed", ref=case.reference,
                                            outcome=outcome_label(lang, code),
                                            followup=follow)}
