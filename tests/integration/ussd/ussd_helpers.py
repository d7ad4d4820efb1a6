"""Dialling the USSD webhook in tests, and finding the keys that reach a place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.ussd.engine import keys_to_item
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
    """The keys a caller presses on the list ``screen`` to pick ``target``: its number, or
    its range on the index and then its number."""
    pick = graph().screens[screen]
    assert isinstance(pick, Pick)
    return keys_to_item(pick, items, target)


def place_keys(region: str, council: str, ward: str | None = None) -> list[str]:
    """From the place question, without typing: the region's range and number (the place
    question shows the regions' index), the council's number, the ward's range and number
    (or "8", don't know)."""
    provider = DbProvider()
    keys = (keys_for(provider.items("regions", None), region, "report.region")
            + keys_for(provider.items("councils", region), council, "report.council"))
    if ward is None:
        return [*keys, "8"]
    return keys + keys_for(provider.items("wards", council), ward, "report.ward")


@dataclass(frozen=True)
class Place:
    region: Region
    council: Council
    ward: Ward
    keys: list[str]  # from the place question: region, council and ward choices


def find_place() -> Place:
    """The last ward of the longest council (so its index is used), with its keys."""
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
    return Place(region, council, ward, place_keys(region.id, council.id, ward.id))
