"""Every AT callback delivered 1-5 times, in any order, leaves one row per provider id and a
final state that follows the rule "forward only, the first final report wins".

Delivery reports may come before the send is recorded (AT answers faster than we commit),
``Success`` may follow ``Failed``, and inbound SMS may be retried hours later. Property-based:
Hypothesis draws the messages, the reports, the repeats and the order.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import utcnow
from app.extensions import db
from app.sms.models import DeliveryReport, InboundSms, OutboundSms
from app.sms.services import queue_sms
from app.sms.status import DELIVERY_STATUS, SmsStatus, can_move
from app.sms.tasks import send_sms
from tests.conftest import WEBHOOK_TOKEN

PHONE = "+255712345678"
STATUSES = sorted(DELIVERY_STATUS)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    n_out = draw(st.integers(1, 3))
    reports = [draw(st.lists(st.sampled_from(STATUSES), min_size=0, max_size=3))
               for _ in range(n_out)]
    n_in = draw(st.integers(0, 3))
    events: list[tuple] = [("send", i) for i in range(n_out)]
    for i, statuses in enumerate(reports):
        for status in statuses:
            events += [("report", i, status)] * draw(st.integers(1, 5))
    for j in range(n_in):
        events += [("inbound", j)] * draw(st.integers(1, 5))
    order = draw(st.permutations(events))
    hours = draw(st.lists(st.integers(0, 30), min_size=len(order), max_size=len(order)))
    return {"n_out": n_out, "n_in": n_in, "events": order, "hours": hours}


def expected_status(first_arrivals: list[str]) -> SmsStatus:
    status = SmsStatus.SUBMITTED
    for raw in first_arrivals:
        new = DELIVERY_STATUS[raw]
        if can_move(status, new):
            status = new
    return status


def _clear() -> None:
    for model in (DeliveryReport, InboundSms, OutboundSms):
        db.session.execute(sa.delete(model))
    db.session.commit()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_replayed_and_reordered_callbacks(app, client, fake_at, scenario) -> None:
    _clear()
    fake_at.accepted.clear()
    messages = [queue_sms(PHONE, f"Kesi {n}: habari") for n in range(scenario["n_out"])]
    db.session.commit()
    provider = {i: f"ATX-{msg.id}-{i}" for i, msg in enumerate(messages)}
    fake_at.ids_by_text = {f"Kesi {i}: habari": provider[i] for i in provider}
    arrivals: dict[int, list[str]] = {i: [] for i in provider}
    start = utcnow()
    for event, hours in zip(scenario["events"], scenario["hours"], strict=True):
        if event[0] == "send":
            send_sms(messages[event[1]].id)
            continue
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            if event[0] == "report":
                _, i, status = event
                res = client.post(f"/at/{WEBHOOK_TOKEN}/sms/delivery", data={
                    "id": provider[i], "status": status, "phoneNumber": PHONE,
                    "failureReason": "UserInBlacklist" if status != "Success" else ""})
                if status not in arrivals[i]:
                    arrivals[i].append(status)
            else:
                res = client.post(f"/at/{WEBHOOK_TOKEN}/sms/inbound", data={
                    "from": PHONE, "to": "15000", "text": f"KUBALI {event[1]}",
                    "date": "2026-11-29 20:00:00", "id": f"in-{event[1]}"})
        assert res.status_code == 200, res.get_data(as_text=True)

    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboundSms).order_by(OutboundSms.id)).all()
    assert [r.provider_message_id for r in rows] == list(provider.values())
    for i, row in enumerate(rows):
        assert row.status is expected_status(arrivals[i]), (arrivals[i], row.status)
    stored = db.session.execute(sa.select(DeliveryReport.provider_id, DeliveryReport.status)
                                ).all()
    assert sorted(stored) == sorted((provider[i], s) for i in arrivals for s in arrivals[i])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryReport)
                             .where(DeliveryReport.applied_at.is_(None))) == 0
    inbound = db.session.scalars(sa.select(InboundSms).order_by(InboundSms.provider_id)).all()
    assert [(m.provider_id, m.text) for m in inbound] == [
        (f"in-{j}", f"KUBALI {j}") for j in range(scenario["n_in"])]
