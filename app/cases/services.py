"""Creating cases and moving them through their life cycle. Services flush; callers commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case, CaseEventRecord
from app.cases.reference import CAPACITY, is_valid_reference, new_reference
from app.cases.signals import case_created, case_released, case_status_changed
from app.cases.status import CaseEvent, CaseStatus, next_status
from app.cases.vocabulary import CaseCategory, CaseSource, ChildrenCount, LabourKind, SeenWhen
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.models import Council, Ward

log = logging.getLogger(__name__)


class CaseInputError(ValueError):
    """A report names a place or value that does not exist."""


@dataclass(frozen=True)
class NewReport:
    """What a reporter told us. Personal values are plain here and sealed on the row."""

    category: CaseCategory
    council_id: str
    ward_id: str | None = None
    urgent: bool = False
    labour_kind: LabourKind | None = None
    children: ChildrenCount = ChildrenCount.UNKNOWN
    seen_when: SeenWhen = SeenWhen.NOW
    landmark: str | None = None
    details: str | None = None
    callback_consent: bool = False
    reporter_phone: str | None = None
    language: str = "sw"
    source: CaseSource = CaseSource.USSD
    ussd_session_id: str | None = None
    #: A number given to the reporter before the case could be written (database outage).
    reference: str | None = None


def create_case(report: NewReport, *, actor: str = "reporter") -> Case:
    """Record a report as a case in status ``received``; referral picks it up after commit.

    The reporter's number is always kept (encrypted) so repeated reports can be counted and
    a status check can be tied to the phone, but it is only ever shown to a responder when
    ``callback_consent`` is true.

    Raises:
        CaseInputError: the council or ward does not exist, or the ward is in another council.
    """
    council = db.session.get(Council, report.council_id)
    if council is None:
        raise CaseInputError(f"unknown council {report.council_id!r}")
    if report.ward_id is not None:
        ward = db.session.get(Ward, report.ward_id)
        if ward is None or ward.council_id != council.id:
            raise CaseInputError(f"ward {report.ward_id!r} is not in council {council.id!r}")

    case = Case(
        reference=_reserved_or_new(report.reference),
        category=report.category,
        labour_kind=report.labour_kind,
        urgent=report.urgent,
        children=report.children,
        seen_when=report.seen_when,
        region_id=council.region_id,
        council_id=council.id,
        ward_id=report.ward_id,
        callback_consent=report.callback_consent,
        language=report.language,
        source=report.source,
        ussd_session_id=report.ussd_session_id,
        status=CaseStatus.RECEIVED,
    )
    case.landmark = report.landmark or None
    case.details = report.details or None
    case.reporter_phone = report.reporter_phone
    if report.reporter_phone:
        _flag_if_repeated(case)
    db.session.add(case)
    db.session.flush()
    record(case, "created", actor=actor, detail={"source": report.source.value,
                                                 "urgent": report.urgent})
    case_created.send(case)
    return case


def _reserved_or_new(reserved: str | None) -> str:
    """The reserved number if still free (a collision of two random 7-digit numbers is
    possible, though rare: then the case gets a new one and says so in the log)."""
    if reserved is not None and is_valid_reference(reserved) and not db.session.scalar(
            sa.select(Case.id).where(Case.reference == reserved)):
        return reserved
    if reserved is not None:
        log.error("reserved case number already taken; the case gets a new one")
    return _unused_reference()


#: Random numbers tried per query, and queries, before giving up. One query of 1 almost
#: always finds a free number; the wider rounds keep creation working as the 1,000,000 numbers
#: fill (99 % used: 2,049 candidates all taken has a chance below one in 10^8).
_ROUNDS = (1, 256, 256, 512, 1024)


def _unused_reference() -> str:
    for size in _ROUNDS:
        candidates = list(dict.fromkeys(new_reference() for _ in range(size)))
        taken = set(db.session.scalars(
            sa.select(Case.reference).where(Case.reference.in_(candidates))))
        for ref in candidates:
            if ref not in taken:
                return ref
    raise RuntimeError(f"no free case number among {sum(_ROUNDS)} random tries: the "
                       f"{CAPACITY:,} seven-digit numbers are nearly all used")


def _flag_if_repeated(case: Case) -> None:
    """Many reports from one phone in a day go to staff review; none is ever dropped."""
    limit = current_app.config["REPORTS_PER_PHONE_PER_DAY"]
    since = utcnow() - timedelta(days=1)
    count = db.session.scalar(
        sa.select(sa.func.count(Case.id)).where(
            Case.reporter_phone_hash == case.reporter_phone_hash, Case.created_at >= since
        )
    ) or 0
    if count >= limit:
        case.flagged_for_review = True
        case.flag_reason = f"report {count + 1} from this phone in 24 hours"
        case.held_at = utcnow()  # kept, never dropped, but no responder is woken for it


class NotHeldError(ValueError):
    """The case is not held for review, so there is nothing to release."""


def release_case(case: Case, *, actor: str) -> None:
    """Staff judged a held report genuine: it now goes to responders like any new case.

    Raises:
        NotHeldError: the case was not held.
    """
    if case.held_at is None:
        raise NotHeldError(f"case {case.reference} is not held for review")
    case.held_at = None
    record(case, "released", actor=actor)
    from app.staff.services import audit

    audit(actor, "cases.release", "case", case.id)
    case_released.send(case)


def record(case: Case, kind: str, *, actor: str = "system",
           detail: dict[str, Any] | None = None,
           from_status: CaseStatus | None = None,
           to_status: CaseStatus | None = None) -> CaseEventRecord:
    """Append a line to the case's timeline."""
    event = CaseEventRecord(
        case_id=case.id, kind=kind, actor=actor, detail=detail or {}, at=utcnow(),
        from_status=None if from_status is None else from_status.value,
        to_status=None if to_status is None else to_status.value,
    )
    db.session.add(event)
    return event


def lock_case(case_id: int) -> Case:
    """Load a case for update, freshly read, so two workers never move it at once."""
    return db.session.execute(
        sa.select(Case).where(Case.id == case_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def apply_event(case: Case, event: CaseEvent, *, actor: str = "system",
                detail: dict[str, Any] | None = None) -> bool:
    """Move ``case`` by ``event``; return whether its status changed.

    Raises:
        InvalidTransitionError: the event is not allowed from the current status.
    """
    old = case.status
    new = next_status(old, event)
    if new is old and event not in (CaseEvent.REFER, CaseEvent.ESCALATE):
        return False
    now = utcnow()
    case.status = new
    if new is CaseStatus.ACCEPTED and old is not CaseStatus.ACCEPTED:
        case.accepted_at = now
    if new is CaseStatus.CLOSED:
        case.closed_at = now
    record(case, event.value, actor=actor, detail=detail, from_status=old, to_status=new)
    if new is not old:
        case_status_changed.send(case, old=old, new=new, event=event)
    return new is not old


def find_by_reference(reference: str) -> Case | None:
    """The case with this number, or None; a number failing its check digit finds nothing."""
    if not is_valid_reference(reference):
        return None
    return db.session.scalar(sa.select(Case).where(Case.reference == reference))
