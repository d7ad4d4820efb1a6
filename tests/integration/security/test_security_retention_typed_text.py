"""Retention of what people typed after the first report: staff notes on closed cases,
SMS-report conversations, coordination message texts and reports spooled during an outage.
The personal text goes; dates, counts and statuses stay. Every sealed column has a rule."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

import app.models  # noqa: F401  (every table in the metadata)
from app.broadcast.models import Broadcast
from app.cases.models import Case
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.keys.services import sealed_tables
from app.privacy import phone_hash, vault
from app.retention.services import COVERAGE
from app.smsreport.models import SmsReport
from app.staff.casework import Actor, _note, add_note
from app.staff.models import StaffNote, StaffUser
from app.staff.timeline import timeline
from app.ussd import menu
from app.ussd.outage import CONTEXT, pending, spool_dir
from tests.integration.referral.referral_helpers import KARIAKOO, report, responder, sms_in
from tests.integration.staff.helpers import make_staff

REPORTER = "+255754999888"


def counts(output: str) -> dict[str, int]:
    found = {}
    for line in output.splitlines():
        what, _, n = line.rpartition(": ")
        if what and n.isdigit():
            found[what] = int(n)
    return found


def test_every_sealed_column_has_a_retention_rule_or_a_reason_to_stay() -> None:
    sealed = {f"{t.model.__tablename__}.{c}" for t in sealed_tables() for c in t.faces}
    sealed |= {f"{t.name}.{c.name}" for t in db.metadata.tables.values() for c in t.columns
               if c.name.endswith("_enc")}
    covered = {f"{t}.{c}" for t, cols in COVERAGE.items() for c in cols}
    assert sealed - covered == set(), "add a retention rule or say why it is kept"
    assert covered - sealed == set(), "a rule for a column that no longer exists"


def test_staff_notes_of_a_closed_case_are_destroyed_with_its_personal_fields(app) -> None:
    make_staff("admin@linda.test", "admin")
    actor = Actor(db.session.scalars(sa.select(StaffUser)).one())
    responder("police_gcd", ward=KARIAKOO)
    closed, open_case = report(phone="+255754111222"), report(phone="+255754333444")
    add_note(closed, actor, "Mama yake Neema anaishi karibu na soko")
    _note(closed, actor, "reveal", "kumpigia Neema kuhusu mtoto")
    kept = add_note(open_case, actor, "Baba yake Juma amepigiwa")
    case = db.session.get_one(Case, closed.id)
    case.status, case.closed_at = CaseStatus.CLOSED, utcnow()
    db.session.commit()
    days = app.config["RETENTION_CLOSED_CASE_DAYS"]
    runner = app.test_cli_runner()

    with time_machine.travel(utcnow() + timedelta(days=days - 1), tick=False):
        assert counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)[
            "staff notes destroyed"] == 0
    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        assert counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)[
            "staff notes destroyed"] == 2
        assert counts(runner.invoke(args=["retention", "run"]).output)[
            "staff notes destroyed"] == 2
        assert counts(runner.invoke(args=["retention", "run"]).output)[
            "staff notes destroyed"] == 0  # done once

    db.session.expire_all()
    notes = db.session.scalars(sa.select(StaffNote).where(StaffNote.case_id == closed.id)
                               .order_by(StaffNote.id)).all()
    assert [(n.kind, n.text, n.text_enc) for n in notes] == [
        ("note", None, None), ("reveal", None, None)]
    assert all(n.at and n.staff_id == actor.user.id for n in notes)  # who and when stay
    case = db.session.get_one(Case, closed.id)
    with app.test_request_context():
        lines = timeline(case)
    assert "note" in repr(lines) and "Neema" not in repr(lines)  # the event stays, not the words
    assert db.session.get_one(StaffNote, kept.id).text == "Baba yake Juma amepigiwa"


def test_sms_reports_and_coordination_texts_are_emptied_after_the_message_retention(
        app) -> None:
    sms_in(REPORTER, "Mtoto Neema anauzwa sokoni Kariakoo")
    sms_in(REPORTER, "1")
    conv = db.session.scalars(sa.select(SmsReport)).one()
    assert conv.details and conv.state == "open" and conv.path_enc is not None
    started = conv.started_at
    db.session.add(Broadcast(created_at=utcnow(), text_sw="Mkutano kuhusu kesi ya Neema",
                             text_en="Meeting about Neema's case", roles=["police_gcd"],
                             region_ids=["DSM"], council_ids=[], ward_ids=[], actor="cli",
                             recipients=3, segments=6))
    db.session.commit()
    days = app.config["RETENTION_MESSAGE_DAYS"]
    runner = app.test_cli_runner()

    with time_machine.travel(utcnow() + timedelta(days=days - 1), tick=False):
        early = counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)
        assert (early["SMS reports emptied"], early["coordination messages emptied"]) == (0, 0)
    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        dry = counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)
        assert (dry["SMS reports emptied"], dry["coordination messages emptied"]) == (1, 1)
        done = counts(runner.invoke(args=["retention", "run"]).output)
        assert (done["SMS reports emptied"], done["coordination messages emptied"]) == (1, 1)
        again = counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)
        assert (again["SMS reports emptied"], again["coordination messages emptied"]) == (0, 0)
        listed = runner.invoke(args=["broadcast", "list"])
        assert listed.exit_code == 0 and "3 people" in listed.output

    db.session.expire_all()
    conv = db.session.scalars(sa.select(SmsReport)).one()
    assert (conv.path_enc, conv.details_enc, conv.details, conv.path) == (None, None, None, [])
    assert conv.phone_hash == phone_hash("") and conv.phone_hash != phone_hash(REPORTER)
    assert conv.state == "expired" and conv.started_at == started and conv.language
    message = db.session.scalars(sa.select(Broadcast)).one()
    assert (message.text_sw, message.text_en) == (None, None)
    assert (message.recipients, message.segments, message.roles, message.created_at) == (
        3, 6, ["police_gcd"], message.created_at) and message.created_at
    with db.engine.connect() as conn:
        for table in ("sms_reports", "broadcasts", "inbound_sms"):
            rows = repr(conn.execute(sa.select(db.metadata.tables[table])).all())
            assert "Neema" not in rows and phone_hash(REPORTER) not in rows


@pytest.fixture
def spool() -> Iterator[None]:
    """The spool folder is the session's: leave it as found."""
    yield
    for path in pending():
        path.unlink()


