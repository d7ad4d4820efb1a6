"""Tanzania's administrative units (NBS 2022 census): region → council → ward."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Base


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # ISO 3166-2, e.g. TZ-02
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # NBS census p-code (TZ01 = Dodoma…): a different scheme from the ISO id, never mix them.
    pcode: Mapped[str | None] = mapped_column(sa.String(8))
    # Other names people use for the region ("Coast", "DSM"), "|"-separated; lookups accept them.
    alt_names: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")

    councils: Mapped[list[Council]] = relationship(back_populates="region", order_by="Council.name")


class Council(Base):
    __tablename__ = "councils"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # e.g. TZ-03-C001
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    council_type: Mapped[str] = mapped_column(sa.String(32))  # district_council, town_council…
    lat: Mapped[float | None]  # approximate council seat (GeoNames town), None when unknown
    lon: Mapped[float | None]
    # The everyday name when it differs from the official one ("Ilala" for Dar es Salaam CC).
    known_as: Mapped[str | None] = mapped_column(sa.String(64))

    region: Mapped[Region] = relationship(back_populates="councils")
    wards: Mapped[list[Ward]] = relationship(back_populates="council", order_by="Ward.name")


class Ward(Base):
    __tablename__ = "wards"

    id: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # e.g. W00001
    council_id: Mapped[str] = mapped_column(sa.ForeignKey("councils.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    search_key: Mapped[str] = mapped_column(sa.String(64), index=True)  # folded name
    lat: Mapped[float | None]
    lon: Mapped[float | None]

    council: Mapped[Council] = relationship(back_populates="wards")


class GazetteerVersion(Base):
    """One row whose ``version`` grows whenever ``linda gazetteer load`` changes a place.

    Web processes keep the places in memory (they change once a census) and compare this
    stamp, at most every few seconds, to know when to read them again.
    """

    __tablename__ = "gazetteer_versions"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
