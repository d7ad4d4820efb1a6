"""Placement by SMS: the lead asks, picks a number, the centre admits or refuses, moves on."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.cases.models import CaseEventRecord
from app.centres.models import Placement, PlacementStatus
from app.extensions import db
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length
from app.referral.roles import ResponderRole
from tests.integration.centres.centre_helpers import accepted_case, centre, fresh_centre
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    PWANI,
    responder,
    sms_in,
    sms_to,
)


def test_lead_gets_nearest_centres_with_free_places_and_the_chosen_one_admits(
        app, run_jobs) -> None:
    near, near_contact = centre("Kituo cha Amani", beds=3)
    _far, _ = centre("Bagamoyo Safe House", region=PWANI, council=BAGAMOYO)
    _full, _ = centre("Kituo Kilichojaa", beds=2, taken=2)
    case, lead = accepted_case(run_jobs)

    sms_in(lead.phone, f"MAHALI {case.reference}")
    run_jobs()
    offer = sms_to(lead.phone)[-1].body
    assert offer.startswith(f"Linda {case.reference}: vituo vyenye nafasi")
    assert "1 Kituo cha Amani (3)" in offer and "2 Bagamoyo Safe House (5)" in offer
    assert "Kilichojaa" not in offer  # no free place
    assert gsm7_length(offer) <= SMS_SINGLE_LIMIT

    sms_in(lead.phone, f"MAHALI {case.reference} 1")
    run_jobs()
    assert "Kituo cha Amani" in sms_to(lead.phone)[-1].body
    request = sms_to(near_contact.phone)[-1].body
    assert f"POKEA {case.reference}" in request and lead.phone in request

    sms_in(near_contact.phone, f"POKEA {case.reference}")
    run_jobs()
    assert fresh_centre(near).taken == 1
    assert "Nafasi zilizobaki: 2" in sms_to(near_contact.phone)[-1].body
    assert f"MALIZA {case.reference} 2" in sms_to(lead.phone)[-1].body
    placement = db.session.scalar(sa.select(Placement))
    assert placement.status is PlacementStatus.ADMITTED and placement.centre_id == near.id

    sms_in(near_contact.phone, f"TOKA {case.reference}")
    run_jobs()
    assert fresh_centre(near).taken == 0
    kinds = [e.kind for e in db.session.scalars(sa.select(CaseEventRecord).where(
        CaseEventRecord.case_id == case.id))]
    assert {"placement_offered", "placement_requested", "placement_admitted",
            "placement_discharged"} <= set(kinds)


def test_refusal_and_silence_move_to_the_next_centre_then_to_supervisors(
        app, run_jobs, later) -> None:
    first, first_contact = centre("Kituo A")
    second, second_contact = centre("Kituo B")
    sup = responder(ResponderRole.HOTLINE_SUPERVISOR, council=None)
    case, lead = accepted_case(run_jobs)
    sms_in(lead.phone, f"PLACE {case.reference}")
    sms_in(lead.phone, f"PLACE {case.reference} 1")
    run_jobs()

    sms_in(first_contact.phone, f"KATAA {case.reference} hakuna nafasi")
    run_jobs()
    assert "Umekataa" in sms_to(first_contact.phone)[-1].body
    assert f"POKEA {case.reference}" in sms_to(second_contact.phone)[-1].body
    assert "Kituo B" in sms_to(lead.phone)[-1].body

    placement = db.session.scalar(sa.select(Placement))
    with later(placement.deadline_at + timedelta(seconds=5)):
        from app.worker.reconcile import reconcile

        reconcile()
        run_jobs()
    db.session.expire_all()
    placement = db.session.scalar(sa.select(Placement))
    assert placement.status is PlacementStatus.EXHAUSTED
    assert placement.refused == [first.id, second.id]
    assert "hakuna kituo kilichokubali" in sms_to(sup.phone)[-1].body
    assert "hakuna kituo kilichompokea" in sms_to(lead.phone)[-1].body
    assert fresh_centre(first).taken == 0 and fresh_centre(second).taken == 0


def test_only_the_lead_may_ask_and_a_bad_number_is_explained(app, run_jobs) -> None:
    centre("Kituo A")
    case, lead = accepted_case(run_jobs)
    other = responder(ResponderRole.SOCIAL_WELFARE)
    sms_in(other.phone, f"MAHALI {case.reference}")
    sms_in(lead.phone, f"MAHALI {case.reference} 1")
    sms_in(lead.phone, f"MAHALI {case.reference}")
    sms_in(lead.phone, f"MAHALI {case.reference} 9")
    run_jobs()
    assert "kiongozi wa kesi" in sms_to(other.phone)[-1].body
    replies = [m.body for m in sms_to(lead.phone, "reply")]
    assert "Kwanza tuma MAHALI" in replies[-3]
    assert "Chagua namba kati ya 1 na 1" in replies[-1]


def test_a_decline_from_a_centre_contact_without_a_request_is_a_normal_decline(
        app, run_jobs) -> None:
    _, contact = centre("Kituo A")
    case, lead = accepted_case(run_jobs)
    sms_in(contact.phone, f"KATAA {case.reference}")
    run_jobs()
    # the same answer as for an unknown reference (no oracle), in the contact's Swahili
    assert sms_to(contact.phone)[-1].body.startswith(
        f"Kesi {case.reference} si mojawapo ya kesi zako zilizo wazi")
    assert db.session.scalar(sa.select(Placement)) is None
    db.session.expire_all()
    assert db.session.get_one(type(case), case.id).lead_responder_id == lead.id
