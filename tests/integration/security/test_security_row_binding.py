"""Finding 7: a responder's sealed number is bound to its row, like every other sealed value.

Swapping ``phone_enc`` and ``phone_hash`` between two responders (a careless or malicious
UPDATE) must not make one's alerts go to the other's phone: reading fails instead.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.privacy import DecryptionError
from app.referral.models import Responder
from tests.integration.referral.referral_helpers import KARIAKOO, responder


def test_swapped_responder_numbers_fail_to_open(app) -> None:
    amina = responder("police_gcd", ward=KARIAKOO, phone="+255712000001")
    juma = responder("social_welfare", phone="+255712000002")
    rows = {r.id: (r.phone_enc, r.phone_hash) for r in (amina, juma)}
    table = Responder.__table__
    for mine, theirs in ((amina.id, juma.id), (juma.id, amina.id)):
        enc, _ = rows[theirs]
        db.session.execute(sa.update(table).where(table.c.id == mine)
                           .values(phone_enc=enc, phone_hash=f"tmp{mine}"))
    for mine, theirs in ((amina.id, juma.id), (juma.id, amina.id)):
        db.session.execute(sa.update(table).where(table.c.id == mine)
                           .values(phone_hash=rows[theirs][1]))
    db.session.commit()
    db.session.expire_all()
    for who in (amina, juma):
        with pytest.raises(DecryptionError):
            _ = db.session.get_one(Responder, who.id).phone


def test_a_changed_number_still_opens_on_its_own_row(app) -> None:
    amina = responder("police_gcd", ward=KARIAKOO, phone="+255712000001")
    amina.phone = "+255712000009"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get_one(Responder, amina.id).phone == "+255712000009"