def _spool_file(name: str, entry: dict[str, object] | None, age_days: float) -> None:
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.report"
    path.write_text("not ours" if entry is None else
                    vault().encrypt(json.dumps(entry), CONTEXT))
    stamp = (utcnow() - timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))


def test_reports_spooled_longer_than_the_message_retention_are_deleted_loudly(
        app, spool: None, caplog: pytest.LogCaptureFixture) -> None:
    days = app.config["RETENTION_MESSAGE_DAYS"]
    entry = {"session_id": "s-1", "service_code": "*123#", "phone": REPORTER, "text": "1*1",
             "lang": "sw", "reference": "9990001", "menu": menu.MENU_VERSION - 1,
             "received_at": (utcnow() - timedelta(days=days + 2)).isoformat()}
    _spool_file("old", entry, days + 2)
    _spool_file("unreadable", None, days + 1)
    _spool_file("recent", {**entry, "reference": "9990002"}, days - 1)
    runner = app.test_cli_runner()

    assert counts(runner.invoke(args=["retention", "run", "--dry-run"]).output)[
        "spooled reports deleted"] == 2
    assert len(pending()) == 3  # a dry run deletes nothing
    with caplog.at_level(logging.ERROR, logger="app.retention.services"):
        assert counts(runner.invoke(args=["retention", "run"]).output)[
            "spooled reports deleted"] == 2
    assert [p.stem for p in pending()] == ["recent"]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert any("9990001" in e and f"menu version {menu.MENU_VERSION - 1}" in e for e in errors)
    assert any("unreadable" in e for e in errors)
    assert not any(REPORTER in e for e in errors)
