"""Closing with a numbered outcome, check-ins on the schedule, and what each answer does."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.cases.models import Case, CaseEventRecord
from app.cases.status import CaseStatus
from app.extensions import db
from app.followup.models import CaseOutcome, CheckIn, CheckInStatus
from app.referral.models import Alert
from app.referral.roles import ResponderRole
from app.worker.reconcile import reconcile
from tests.integration.centres.centre_helpers import accepted_case
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    responder,
    sms_in,
    sms_to,
)


def _checkins(case: Case) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CheckIn).where(CheckIn.case_id == case.id)
                                   .order_by(CheckIn.id)))


def _at(later, case: Case, seconds: float, run_jobs) -> None:
    """Move the clock to ``seconds`` after the case closed and let due work run."""
    with later(db.session.get_one(Case, case.id).closed_at + timedelta(seconds=seconds)):
        reconcile()
        run_jobs()


def test_placed_case_gets_three_checkins_and_a_concern_reopens_it_urgent(
        app, run_jobs, later) -> None:
    welfare = responder(ResponderRole.SOCIAL_WELFARE, ward=KARIAKOO, name="welfare")
    case, lead = accepted_case(run_jobs)
    backup = responder(ResponderRole.POLICE_GCD, name="backup police")

    sms_in(lead.phone, f"MALIZA {case.reference} 2 amepelekwa kituoni")
    run_jobs()
    reply = sms_to(lead.phone)[-1].body
    assert reply.startswith(f"Kesi {case.reference} imefungwa: amewekwa kwenye kituo.")
    assert "sekunde 10" in reply
    db.session.expire_all()
    closed = db.session.get_one(Case, case.id)
    assert closed.status is CaseStatus.CLOSED and closed.outcome == "amepelekwa kituoni"
    assert db.session.scalar(sa.select(CaseOutcome.code)) == 2
    assert [c.status for c in _checkins(case)] == [CheckInStatus.SCHEDULED] * 3

    _at(later, case, 11, run_jobs)
    first = sms_to(welfare.phone, "checkin")
    assert len(first) == 1 and "1/3" in first[0].body and "1 salama" in first[0].body
    sms_in(welfare.phone, "1")
    run_jobs()
    assert "yuko salama" in sms_to(welfare.phone)[-1].body

    _at(later, case, 21, run_jobs)
    _at(later, case, 31, run_jobs)
    sent = sms_to(welfare.phone, "checkin")
    assert [m.body.split(":")[1].split()[1] for m in sent] == ["1/3", "2/3", "3/3"]

    sms_in(welfare.phone, f"WASIWASI {case.reference}")  # two open: the number says which
    run_jobs()
    assert "imefunguliwa tena kama DHARURA" in sms_to(welfare.phone)[-1].body
    db.session.expire_all()
    reopened = db.session.get_one(Case, case.id)
    assert reopened.urgent and reopened.status is CaseStatus.REFERRED
    assert sms_to(backup.phone, "alert"), "responders alerted again along the normal path"
    kinds = [e.kind for e in db.session.scalars(sa.select(CaseEventRecord).where(
        CaseEventRecord.case_id == case.id))]
    assert kinds.index("checkin_concern") < kinds.index("reopen") < len(kinds) - 1
    assert "refer" in kinds[kinds.index("reopen"):]
    for msg in sms_to(welfare.phone, "checkin"):
        assert "lead" not in msg.body and "mtoto wa kesi hii" in msg.body


def test_could_not_reach_asks_again_sooner_and_silence_goes_to_supervisors(
        app, run_jobs, later) -> None:
    sup = responder(ResponderRole.HOTLINE_SUPERVISOR, council=None, language="en")
    case, lead = accepted_case(run_jobs, lead_role=ResponderRole.SOCIAL_WELFARE,
                               language="en")
    sms_in(lead.phone, f"DONE {case.reference} 1")
    run_jobs()
    assert "returned to family" in sms_to(lead.phone)[-1].body

    _at(later, case, 11, run_jobs)
    with later(db.session.get_one(Case, case.id).closed_at + timedelta(seconds=12)):
        sms_in(lead.phone, "3")  # could not reach: asked again 3 s later
        run_jobs()
    assert "ask you again about case" in sms_to(lead.phone, "reply")[-1].body
    _at(later, case, 14, run_jobs)
    assert len(sms_to(lead.phone, "checkin")) == 1
    _at(later, case, 16, run_jobs)
    rows = _checkins(case)
    retry = [r for r in rows if r.attempt == 1]
    assert len(retry) == 1 and retry[0].status is CheckInStatus.SENT
    assert len(sms_to(lead.phone, "checkin")) == 2

    _at(later, case, 22, run_jobs)  # the retry's 5 s passed unanswered
    assert "follow-up 1/3 on the child got no answer in time" in sms_to(sup.phone)[-1].body
    assert [(r.number, r.attempt, r.status) for r in _checkins(case)] == [
        (1, 0, CheckInStatus.ANSWERED), (2, 0, CheckInStatus.SENT),
        (3, 0, CheckInStatus.SCHEDULED), (1, 1, CheckInStatus.OVERDUE)]


def test_free_text_close_still_works_and_a_bad_number_closes_nothing(app, run_jobs) -> None:
    case, lead = accepted_case(run_jobs)
    sms_in(lead.phone, f"MALIZA {case.reference} 9")
    run_jobs()
    assert "Matokeo ni 1-6" in sms_to(lead.phone)[-1].body
    assert db.session.get_one(Case, case.id).status is CaseStatus.ACCEPTED
    sms_in(lead.phone, f"MALIZA {case.reference} mtoto yuko nyumbani")
    run_jobs()
    db.session.expire_all()
    closed = db.session.get_one(Case, case.id)
    assert closed.status is CaseStatus.CLOSED and closed.outcome == "mtoto yuko nyumbani"
    assert sms_to(lead.phone)[-1].body == f"Kesi {case.reference} imefungwa. Asante kwa kazi yako."
    assert _checkins(case) == []
    assert db.session.scalar(sa.select(Alert.status).where(Alert.responder_id == lead.id)) \
        .value == "done"


def test_an_answer_with_nothing_open_is_explained(app, run_jobs) -> None:
    who = responder(ResponderRole.SOCIAL_WELFARE, language="en")
    sms_in(who.phone, "safe")
    run_jobs()
    assert "no check-in waiting" in sms_to(who.phone)[-1].body
