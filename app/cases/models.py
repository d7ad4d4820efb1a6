"""A report about a child, and its append-only timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.status import CaseStatus
from app.cases.vocabulary import CaseCategory, CaseSource, ChildrenCount, LabourKind, SeenWhen
from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed


def _by_age(name: str, statuses: tuple[str, ...], *first: str) -> sa.Index:
    """The staff queue pages open cases by age; without these, finding the oldest open cases
    walks every closed case before them. Partial: closed cases (nearly all, in time) are not
    in them. ``first`` columns let a filtered queue (a category, an agent's region) start at
    its own cases instead of walking every unaccepted case by age to find a few."""
    where = sa.column("status").in_(statuses)
    return sa.Index(name, *first, "created_at", "id", postgresql_where=where, sqlite_where=where)


UNACCEPTED_STATUSES = ("received", "referred", "needs_attention")
#: Escalated cases: all of them need a person, whatever else the queue filters on.
ESCALATED = sa.column("status") == "needs_attention"
#: Unaccepted reports held for review (their phone passed the daily limit).
HELD = sa.and_(sa.column("flagged_for_review"), sa.column("status").in_(UNACCEPTED_STATUSES))


def _needing_person(name: str, where: sa.ColumnElement[bool], *first: str) -> sa.Index:
    """The queue's "needs a person" rows start from these small sets, so a filter that
    matches none of them (a category nobody escalated) costs an empty index range instead
    of a walk over every unaccepted case of that filter."""
    return sa.Index(name, *first, "created_at", "id", postgresql_where=where, sqlite_where=where)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        _by_age("ix_cases_open_by_age", ("received", "referred", "needs_attention", "accepted")),
        _by_age("ix_cases_unaccepted_by_age", UNACCEPTED_STATUSES),
        _by_age("ix_cases_unaccepted_by_category", UNACCEPTED_STATUSES, "category", "urgent"),
        _by_age("ix_cases_unaccepted_by_region", UNACCEPTED_STATUSES, "region_id", "urgent"),
        _needing_person("ix_cases_escalated_by_category", ESCALATED, "category", "urgent"),
        _needing_person("ix_cases_escalated_by_region", ESCALATED, "region_id", "urgent"),
        _needing_person("ix_cases_held_by_age", HELD),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(7), unique=True)
    status: Mapped[CaseStatus] = mapped_column(default=CaseStatus.RECEIVED, index=True)
    category: Mapped[CaseCategory]
    labour_kind: Mapped[LabourKind | None]
    urgent: Mapped[bool] = mapped_column(default=False)
    children: Mapped[ChildrenCount] = mapped_column(default=ChildrenCount.UNKNOWN)
    seen_when: Mapped[SeenWhen] = mapped_column(default=SeenWhen.NOW)
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    council_id: Mapped[str] = mapped_column(sa.ForeignKey("councils.id"), index=True)
    ward_id: Mapped[str | None] = mapped_column(sa.ForeignKey("wards.id"), index=True)
    landmark_enc: Mapped[str | None] = mapped_column(sa.Text)
    details_enc: Mapped[str | None] = mapped_column(sa.Text)
    callback_consent: Mapped[bool] = mapped_column(default=False)
    reporter_phone_enc: Mapped[str | None] = mapped_column(sa.Text)
    reporter_phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="sw")
    source: Mapped[CaseSource] = mapped_column(default=CaseSource.USSD)
    ussd_session_id: Mapped[str | None] = mapped_column(sa.String(128), unique=True)
    flagged_for_review: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Past the daily limit of its phone: kept, but sent to nobody until staff release it.
    held_at: Mapped[datetime | None] = mapped_column(index=True)
    lead_responder_id: Mapped[int | None] = mapped_column(index=True)
    outcome_enc: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    events: Mapped[list[CaseEventRecord]] = relationship(
        back_populates="case", order_by="CaseEventRecord.id"
    )

    # Personal data, sealed to this case's number (set the reference first); see app.privacy.
    landmark = Sealed("reference")
    details = Sealed("reference")
    outcome = Sealed("reference")
    reporter_phone = Sealed("reference", hash_to="reporter_phone_hash")


class CaseEventRecord(Base):
    """One line of a case's timeline. Rows are only ever added.

    ``detail`` is JSON without personal data: ids, statuses, counts, reasons chosen from lists.
    """

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Plain strings: one table may not carry two CHECK constraints named after one enum.
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str | None] = mapped_column(sa.String(32))
    actor: Mapped[str] = mapped_column(sa.String(40), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
