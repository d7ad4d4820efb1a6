"""Dashboard pages after the referral: centres (occupancy, placement by staff), follow-ups
(due, done, overdue, figures) and coordination messages (cost shown, then confirmed)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.broadcast.models import Broadcast
from app.centres.models import Placement, PlacementStatus
from app.extensions import db
from app.referral.roles import ResponderRole
from app.staff.models import AuditEntry
from tests.integration.centres.centre_helpers import accepted_case, centre, fresh_centre
from tests.integration.referral.referral_helpers import PWANI, responder, sms_to
from tests.integration.staff.helpers import post, sign_in


def test_centres_page_shows_occupancy_and_staff_can_place_and_record_answers(
        app, client, run_jobs) -> None:
    amani, contact = centre("Kituo cha Amani", beds=3, taken=1)
    case, lead = accepted_case(run_jobs)
    sign_in(app, client, "sup@example.org", "supervisor")
    page = client.get("/staff/centres/").get_data(as_text=True)
    assert re.search(r"Kituo cha Amani</td><td>nyumba salama|Kituo cha Amani</td><td>makazi",
                     page)
    assert "<td>3</td><td>1</td><td>2</td>" in page

    res = post(client, "/staff/centres/place", {"reference": case.reference,
                                                 "centre": str(amani.id)},
               page="/staff/centres/")
    assert res.status_code == 302 and "done=requested" in res.location
    run_jobs()
    assert f"POKEA {case.reference}" in sms_to(contact.phone)[-1].body
    placement = db.session.scalar(sa.select(Placement))
    post(client, f"/staff/centres/placements/{placement.id}/admit", {}, page="/staff/centres/")
    assert fresh_centre(amani).taken == 2
    assert db.session.scalar(sa.select(Placement.status)) is PlacementStatus.ADMITTED
    assert "imempokea" in sms_to(lead.phone)[-1].body
    post(client, f"/staff/centres/placements/{placement.id}/discharge", {},
         page="/staff/centres/")
    assert fresh_centre(amani).taken == 1
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"centres.view", "placement.request", "placement.admit",
            "placement.discharge"} <= actions


def test_followups_page_lists_checkins_and_figures(app, client, run_jobs) -> None:
    case, lead = accepted_case(run_jobs)
    from tests.integration.referral.referral_helpers import sms_in

    sms_in(lead.phone, f"MALIZA {case.reference} 1")
    run_jobs()
    sign_in(app, client, "sup@example.org", "supervisor")
    page = client.get("/staff/followups/").get_data(as_text=True)
    assert page.count(f">{case.reference}</a>") == 3
    assert 'data-status="scheduled"' in page and "<strong>3</strong>" in page
    story = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    assert "Ufuatiliaji umepangwa" in story  # the case page names the new timeline lines
    # By council: nothing done, overdue or worrying yet (zeros are shown, 1-4 would be <5).
    assert re.search(r"<tr><td>[^<]+</td><td>0</td><td>0</td><td>0</td></tr>", page)


def test_broadcast_page_shows_cost_before_sending_and_sends_on_confirm(app, client) -> None:
    responder(ResponderRole.SOCIAL_WELFARE)
    en = responder(ResponderRole.SOCIAL_WELFARE, region=PWANI, council=None, language="en")
    sign_in(app, client, "admin@example.org", "admin")
    form = {"role": "social_welfare", "region": ["TZ-02", PWANI], "councils": "",
            "text_sw": "Mafunzo Dodoma 12-14 Jan.", "text_en": "Training in Dodoma 12-14 Jan."}
    shown = post(client, "/staff/broadcasts/preview", form, page="/staff/broadcasts/")
    html = shown.get_data(as_text=True)
    assert 'data-recipients="2"' in html and 'data-segments="2"' in html
    assert db.session.scalar(sa.select(sa.func.count(Broadcast.id))) == 0
    sent = post(client, "/staff/broadcasts/send", {**form, "confirm": "yes"},
                page="/staff/broadcasts/")
    assert sent.status_code == 302
    assert [m.body for m in sms_to(en.phone, "broadcast")] == ["Training in Dodoma 12-14 Jan."]
    detail = client.get(sent.location).get_data(as_text=True)
    assert "queued: 2" in detail


def test_agents_see_centres_but_not_messages_or_followups(app, client) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("TZ-02",))
    assert client.get("/staff/centres/").status_code == 200
    assert client.get("/staff/broadcasts/").status_code == 403
    assert client.get("/staff/followups/").status_code == 403
