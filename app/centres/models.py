"""Protection centres, the responders who answer for them, and requests for a place."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base


class CentreKind(enum.StrEnum):
    SHELTER = "shelter"
    SAFE_HOUSE = "safe_house"
    ONE_STOP_CENTRE = "one_stop_centre"
    VOCATIONAL_CENTRE = "vocational_centre"


SERVICES = ("shelter", "medical", "psychosocial", "education", "vocational", "legal",
            "family_tracing")
TAKES = ("girls", "boys")


class Centre(Base):
    """A shelter, safe house, one-stop or vocational centre. ``taken`` counts children placed
    by Linda who have not left; free places are ``beds - taken``."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[CentreKind]
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    council_id: Mapped[str | None] = mapped_column(sa.ForeignKey("councils.id"), index=True)
    ward_id: Mapped[str | None] = mapped_column(sa.ForeignKey("wards.id"))
    services: Mapped[str] = mapped_column(sa.String(200))  # ";"-separated, SERVICES order
    takes: Mapped[str] = mapped_column(sa.String(16))  # "girls", "boys", "girls;boys", ""
    age_min: Mapped[int | None]  # None: not known yet, offered only for a child not described
    age_max: Mapped[int | None]
    beds: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def free(self) -> int:
        return max(self.beds - self.taken, 0)

    def offers(self, service: str) -> bool:
        return service in self.services.split(";")


class CentreContact(Base):
    """A responder (role ``shelter``) who answers placement requests for a centre."""

    __tablename__ = "centre_contacts"
    __table_args__ = (sa.UniqueConstraint("centre_id", "responder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("responders.id"), index=True)


class PlacementStatus(enum.StrEnum):
    OFFERED = "offered"  # the lead got a numbered list and has not chosen yet
    REQUESTED = "requested"  # a centre's contacts were asked; ``deadline_at`` runs
    ADMITTED = "admitted"  # the centre took the child; one place is taken
    DISCHARGED = "discharged"  # the child left; the place is free again
    EXHAUSTED = "exhausted"  # every centre refused or stayed silent; supervisors told
    CANCELLED = "cancelled"  # a newer request for the same case replaced it


#: Requests still moving; at most one per case.
OPEN_PLACEMENT = (PlacementStatus.OFFERED, PlacementStatus.REQUESTED)


class Placement(Base):
    """A lead's request for a place for the child of a case, from list to discharge.

    ``offered`` is the numbered list the lead saw (centre ids); once they chose, the centres
    are asked one at a time in ``queue`` order, each until ``deadline_at`` (a row, swept).
    """

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    requested_by: Mapped[int] = mapped_column(sa.ForeignKey("responders.id"))
    status: Mapped[PlacementStatus] = mapped_column(default=PlacementStatus.OFFERED, index=True)
    offered: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    queue: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)  # centres still to ask
    refused: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)  # asked, said no/silent
    centre_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centres.id"), index=True)
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    answered_by: Mapped[int | None]  # the contact who admitted
    admitted_at: Mapped[datetime | None]
    discharged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
