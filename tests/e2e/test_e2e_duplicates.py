"""AT delivers at least once: repeated callbacks act once, end to end."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.status import CaseStatus
from app.extensions import db
from app.sms.models import InboundSms
from tests.e2e.e2e_helpers import (
    ASHA,
    JUMA,
    REPORTER,
    RESPONDER_PHONES,
    Product,
    inbox,
    report_inputs,
)


def test_the_same_inbound_sms_posted_three_times_acts_once(live_app, tmp_path) -> None:
    linda = Product(live_app[0], live_app[1].url)
    linda.import_responders(tmp_path)
    linda.run_jobs()
    for phone in RESPONDER_PHONES:
        if phone != ASHA:
            linda.sms_from(phone, "ANZA")
    answers = [linda.sms_from(ASHA, "ANZA", provider_id="ATXid_dup1")["status"]
               for _ in range(3)]
    assert answers == ["stored", "duplicate", "duplicate"]
    linda.run_jobs()
    assert linda.sms_from(ASHA, "ANZA", provider_id="ATXid_dup1")["status"] == "duplicate"
    linda.run_jobs()
    assert len(inbox(ASHA)) == 2  # the request to confirm, and one "confirmed"

    reference = linda.report()
    linda.run_jobs()
    accepts = [linda.sms_from(JUMA, f"kubali {reference}", provider_id="ATXid_dup2")["status"]
               for _ in range(3)]
    assert accepts == ["stored", "duplicate", "duplicate"]
    linda.run_jobs()
    case = db.session.scalars(sa.select(Case)).one()
    assert case.status is CaseStatus.ACCEPTED
    juma, asha = inbox(JUMA), inbox(ASHA)
    assert sum(t.startswith(f"Wewe ndiye kiongozi wa kesi {reference}") for t in juma) == 1
    assert sum(t.startswith(f"Kesi {reference} imechukuliwa") for t in asha) == 1
    assert db.session.scalar(sa.select(sa.func.count(InboundSms.id))) == len(RESPONDER_PHONES) + 1


def test_the_same_confirming_ussd_hop_twice_makes_one_case(live_app) -> None:
    linda = Product(live_app[0], live_app[1].url)
    inputs = report_inputs(consent=False)
    screens = linda.dial(REPORTER, inputs[:-1], session="ATUid_dup")
    assert screens[-1].startswith("CON DHARURA:")
    last = "*".join(inputs)
    first, again = (linda.ussd(REPORTER, last, "ATUid_dup") for _ in range(2))
    assert first.startswith("END Asante. Taarifa imepokelewa.") and again == first
    (case,) = db.session.scalars(sa.select(Case)).all()
    assert case.reference in first and case.ussd_session_id == "ATUid_dup"
