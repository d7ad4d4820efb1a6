"""After the referral, all over HTTP through the sandbox: a place asked for and admitted, the
case closed "placed in a centre", three check-ins on a schedule of seconds, a concern that
reopens the case and alerts again; and a coordination message to two regions' social welfare
officers. Runs on the embedded defaults and on PostgreSQL + Redis alike."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.broadcast.models import BroadcastRecipient
from app.cases.models import Case, CaseEventRecord
from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.centres.models import Centre
from app.extensions import db
from app.followup.models import CheckIn
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from tests.conftest import LiveServer
from tests.e2e.e2e_helpers import ASHA, JUMA, NEEMA, RESPONDERS_CSV, Product, inbox

CENTRE_CONTACT = "+255713500106"
PWANI_WELFARE, MBEYA_WELFARE = "+255713500107", "+255713500108"
CENTRES_CSV = ("name,kind,region,council,ward,services,takes,ages,beds,contacts\n"
               "Kituo cha Matumaini,safe_house,Dar es Salaam,Ilala,,"
               "shelter;medical;psychosocial,girls;boys,6-17,4,0713500106\n")
MORE_RESPONDERS = RESPONDERS_CSV + """Salma Juma,0713500107,social_welfare,Pwani,,,en,yes
Peter Mwakyusa,0713500108,social_welfare,Mbeya,,,sw,yes
"""


@pytest.fixture
def served(make_app: Callable[..., Flask]) -> Iterator[Product]:
    app = make_app(env={"FOLLOWUP_SCHEDULE": "1s,2s,3s", "FOLLOWUP_ANSWER_WITHIN": "1h",
                        "BROADCAST_PER_MINUTE": "600"})
    server = LiveServer(app)
    app.config["AT_API_URL"] = f"{server.url}/sandbox/version1"
    app.config["SANDBOX_BASE_URL"] = server.url  # the sandbox's callbacks come back here
    with server, app.app_context():
        yield Product(app, server.url)


def _until(linda: Product, done: Callable[[], bool], seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)
        linda.run_jobs()


def test_placed_child_is_checked_on_and_a_concern_reopens_the_case(served: Product,
                                                                   tmp_path: Path) -> None:
    linda = served
    linda.set_up_directory(tmp_path)
    path = tmp_path / "centres.csv"
    path.write_text(CENTRES_CSV, encoding="utf-8")
    out = linda.app.test_cli_runner().invoke(args=["centres", "import", str(path)])
    assert out.exit_code == 0 and "1 added" in out.output, out.output
    linda.run_jobs()
    assert "Jibu ANZA" in inbox(CENTRE_CONTACT)[-1]
    linda.reply_from_phone(CENTRE_CONTACT, "ANZA")
    linda.run_jobs()

    reference = linda.report()
    linda.run_jobs()
    linda.reply_from_phone(ASHA, f"KUBALI {reference}")
    linda.run_jobs()

    # The lead asks for a place, picks the first centre, and the centre admits the child.
    linda.reply_from_phone(ASHA, f"MAHALI {reference}")
    linda.run_jobs()
    assert "1 Kituo cha Matumaini (4)" in inbox(ASHA)[-1]
    linda.reply_from_phone(ASHA, f"MAHALI {reference} 1")
    linda.run_jobs()
    assert f"POKEA {reference}" in inbox(CENTRE_CONTACT)[-1]
    linda.reply_from_phone(CENTRE_CONTACT, f"POKEA {reference}")
    linda.run_jobs()
    assert inbox(ASHA)[-1].startswith(f"Linda {reference}: Kituo cha Matumaini imempokea")
    assert db.session.scalar(sa.select(Centre.taken)) == 1

    # Closed "placed in a centre": three check-ins reach the council's social welfare officer.
    linda.reply_from_phone(ASHA, f"MALIZA {reference} 2")
    linda.run_jobs()
    assert "imefungwa: amewekwa kwenye kituo" in inbox(ASHA)[-1]
    checkins = lambda: [t for t in inbox(JUMA) if "ufuatiliaji" in t]  # noqa: E731
    _until(linda, lambda: len(checkins()) == 3)
    assert [t.split()[3] for t in checkins()] == ["1/3", "2/3", "3/3"]
    assert all(gsm7_length(t) <= SMS_SINGLE_LIMIT for t in checkins())
    rows = db.session.scalars(sa.select(CheckIn).order_by(CheckIn.number)).all()
    due = [r.due_at for r in rows]
    assert [round((d - due[0]).total_seconds()) for d in due] == [0, 1, 2]  # 1s, 2s, 3s
    assert all(r.sent_at is not None and r.sent_at >= r.due_at for r in rows)  # none early

    # The officer answers "concern": the case reopens as urgent and is alerted again.
    before = len(inbox(NEEMA))
    linda.reply_from_phone(JUMA, f"2 {reference}")
    linda.run_jobs()
    assert "imefunguliwa tena kama DHARURA" in inbox(JUMA)[-1]
    case = find_by_reference(reference)
    assert case is not None and case.urgent and case.status is CaseStatus.REFERRED
    assert any(t.startswith(f"Linda kesi {reference}: DHARURA.")
               for t in inbox(NEEMA)[before:])
    kinds = [e.kind for e in db.session.scalars(sa.select(CaseEventRecord).where(
        CaseEventRecord.case_id == case.id).order_by(CaseEventRecord.id))]
    for kind in ("placement_admitted", "close", "checkin_sent", "checkin_concern", "reopen"):
        assert kind in kinds
    assert kinds.index("reopen") < max(i for i, k in enumerate(kinds) if k == "refer")
    assert db.session.get_one(Case, case.id).status is CaseStatus.REFERRED


def test_coordination_message_reaches_two_regions_social_welfare_officers(
        served: Product, tmp_path: Path) -> None:
    linda = served
    linda.set_up_directory(tmp_path, MORE_RESPONDERS)
    result = linda.app.test_cli_runner().invoke(args=[
        "broadcast", "send", "--role", "social_welfare", "--region", "Dar es Salaam",
        "--region", "Pwani", "--sw", "Mafunzo ya utaratibu wa rufaa: Dodoma, 12-14 Januari.",
        "--en", "Referral procedure training: Dodoma, 12-14 January."], input="y\n")
    assert result.exit_code == 0, result.output
    assert "recipients: 2 (1 in sw, 1 in en)" in result.output
    assert result.output.index("cost: 2 SMS segment(s)") < result.output.index("send it?")

    def delivered() -> bool:
        db.session.expire_all()
        return {m.status for m in db.session.scalars(sa.select(OutboundSms).where(
            OutboundSms.purpose == "broadcast"))} == {SmsStatus.DELIVERED}

    _until(linda, delivered)
    assert inbox(JUMA)[-1] == "Mafunzo ya utaratibu wa rufaa: Dodoma, 12-14 Januari."
    assert inbox(PWANI_WELFARE)[-1] == "Referral procedure training: Dodoma, 12-14 January."
    assert not any("Dodoma" in t for p in (ASHA, NEEMA, MBEYA_WELFARE) for t in inbox(p))
    assert db.session.scalar(sa.select(sa.func.count(BroadcastRecipient.id))) == 2
    shown = linda.app.test_cli_runner().invoke(args=["broadcast", "show", "1"])
    assert "delivered 2" in shown.output
