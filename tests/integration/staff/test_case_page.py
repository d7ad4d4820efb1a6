"""The case page and staff actions: timeline, alerts, reveal with a reason, every action audited."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert
from app.referral.status import AlertStatus
from app.staff.models import AuditEntry, StaffNote
from tests.integration.referral.referral_helpers import (
    REPORTER,
    fresh,
    report,
    responder,
    sms_in,
    sms_to,
)
from tests.integration.staff.helpers import post, sign_in


def audited(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def timeline_kinds(html: str) -> list[str]:
    return re.findall(r'<li data-kind="([a-z_]+)"', html)


def act(client: FlaskClient, case, action: str, **data: str):  # type: ignore[no-untyped-def]
    return post(client, f"/staff/cases/{case.reference}/{action}", data,
                page=f"/staff/cases/{case.reference}")


def test_the_page_shows_the_report_alerts_and_timeline_and_is_audited(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    responder("police_gcd", name="Insp. Amina")
    case = report(consent=True)
    run_jobs()
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    html = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    assert "Insp. Amina" in html and "Kariakoo" in html
    assert timeline_kinds(html)[:2] == ["created", "refer"]
    assert REPORTER not in html  # hidden until revealed with a reason
    assert [a.target_id for a in audited("case.view")] == [case.reference]


def test_revealing_the_number_needs_consent_and_a_reason_and_is_audited(
        app: Flask, client: FlaskClient) -> None:
    consented = report(consent=True)
    silent = report(consent=False)
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    no_reason = act(client, consented, "reveal", reason="")
    assert no_reason.status_code == 400 and REPORTER not in no_reason.get_data(as_text=True)
    shown = act(client, consented, "reveal", reason="calling back for the exact house")
    assert shown.status_code == 200 and REPORTER in shown.get_data(as_text=True)
    entry = audited("case.reveal_phone")[0]
    note = db.session.get(StaffNote, entry.detail["reason_note"])
    assert note.text == "calling back for the exact house"
    assert "calling" not in str(entry.detail)  # the audit row only points at the sealed text
    refused = act(client, silent, "reveal", reason="curious about who called")
    assert refused.status_code == 403 and REPORTER not in refused.get_data(as_text=True)


def test_reassigning_sends_the_engine_alert_and_kubali_makes_them_lead(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    first = responder("police_gcd", name="Insp. Amina", ward="W01116")
    other = responder("social_welfare", name="Bw. Juma")
    case = report()
    run_jobs()
    sms_in(first.phone, f"KUBALI {case.reference}")
    assert fresh(case).status is CaseStatus.ACCEPTED
    sign_in(app, client, "sup@example.org", "supervisor")
    res = act(client, case, "alert", responder=str(other.id))
    assert res.status_code == 302, res.get_data(as_text=True)
    case = fresh(case)
    assert case.status is CaseStatus.REFERRED and case.lead_responder_id is None
    alert = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id,
                                                     Alert.responder_id == other.id))
    assert alert.status is AlertStatus.PENDING and alert.deadline_at is not None
    assert case.reference in sms_to(other.phone, "alert")[0].body
    sms_in(other.phone, f"KUBALI {case.reference}")
    assert fresh(case).lead_responder_id == other.id
    html = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    kinds = timeline_kinds(html)
    assert "release" in kinds and "staff_alert" in kinds and kinds[-1] in ("accept",
                                                                         "reporter_told")
    assert audited("case.reassign")[0].detail == {"responder": other.id}


def test_close_reopen_note_hoax_and_duplicate_go_through_the_table(
        app: Flask, client: FlaskClient) -> None:
    case = report(urgent=False)
    twin = report(urgent=False)
    sign_in(app, client, "sup@example.org", "supervisor")
    page = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    assert twin.reference in page  # suggested as a possible duplicate, not merged
    assert act(client, case, "note", text="called the ward office").status_code == 302
    assert act(client, case, "close", outcome="returned_family").status_code == 302
    assert fresh(case).status is CaseStatus.CLOSED
    again = act(client, case, "close", outcome="returned_family")
    assert again.status_code == 400
    assert act(client, case, "reopen").status_code == 302
    assert fresh(case).status is CaseStatus.RECEIVED
    assert act(client, twin, "duplicate", other=case.reference).status_code == 302
    assert fresh(twin).status is CaseStatus.CLOSED
    original = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    assert "duplicate_marked" in timeline_kinds(original) and twin.reference in original
    assert act(client, case, "hoax").status_code == 302
    html = client.get(f"/staff/cases/{case.reference}").get_data(as_text=True)
    assert "called the ward office" in html
    assert timeline_kinds(html).count("close") == 2
    actions = {a.action for a in db.session.scalars(sa.select(AuditEntry))}
    assert {"case.note", "case.close", "case.reopen"} <= actions
    assert act(client, case, "duplicate", other="1234567").status_code == 400


def test_escalate_now_tells_the_supervisors_when_nobody_is_left(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    sup = responder("hotline_supervisor", council=None)
    case = report(urgent=False)
    run_jobs()
    sign_in(app, client, "sup@example.org", "supervisor")
    assert act(client, case, "escalate").status_code == 302
    assert fresh(case).status is CaseStatus.NEEDS_ATTENTION
    assert sms_to(sup.phone, "escalation")


def test_a_held_report_released_from_the_page_reaches_responders(
        app: Flask, client: FlaskClient, run_jobs, reconcile) -> None:  # type: ignore[no-untyped-def]
    police = responder("police_gcd", name="Insp. Amina")
    limit = app.config["REPORTS_PER_PHONE_PER_DAY"]
    cases = [report() for _ in range(limit + 1)]
    run_jobs()
    reconcile()
    run_jobs()
    held = fresh(cases[-1])
    assert held.held_at is not None and sms_to(police.phone, "alert")[-1].body.find(
        held.reference) == -1  # kept, sent to nobody
    sign_in(app, client, "sup@example.org", "supervisor")
    res = act(client, held, "release")
    assert res.status_code == 302, res.get_data(as_text=True)
    run_jobs()
    held = fresh(held)
    assert held.held_at is None and not held.flagged_for_review
    assert any(held.reference in m.body for m in sms_to(police.phone, "alert"))
    assert [e.target_id for e in audited("cases.release")] == [str(held.id)]
    assert act(client, held, "release").status_code == 400  # nothing left to release
