"""The directory read for matching: every responder's best point, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.gazetteer.cache import forget_cached_places
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import best_point
from app.referral.roles import ResponderRole
from app.referral.services import candidates
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    DSM,
    DSM_CC,
    KARIAKOO,
    KISUTU,
    PWANI,
    responder,
)

POLICE = (ResponderRole.POLICE_GCD,)


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def kisutu_point(app) -> Iterator[None]:
    """Kisutu with coordinates for one test; the gazetteer is kept between tests, so they
    are put back after it (a later `load_gazetteer` would otherwise find a changed row)."""
    ward = db.session.get_one(Ward, KISUTU)
    before = (ward.lat, ward.lon)
    ward.lat, ward.lon = -6.82, 39.28
    db.session.commit()
    forget_cached_places()  # as `linda gazetteer load` does after changing a place
    yield
    db.session.rollback()
    ward = db.session.get_one(Ward, KISUTU)
    ward.lat, ward.lon = before
    db.session.commit()
    forget_cached_places()


def test_each_responder_gets_the_most_precise_known_point(app, kisutu_point) -> None:
    people = [
        responder("police_gcd", ward=KARIAKOO),  # a ward without coordinates: its council's seat
        responder("police_gcd", ward=KISUTU),  # a ward with coordinates
        responder("police_gcd", council=None),  # region-wide
        responder("police_gcd", region=PWANI, council=BAGAMOYO),
        responder("police_gcd", ward=KARIAKOO, lat=-6.5, lon=39.1),  # their own point
        responder("social_welfare", ward=KARIAKOO),  # another role: not read
    ]
    db.session.expire_all()
    got = {c.id: c.point for c in candidates(POLICE)}
    assert set(got) == {r.id for r in people[:5]}
    for r in people[:4]:
        place = {"ward": db.session.get(Ward, r.ward_id) if r.ward_id else None,
                 "council": db.session.get(Council, r.council_id) if r.council_id else None,
                 "region": db.session.get(Region, r.region_id)}
        assert got[r.id] == best_point(**place)
        assert got[r.id] is not None
    assert got[people[1].id] == (-6.82, 39.28)
    assert got[people[0].id] != got[people[1].id]
    assert got[people[4].id] == (-6.5, 39.1)


def test_reading_the_directory_takes_the_same_queries_for_three_or_thirty(app) -> None:
    wards = list(db.session.scalars(sa.select(Ward.id).where(Ward.council_id == DSM_CC)))
    for ward in wards[:3]:
        responder("police_gcd", region=DSM, ward=ward)
    db.session.expire_all()
    forget_cached_places()  # both read the gazetteer cache afresh, whatever the clock says
    with statements() as few:
        assert len(candidates(POLICE)) == 3
    for ward in wards[3:30]:
        responder("police_gcd", region=DSM, ward=ward)
    db.session.expire_all()
    forget_cached_places()
    with statements() as many:
        assert len(candidates(POLICE)) == 3 + len(wards[3:30])
    assert len(wards) >= 30
    assert len(many) == len(few)
