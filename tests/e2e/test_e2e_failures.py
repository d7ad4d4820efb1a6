"""What goes wrong on the way, end to end: failed SMS, declines, strangers, and closing."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral.models import Alert, Responder
from app.referral.status import AlertStatus
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from app.worker.queue import connection
from app.worker.reconcile import reconcile
from tests.e2e.e2e_helpers import (
    ASHA,
    BARAKA,
    JUMA,
    LANDMARK,
    NEEMA,
    REPORTER,
    RESPONDERS_CSV,
    Product,
    inbox,
)

ZAWADI = "+255713500106"  # social welfare in Temeke: same region, another council
CSV = RESPONDERS_CSV + "Zawadi Kimaro,0713500106,social_welfare,Dar es Salaam,Temeke,,sw,yes\n"


def alert_status(phone: str) -> AlertStatus | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Alert.status).join(Responder).where(
        Responder.name == {ASHA: "Asha Mrisho", JUMA: "Juma Said", NEEMA: "Neema Mushi",
                           ZAWADI: "Zawadi Kimaro"}[phone]))


def test_failed_sms_and_a_decline_move_on_and_strangers_change_nothing(live_app,
                                                                      tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    linda.set_up_directory(tmp_path, CSV)
    linda.set_phone_mode(ASHA, "undeliverable")  # accepted by AT, then a Failed report
    linda.set_phone_mode(JUMA, "reject")  # 403 InvalidPhoneNumber at once

    reference = linda.report()
    linda.run_jobs()
    alert = f"Linda kesi {reference}:"
    assert alert_status(ASHA) is AlertStatus.FAILED and alert_status(JUMA) is AlertStatus.FAILED
    failed = {m.failure_reason for m in db.session.scalars(sa.select(OutboundSms).where(
        OutboundSms.purpose == "alert", OutboundSms.status == SmsStatus.FAILED))}
    assert len(failed) == 2 and any("DeliveryFailure" in (r or "") for r in failed)
    # Each slot went at once to the next nearest of its role, without waiting for a deadline.
    assert inbox(NEEMA)[-1].startswith(alert) and inbox(ZAWADI)[-1].startswith(alert)

    linda.sms_from(ZAWADI, f"kataa {reference} niko safarini")
    linda.run_jobs()
    assert inbox(ZAWADI)[-1] == (f"Imepokelewa: umekataa kesi {reference}. "
                                 "Inapelekwa kwa afisa anayefuata.")
    assert alert_status(ZAWADI) is AlertStatus.DECLINED

    # The reporter and a responder the case was not sent to cannot take it.
    linda.sms_from(REPORTER, f"KUBALI {reference}")
    linda.sms_from(BARAKA, f"KUBALI {reference}")
    linda.run_jobs()
    assert inbox(REPORTER)[-1].startswith("Linda: asante.")  # asked to report, nothing taken
    assert inbox(BARAKA)[-1].startswith(f"Kesi {reference} si mojawapo ya kesi zako")
    assert find_by_reference(reference).status is CaseStatus.REFERRED

    # Neema asks for the details again, accepts in English...
    linda.sms_from(NEEMA, "taarifa")
    linda.run_jobs()
    assert f"Mahali hasa: {LANDMARK}." in inbox(NEEMA)[-1]
    linda.sms_from(NEEMA, f"ACK {reference}")
    linda.run_jobs()
    assert find_by_reference(reference).status is CaseStatus.ACCEPTED
    # ...and closes it in Swahili; the reporter sees it closed.
    linda.sms_from(NEEMA, f"MALIZA {reference} mtoto yuko salama kwa ustawi wa jamii")
    linda.run_jobs()
    assert inbox(NEEMA)[-1] == f"Kesi {reference} imefungwa. Asante kwa kazi yako."
    case = find_by_reference(reference)
    assert case.status is CaseStatus.CLOSED
    assert linda.check_status(REPORTER, reference).startswith(
        f"END Taarifa {reference} imeshughulikiwa na kufungwa.")
    # Those whose alert failed are not told anything more (the attempt shows on the phone).
    assert inbox(ASHA)[-1].startswith(alert) and inbox(JUMA)[-1].startswith(alert)


def test_a_flushed_queue_loses_nothing_the_reconciler_finds_it_all(live_app, tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    linda.import_responders(tmp_path)
    connection().flushdb()  # the confirmation SMS jobs are gone
    assert linda.run_jobs() == 0 and inbox(ASHA) == []
    reconcile()
    linda.run_jobs()
    linda.sms_from(ASHA, "ANZA")
    linda.sms_from(JUMA, "ANZA")
    connection().flushdb()  # the inbound jobs are gone
    reconcile()
    linda.run_jobs()
    reference = linda.report()
    connection().flushdb()  # the dispatch job is gone
    reconcile()
    linda.run_jobs()
    assert inbox(ASHA)[-1].startswith(f"Linda kesi {reference}:")
    assert inbox(JUMA)[-1].startswith(f"Linda kesi {reference}:")
    assert {m.status for m in db.session.scalars(sa.select(OutboundSms))} == {
        SmsStatus.DELIVERED}
