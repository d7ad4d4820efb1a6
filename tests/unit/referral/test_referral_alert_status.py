from collections import deque

import pytest

from app.referral.status import (
    OPEN,
    TRANSITIONS,
    WAITING,
    AlertEvent,
    AlertStatus,
    InvalidAlertTransitionError,
    next_alert_status,
)


def test_every_alert_status_is_reachable_from_pending() -> None:
    seen, todo = {AlertStatus.PENDING}, deque([AlertStatus.PENDING])
    while todo:
        current = todo.popleft()
        for (src, _), dst in TRANSITIONS.items():
            if src is current and dst not in seen:
                seen.add(dst)
                todo.append(dst)
    assert seen == set(AlertStatus)


@pytest.mark.parametrize("status", list(AlertStatus))
@pytest.mark.parametrize("event", list(AlertEvent))
def test_forbidden_pairs_raise(status: AlertStatus, event: AlertEvent) -> None:
    if (status, event) in TRANSITIONS:
        assert next_alert_status(status, event) is TRANSITIONS[status, event]
    else:
        with pytest.raises(InvalidAlertTransitionError):
            next_alert_status(status, event)


def test_a_cancelled_alert_can_never_be_accepted_and_done_is_final() -> None:
    assert (AlertStatus.CANCELLED, AlertEvent.ACCEPT) not in TRANSITIONS
    assert {e for (s, e) in TRANSITIONS if s is AlertStatus.DONE} == {AlertEvent.FINISH}


def test_a_late_accept_after_expiry_is_still_welcome() -> None:
    assert next_alert_status(AlertStatus.EXPIRED, AlertEvent.ACCEPT) is AlertStatus.ACCEPTED


def test_a_delivery_report_never_moves_an_answered_alert() -> None:
    for status in set(AlertStatus) - WAITING:
        assert (status, AlertEvent.DELIVER) not in TRANSITIONS
        assert (status, AlertEvent.SEND) not in TRANSITIONS
    assert WAITING < OPEN


def test_only_an_alert_nobody_answered_may_be_sent_again() -> None:
    # Expired: a rescue round asks again. Cancelled (stood down, or a lead who handed it
    # back): only staff choosing that responder by hand. Never a decline or a failure.
    assert {s for (s, e) in TRANSITIONS if e is AlertEvent.RESEND} == {
        AlertStatus.EXPIRED, AlertStatus.CANCELLED}
    assert next_alert_status(AlertStatus.EXPIRED, AlertEvent.RESEND) is AlertStatus.PENDING
    assert next_alert_status(AlertStatus.CANCELLED, AlertEvent.RESEND) is AlertStatus.PENDING
