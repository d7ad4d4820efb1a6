"""Referral: the responder directory, and sending each case to the nearest people who can act
until one of them accepts it (rules, matching, waves, SMS commands, follow-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app.referral.rules import DEFAULT_PATH, load_rules


def init_app(app: Flask) -> None:
    """Load and check the rules, connect to cases and SMS, register jobs and commands."""
    from app.cases.services import case_created, case_released, case_status_changed
    from app.referral import tasks  # noqa: F401 - registers the sweepers
    from app.referral.cli import responders_cli
    from app.sms.signals import inbound_sms_received, sms_status_changed

    app.extensions["linda_referral_rules"] = load_rules(
        Path(app.config.get("REFERRAL_RULES_PATH") or DEFAULT_PATH),
        urgent_seconds=app.config["ACK_TIMEOUT_URGENT_SECONDS"],
        normal_seconds=app.config["ACK_TIMEOUT_NORMAL_SECONDS"])
    case_created.connect(_on_case_created, weak=False)
    case_released.connect(_on_case_created, weak=False)
    case_status_changed.connect(_on_case_status_changed, weak=False)
    inbound_sms_received.connect(_on_inbound, weak=False)
    sms_status_changed.connect(_on_sms_status, weak=False)
    app.cli.add_command(responders_cli)


# Receivers are module-level and connected once per app; blinker keeps one copy of each.
def _on_case_created(case: Any, **_: Any) -> None:
    from app.referral.tasks import dispatch_case
    from app.worker.queue import enqueue_after_commit

    enqueue_after_commit(dispatch_case, case.id, job_id=f"dispatch-{case.id}")


def _on_case_status_changed(case: Any, *, new: Any = None, event: Any = None, **_: Any) -> None:
    """A released (lead handed it back) or reopened case looks for responders again."""
    from app.cases.status import CaseEvent

    if event in (CaseEvent.RELEASE, CaseEvent.REOPEN):
        from app.referral.dispatch import release_lead

        release_lead(case)
        _on_case_created(case)


def _on_inbound(msg: Any, **_: Any) -> None:
    from app.referral.inbound import handle_inbound

    handle_inbound(msg)


def _on_sms_status(msg: Any, *, new: Any = None, **_: Any) -> None:
    from app.referral.inbound import on_alert_sms_status

    on_alert_sms_status(msg, new)
