"""What the queue shows: the cases needing a human first, then the rest by age.

Both parts are plain indexed queries: the attention part only ever looks at unaccepted open
cases (few, whatever the size of the table), and the rest is paged by keyset on
``(created_at, id)``, so a page costs the same on the first day and on the millionth case.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from app.cases.models import Case, CaseCategory
from app.cases.status import CaseStatus
from app.extensions import db
from app.gazetteer.cache import Places, cached_places
from app.gazetteer.models import Council, Region
from app.gazetteer.names import council_label_of
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
from app.staff.models import StaffRole, StaffUser

PAGE_SIZE = 50
ATTENTION_LIMIT = 50
UNACCEPTED = (CaseStatus.RECEIVED, CaseStatus.REFERRED, CaseStatus.NEEDS_ATTENTION)
OPEN = (*UNACCEPTED, CaseStatus.ACCEPTED)
#: Status filter choices: a status, "open" (default) or "all".
STATUS_CHOICES = ("open", *(s.value for s in CaseStatus), "all")


class FilterError(ValueError):
    """A filter value is not one the page offers; the message names it."""


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    urgency: str = ""  # "", "urgent", "normal"
    category: str = ""
    region: str = ""
    council: str = ""
    date_from: date | None = None
    date_to: date | None = None
    after: str = ""  # keyset cursor

    @classmethod
    def parse(cls, args: Any) -> QueueFilters:
        """From query arguments.

        Raises:
            FilterError: a value is not one of the choices or not a date.
        """
        status = args.get("status", "") or "open"
        if status not in STATUS_CHOICES:
            raise FilterError(f"status={status!r}")
        urgency = args.get("urgency", "")
        if urgency not in ("", "urgent", "normal"):
            raise FilterError(f"urgency={urgency!r}")
        category = args.get("category", "")
        if category and category not in {c.value for c in CaseCategory}:
            raise FilterError(f"category={category!r}")
        return cls(status=status, urgency=urgency, category=category,
                   region=args.get("region", "")[:8], council=args.get("council", "")[:16],
                   date_from=_date(args, "from"), date_to=_date(args, "to"),
                   after=args.get("after", "")[:80])

    def query_args(self, **changes: Any) -> dict[str, str]:
        values = {"status": self.status, "urgency": self.urgency, "category": self.category,
                  "region": self.region, "council": self.council,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "after": self.after}
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "status" and v == "open")}

    @property
    def newest_first(self) -> bool:
        return self.status in ("closed", "all")


def _date(args: Any, name: str) -> date | None:
    raw = args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class QueueRow:
    case: Case
    place: str
    attention: list[str] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)  # (name, alert status)
    lead: str | None = None


@dataclass
class QueuePage:
    attention: list[QueueRow]
    rest: list[QueueRow]
    next_after: str | None


def scoped(query: sa.Select[Any], user: StaffUser) -> sa.Select[Any]:
    """An agent only ever sees the cases of their regions."""
    if user.role is StaffRole.AGENT:
        return query.where(Case.region_id.in_(user.region_ids or {""}))
    return query


def _filtered(query: sa.Select[Any], f: QueueFilters, *, attention: bool = False
              ) -> sa.Select[Any]:
    if attention and f.status in ("open", "all"):
        # Unaccepted cases are open: a second, overlapping status list would only make the
        # planner think the rows are fewer than they are and pick a slower plan.
        query = query.where(Case.status.in_(UNACCEPTED))
    elif f.status == "open":
        query = query.where(Case.status.in_(OPEN))
    elif f.status != "all":
        query = query.where(Case.status == CaseStatus(f.status))
    if f.urgency:
        query = query.where(Case.urgent.is_(f.urgency == "urgent"))
    if f.category:
        query = query.where(Case.category == CaseCategory(f.category))
    if f.region:
        query = query.where(Case.region_id == f.region)
    if f.council:
        query = query.where(Case.council_id == f.council)
    if f.date_from:
        query = query.where(Case.created_at >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        end = datetime.combine(f.date_to, time(), UTC) + timedelta(days=1)
        query = query.where(Case.created_at < end)
    return query


def _failed_alert() -> sa.ColumnElement[bool]:
    return sa.select(Alert.id).where(Alert.case_id == Case.id,
                                     Alert.status == AlertStatus.FAILED).exists()


def needs_human() -> sa.ColumnElement[bool]:
    """Unaccepted open cases that are urgent, escalated, held for review or failing."""
    return sa.and_(Case.status.in_(UNACCEPTED), sa.or_(
        Case.urgent.is_(True), Case.status == CaseStatus.NEEDS_ATTENTION,
        Case.flagged_for_review.is_(True), _failed_alert()))


def _attention(base: sa.Select[Any], f: QueueFilters, user: StaffUser) -> list[Case]:
    """Urgent unaccepted cases first, then the other cases needing a person, oldest first.

    Two simple queries rather than one ``ORDER BY urgent``: the urgent one walks the partial
    index of unaccepted cases by age and stops at the limit; the other starts from the small
    sets that make a case need a person (see `_others_needing_person`).
    """
    by_age = (Case.created_at, Case.id)
    urgent = list(db.session.scalars(
        base.where(Case.urgent.is_(True)).order_by(*by_age).limit(ATTENTION_LIMIT)))
    if len(urgent) >= ATTENTION_LIMIT:
        return urgent
    limit = ATTENTION_LIMIT - len(urgent)
    others = db.session.scalars(
        base.where(Case.id.in_(_others_needing_person(f, user, limit)))
        .order_by(*by_age).limit(limit))
    return [*urgent, *others]


def _others_needing_person(f: QueueFilters, user: StaffUser, limit: int) -> sa.CompoundSelect:
    """Ids of the oldest non-urgent cases of the queue that `needs_human` holds for, at most
    ``limit`` per reason: escalated, held for review, an alert that failed.

    Testing `needs_human` row by row walked every unaccepted case of a filter (a category)
    when few needed a person; each part here starts from its own small set (the escalated
    and held partial indexes, failed alerts by status), so an empty part costs nothing. The
    escalated part says only ``status = 'needs_attention'``: with the unaccepted list as
    well, the planner takes the escalated cases for ten times fewer than they are and reads
    all of them instead of walking a region's by age.
    """
    def ids(g: QueueFilters) -> sa.Select[Any]:
        query = _filtered(sa.select(Case.id, Case.created_at), g, attention=True)
        return scoped(query, user).where(Case.urgent.is_(False))

    failed = sa.select(Alert.case_id).where(Alert.status == AlertStatus.FAILED)
    parts = [ids(f).where(Case.flagged_for_review == sa.true()), ids(f).where(Case.id.in_(failed))]
    escalated = CaseStatus.NEEDS_ATTENTION.value
    if f.status in ("open", "all", escalated):
        parts.append(ids(replace(f, status=escalated)))
    by_age = (Case.created_at, Case.id)
    limited = [part.order_by(*by_age).limit(limit).subquery() for part in parts]
    return sa.union(*(sa.select(sub.c.id) for sub in limited))


def encode_cursor(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises: FilterError: the cursor was not made by this page."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, case_id = raw.split("|")
        return datetime.fromisoformat(at), int(case_id)
    except (ValueError, UnicodeDecodeError):
        raise FilterError("after= is not a page cursor") from None


def queue_page(user: StaffUser, f: QueueFilters) -> QueuePage:
    base = scoped(_filtered(sa.select(Case), f), user)
    attention: list[Case] = []
    if not f.after and f.status in ("open", "all", *(s.value for s in UNACCEPTED)):
        attention = _attention(scoped(_filtered(sa.select(Case), f, attention=True), user),
                               f, user)
    if f.status == CaseStatus.NEEDS_ATTENTION.value and not f.after:
        # Every escalated case needs a person: the rest of the queue is empty by definition,
        # and looking for it would walk every escalated case.
        rows = describe(attention)
        return QueuePage(attention=rows, rest=[], next_after=None)
    rest_q = base.where(sa.not_(needs_human()))
    key = sa.tuple_(Case.created_at, Case.id)
    if f.after:
        at, case_id = decode_cursor(f.after)
        rest_q = rest_q.where(key < sa.tuple_(sa.literal(at, Case.created_at.type),
                                              sa.literal(case_id)) if f.newest_first
                              else key > sa.tuple_(sa.literal(at, Case.created_at.type),
                                                   sa.literal(case_id)))
    order = ((Case.created_at.desc(), Case.id.desc()) if f.newest_first
             else (Case.created_at, Case.id))
    rest = list(db.session.scalars(rest_q.order_by(*order).limit(PAGE_SIZE + 1)))
    next_after = encode_cursor(rest[PAGE_SIZE - 1]) if len(rest) > PAGE_SIZE else None
    rows = describe([*attention, *rest[:PAGE_SIZE]])
    return QueuePage(attention=rows[:len(attention)], rest=rows[len(attention):],
                     next_after=next_after)


def describe(cases: list[Case]) -> list[QueueRow]:
    """Place, who was asked and who answered, for a page of cases in three queries."""
    if not cases:
        return []
    ids = [c.id for c in cases]
    places = _places(cases)
    alerts: dict[int, list[tuple[str, str]]] = {}
    failed: set[int] = set()
    names: dict[int, str] = {}
    for case_id, rid, name, status in db.session.execute(
            sa.select(Alert.case_id, Alert.responder_id, Responder.name, Alert.status)
            .join(Responder, Responder.id == Alert.responder_id)
            .where(Alert.case_id.in_(ids)).order_by(Alert.id)):
        alerts.setdefault(case_id, []).append((name, status.value))
        names[rid] = name
        if status is AlertStatus.FAILED:
            failed.add(case_id)
    rows = []
    for case in cases:
        reasons = []
        if case.status in UNACCEPTED:
            if case.status is CaseStatus.NEEDS_ATTENTION:
                reasons.append("needs_attention")
            if case.urgent:
                reasons.append("urgent")
            if case.flagged_for_review:
                reasons.append("held")
            if case.id in failed:
                reasons.append("failed")
        rows.append(QueueRow(case=case, place=places.get(case.id, ""), attention=reasons,
                             asked=alerts.get(case.id, []),
                             lead=names.get(case.lead_responder_id or -1)))
    return rows


def _places(cases: list[Case]) -> dict[int, str]:
    """Place labels from the process's copy of the gazetteer: no query per page."""
    names = _place_names(cached_places())
    out = {}
    for case in cases:
        parts = [names.get(case.ward_id, "")] if case.ward_id else []
        parts.append(names.get(case.council_id, case.council_id))
        parts.append(names.get(case.region_id, case.region_id))
        out[case.id] = ", ".join(p for p in parts if p)
    return out


@lru_cache(maxsize=4)
def _place_names(places: Places) -> dict[str, str]:
    """Region, council (as people read it) and ward labels by id, for one gazetteer copy."""
    names = {r.id: r.label for r in places.regions}
    for group in (places.councils, places.wards):
        names.update({item.id: item.label for items in group.values() for item in items})
    return names


def region_choices(user: StaffUser) -> list[tuple[str, str]]:
    query = sa.select(Region.id, Region.name).order_by(Region.name)
    if user.role is StaffRole.AGENT:
        query = query.where(Region.id.in_(user.region_ids or {""}))
    return [(rid, name) for rid, name in db.session.execute(query)]


def council_choices(user: StaffUser, region_id: str) -> list[tuple[str, str]]:
    if not region_id or (user.role is StaffRole.AGENT and region_id not in user.region_ids):
        return []
    return [(c.id, council_label_of(c.name, c.council_type, c.known_as))
            for c in db.session.scalars(sa.select(Council).where(Council.region_id == region_id)
                                        .order_by(Council.name))]
