"""Helpers for centre and follow-up tests: a centre with a confirmed contact, an accepted case."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.models import Case
from app.centres.models import Centre, CentreContact, CentreKind
from app.extensions import db
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from tests.integration.referral.referral_helpers import (
    DSM,
    DSM_CC,
    KARIAKOO,
    report,
    responder,
    sms_in,
)


def centre(name: str, *, beds: int = 5, taken: int = 0, region: str = DSM,
           council: str | None = DSM_CC, ward: str | None = None, takes: str = "girls;boys",
           ages: tuple[int, int] = (6, 17), services: str = "shelter;psychosocial",
           contact: Responder | None = None, language: str = "sw") -> tuple[Centre, Responder]:
    """A centre (committed) with one confirmed, on-duty contact."""
    c = Centre(name=name, kind=CentreKind.SHELTER, region_id=region, council_id=council,
               ward_id=ward, services=services, takes=takes, age_min=ages[0],
               age_max=ages[1], beds=beds, taken=taken)
    db.session.add(c)
    db.session.flush()
    who = contact or responder(ResponderRole.SHELTER, region=region, council=council,
                               ward=ward, language=language, name=f"contact {name}")
    db.session.add(CentreContact(centre_id=c.id, responder_id=who.id))
    db.session.commit()
    return c, who


def accepted_case(run_jobs, *, lead_role: ResponderRole = ResponderRole.POLICE_GCD,
                  language: str = "sw") -> tuple[Case, Responder]:
    """A report in Kariakoo accepted by a police desk there (the lead)."""
    lead = responder(lead_role, ward=KARIAKOO, language=language, name="lead")
    case = report()
    run_jobs()
    sms_in(lead.phone, f"KUBALI {case.reference}")
    run_jobs()
    db.session.expire_all()
    case = db.session.get_one(Case, case.id)
    assert case.lead_responder_id == lead.id
    return case, lead


def fresh_centre(c: Centre) -> Centre:
    db.session.expire_all()
    return db.session.scalar(sa.select(Centre).where(Centre.id == c.id))
