"""Dialling the USSD webhook in tests, and finding the keys that reach a place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.ussd.engine import paginate
from app.ussd.menu import graph
from app.ussd.screens import Item, Pick
from app.ussd.services import DbProvider

TOKEN = "test-token-0123456789abcdef"
PHONE = "+255712345678"
CODE = "*149*46#"


def dial(client: FlaskClient, text: str, session: str = "s-1", phone: str = PHONE,
         **fields: str) -> TestResponse:
    data = {"sessionId": session, "serviceCode": CODE, "phoneNumber": phone,
            "networkCode": "64002", "text": text, **fields}
    return client.post(f"/at/{TOKEN}/ussd", data=data)


def keys_for(items: Sequence[Item], target: str, screen: str) -> list[str]:
    """The keys a caller presses on the paginated list ``screen`` to pick ``target``."""
    pick = graph().screens[screen]
    assert isinstance(pick, Pick)
    for n, page in enumerate(paginate([i.label for i in items], pick.budget)):
        for k, index in enumerate(page, 1):
            if items[index].id == target:
                return ["9"] * n + [str(k)]
    raise LookupError(target)


@dataclass(frozen=True)
class Place:
    region: Region
    council: Council
    ward: Ward
    keys: list[str]  # region, council and ward choices


def find_place() -> Place:
    """A ward on a later list page of its council (so paging is exercised), with its keys."""
    provider = DbProvider()
    council = db.session.scalar(
        sa.select(Council).join(Ward).group_by(Council.id)
        .order_by(sa.func.count(Ward.id).desc(), Council.id).limit(1))
    assert council is not None, "the gazetteer is not loaded"
    region = db.session.get(Region, council.region_id)
    assert region is not None
    wards = provider.items("wards", council.id)
    ward = db.session.get(Ward, wards[-1].id)
    assert ward is not None
    keys = (keys_for(provider.items("regions", None), region.id, "report.region")
            + keys_for(provider.items("councils", region.id), council.id, "report.council")
            + keys_for(wards, ward.id, "report.ward"))
    return Place(region, council, ward, keys)
