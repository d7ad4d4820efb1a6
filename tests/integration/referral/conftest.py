"""Fixtures for referral tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from referral_helpers import (
    BAGAMOYO,
    BAGAMOYO_KISUTU,
    DSM,
    DSM_CC,
    KARIAKOO,
    KISUTU,
    MCHIKICHINI,
    PWANI,
    TEMEKE,
)

from app.extensions import db


@pytest.fixture
def later() -> Callable[[datetime], Any]:
    """Return ``travel(at)``: a context manager freezing the clock at ``at``."""
    import time_machine

    def travel(at: datetime) -> Any:
        return time_machine.travel(at, tick=False)

    return travel


@pytest.fixture(autouse=True)
def _places(app: Any) -> None:
    """The places these tests use, when the session did not load the full gazetteer."""
    from app.gazetteer.models import Council, Region, Ward

    if db.session.get(Region, DSM) is not None:
        return
    db.session.add_all([
        Region(id=DSM, name="Dar es Salaam", lat=-6.8, lon=39.28),
        Region(id=PWANI, name="Pwani", lat=-7.3, lon=38.8),
    ])
    db.session.flush()
    db.session.add_all([
        Council(id=DSM_CC, region_id=DSM, name="Dar Es Salaam", council_type="city_council",
                lat=-6.82349, lon=39.26951),
        Council(id=TEMEKE, region_id=DSM, name="Temeke", council_type="municipal_council"),
        Council(id=BAGAMOYO, region_id=PWANI, name="Bagamoyo", council_type="district_council",
                lat=-6.44222, lon=38.90422),
    ])
    db.session.flush()
    db.session.add_all([
        Ward(id=KARIAKOO, council_id=DSM_CC, name="Kariakoo", search_key="kariakoo"),
        Ward(id=KISUTU, council_id=DSM_CC, name="Kisutu", search_key="kisutu"),
        Ward(id=MCHIKICHINI, council_id=DSM_CC, name="Mchikichini", search_key="mchikichini"),
        Ward(id=BAGAMOYO_KISUTU, council_id=BAGAMOYO, name="Kisutu", search_key="kisutu"),
    ])
    db.session.commit()
