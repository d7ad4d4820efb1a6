"""How referral hears of cases and SMS: receivers of ``cases.signals`` and ``sms.signals``.

Connected once per app in ``app.referral.init_app``; blinker keeps one copy of each. They run
inside the sender's transaction, so what they write commits with it.
"""

from __future__ import annotations

from typing import Any

from app.cases.signals import case_created, case_released, case_status_changed
from app.cases.status import CaseEvent
from app.referral.inbound import handle_inbound, on_alert_sms_status
from app.referral.schedule import schedule_dispatch
from app.referral.services import release_lead
from app.sms.signals import inbound_sms_received, sms_status_changed


def connect() -> None:
    case_created.connect(on_case_created, weak=False)
    case_released.connect(on_case_created, weak=False)  # staff released a held report
    case_status_changed.connect(on_case_status_changed, weak=False)
    inbound_sms_received.connect(on_inbound_sms, weak=False)
    sms_status_changed.connect(on_sms_status, weak=False)


def on_case_created(case: Any, **_: Any) -> None:
    schedule_dispatch(case.id)


def on_case_status_changed(case: Any, *, new: Any = None, event: Any = None, **_: Any) -> None:
    """A released (lead handed it back) or reopened case looks for responders again."""
    if event in (CaseEvent.RELEASE, CaseEvent.REOPEN):
        release_lead(case)
        schedule_dispatch(case.id)


def on_inbound_sms(msg: Any, **_: Any) -> None:
    handle_inbound(msg)


def on_sms_status(msg: Any, *, new: Any = None, **_: Any) -> None:
    on_alert_sms_status(msg, new)
