"""``/staff/responders/``: the directory as staff use it, role by role, audited."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert, ReferralWave, Responder
from app.referral.status import AlertStatus
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import report, responder, sms_to
from tests.integration.referral.test_referral_directory import GOOD
from tests.integration.staff.helpers import csrf, sign_in

FORM = {"name": "Insp. Rehema", "phone": "0713 000 201", "role": "police_gcd",
        "region": "Dar es Salaam", "council": "Ilala", "ward": "Kariakoo", "languages": "sw",
        "on_duty": "yes", "lat": "", "lon": ""}


def actions() -> list[str]:
    db.session.expire_all()
    return [e.action for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.actor.like("staff:%")).order_by(AuditEntry.id))]


def test_admin_adds_a_responder_who_gets_one_confirmation_sms(app: Flask,
                                                              client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    token = csrf(client, "/staff/responders/new")
    res = client.post("/staff/responders/new", data={"csrf_token": token, **FORM})
    assert res.status_code == 302
    (added,) = db.session.scalars(sa.select(Responder)).all()
    assert (added.phone, added.ward_id, added.confirmed) == ("+255713000201", "W01116", False)
    assert len(sms_to(added.phone, "confirm")) == 1
    assert "responder.create" in actions()

    again = client.post("/staff/responders/new", data={"csrf_token": token, **FORM})
    assert again.status_code == 400
    assert "already belongs to Insp. Rehema" in again.get_data(as_text=True)
    bad = client.post("/staff/responders/new", data={"csrf_token": token, **FORM,
                                                     "phone": "12", "name": "X"})
    assert bad.status_code == 400 and "not a Tanzanian phone number" in bad.get_data(
        as_text=True)


def test_editing_the_number_asks_the_new_number_to_confirm(app: Flask,
                                                           client: FlaskClient) -> None:
    r = responder("police_gcd", name="Insp. Old")
    sign_in(app, client, "admin@example.org", "admin")
    page = client.get(f"/staff/responders/{r.id}/edit").get_data(as_text=True)
    assert r.phone in page  # the full number, for the admin editing it (audited look)
    token = csrf(client, f"/staff/responders/{r.id}/edit")
    res = client.post(f"/staff/responders/{r.id}/edit",
                      data={"csrf_token": token, **FORM, "name": "Insp. New"})
    assert res.status_code == 302
    db.session.expire_all()
    r = db.session.get_one(Responder, r.id)
    assert (r.name, r.phone, r.confirmed) == ("Insp. New", "+255713000201", False)
    assert len(sms_to("+255713000201", "confirm")) == 1
    assert actions()[-2:] == ["responder.view", "responder.update"]


def test_supervisors_search_toggle_duty_and_resend_but_cannot_add(app: Flask,
                                                                  client: FlaskClient) -> None:
    on = responder("police_gcd", name="Amina Duty")
    responder("social_welfare", name="Juma Other")
    new = responder("ward_executive", name="Neema New", confirmed=False)
    sign_in(app, client, "sup@example.org", "supervisor")
    html = client.get("/staff/responders/?q=amina").get_data(as_text=True)
    assert "Amina Duty" in html and "Juma Other" not in html
    assert on.phone not in html and on.phone[-2:] in html  # masked in lists
    assert "Amina Duty" in client.get(f"/staff/responders/?q={on.phone}").get_data(
        as_text=True)

    token = csrf(client, "/staff/responders/")
    client.post(f"/staff/responders/{on.id}/duty", data={"csrf_token": token, "on_duty": "no"})
    db.session.expire_all()
    assert db.session.get_one(Responder, on.id).on_duty is False
    client.post(f"/staff/responders/{new.id}/confirm", data={"csrf_token": token})
    assert len(sms_to(new.phone, "confirm")) == 1
    assert {"responder.off_duty", "responder.resend_confirmation"} <= set(actions())

    assert client.get("/staff/responders/new").status_code == 403
    assert client.post("/staff/responders/import", data={"csrf_token": token}).status_code == 403


def test_figures_show_open_cases_acceptance_and_failing_numbers(app: Flask,
                                                                client: FlaskClient) -> None:
    lead = responder("police_gcd", name="Insp. Lead")
    failing = responder("social_welfare", name="Afisa Failing")
    case = report()
    case.lead_responder_id, case.status = lead.id, "accepted"
    wave = ReferralWave(case_id=case.id, number=1, step=1, roles=["police_gcd"], size=1,
                        reach="region", deadline_at=utcnow())
    db.session.add(wave)
    db.session.flush()
    db.session.add(Alert(case_id=case.id, responder_id=lead.id, wave_id=wave.id,
                         status=AlertStatus.ACCEPTED, deadline_at=utcnow(),
                         created_at=utcnow() - timedelta(minutes=6), responded_at=utcnow()))
    db.session.add(OutboundSms.compose(failing.phone, "x", status=SmsStatus.FAILED,
                                       failure_reason="Failed: AbsentSubscriber"))
    db.session.commit()
    sign_in(app, client, "admin@example.org", "admin")
    html = client.get("/staff/responders/").get_data(as_text=True)
    lead_row = html.split("Insp. Lead")[1].split("</tr>")[0]
    assert "100% (1/1)" in lead_row and "dak 6" in lead_row
    failing_row = html.split("Afisa Failing")[1].split("</tr>")[0]
    assert "AbsentSubscriber" in failing_row and "badge failed" in failing_row


def test_import_from_the_page_is_all_or_nothing_with_line_numbers(app: Flask,
                                                                  client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    token = csrf(client, "/staff/responders/import")
    bad = GOOD + "Bad Row,0713000104,wizard,Dar es Salaam,Ilala,,sw,yes\n"
    res = client.post("/staff/responders/import", data={
        "csrf_token": token, "file": (io.BytesIO(bad.encode()), "r.csv")})
    assert res.status_code == 400
    assert "line 5: unknown role" in res.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Responder.id))) == 0

    res = client.post("/staff/responders/import", data={
        "csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "r.csv")})
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    assert "Wameongezwa 3" in html  # Swahili first
    assert db.session.scalar(sa.select(sa.func.count(Responder.id))) == 3


def test_export_imports_back_unchanged_and_is_audited(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    token = csrf(client, "/staff/responders/import")
    client.post("/staff/responders/import", data={
        "csrf_token": token, "file": (io.BytesIO(GOOD.encode()), "r.csv")})
    exported = client.get("/staff/responders/export.csv")
    assert exported.mimetype == "text/csv"
    assert "+255713000101" in exported.get_data(as_text=True)
    assert actions()[-1] == "responders.export"
    res = client.post("/staff/responders/import", data={
        "csrf_token": token, "file": (io.BytesIO(exported.get_data()), "back.csv")})
    assert "hawajabadilika 3" in res.get_data(as_text=True)


def test_agents_and_viewers_have_no_responder_pages(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("TZ-02",))
    for path in ("/staff/responders/", "/staff/responders/export.csv", "/staff/responders/new"):
        assert client.get(path).status_code == 403
    other = app.test_client()
    sign_in(app, other, "viewer@example.org", "viewer")
    assert other.get("/staff/responders/").status_code == 403
