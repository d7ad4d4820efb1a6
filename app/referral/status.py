"""The life cycle of one alert (a case sent to one responder), as a table.

An alert waits (pending → sent → delivered) until the responder answers, the wave's deadline
passes, delivery fails, or somebody else takes the case. A late accept is still welcome, so
an expired, declined or failed alert may still become accepted; a cancelled one may not.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from app.statemachine import TransitionError, next_in


class AlertStatus(enum.StrEnum):
    PENDING = "pending"  # row written, SMS queued in the outbox
    SENT = "sent"  # the provider took the SMS
    DELIVERED = "delivered"  # the handset got it
    ACCEPTED = "accepted"  # this responder leads the case
    DECLINED = "declined"  # the responder said no; the slot moved on
    FAILED = "failed"  # the SMS could not be delivered; the slot moved on
    EXPIRED = "expired"  # the wave's deadline passed without an answer
    CANCELLED = "cancelled"  # somebody else took the case
    DONE = "done"  # the lead reported the case handled


class AlertEvent(enum.StrEnum):
    SEND = "send"
    DELIVER = "deliver"
    ACCEPT = "accept"
    DECLINE = "decline"
    FAIL = "fail"
    EXPIRE = "expire"
    CANCEL = "cancel"
    FINISH = "finish"
    RESEND = "resend"  # a new round asks again one who never answered (reoffer.py)


A, V = AlertStatus, AlertEvent

#: Alerts still waiting for an answer inside their wave.
WAITING: Final = frozenset({A.PENDING, A.SENT, A.DELIVERED})
#: Alerts a responder may still act on by SMS (reference optional when there is one).
OPEN: Final = frozenset({A.PENDING, A.SENT, A.DELIVERED, A.EXPIRED, A.ACCEPTED})

TRANSITIONS: Final[Mapping[tuple[AlertStatus, AlertEvent], AlertStatus]] = {
    (A.PENDING, V.SEND): A.SENT,
    (A.PENDING, V.DELIVER): A.DELIVERED,  # reports may overtake each other
    (A.SENT, V.SEND): A.SENT,
    (A.SENT, V.DELIVER): A.DELIVERED,
    (A.DELIVERED, V.SEND): A.DELIVERED,  # a late "Sent" after "Success"
    (A.DELIVERED, V.DELIVER): A.DELIVERED,
    **{(s, V.ACCEPT): A.ACCEPTED for s in (A.PENDING, A.SENT, A.DELIVERED, A.EXPIRED,
                                           A.DECLINED, A.FAILED, A.ACCEPTED)},
    **{(s, V.DECLINE): A.DECLINED for s in (A.PENDING, A.SENT, A.DELIVERED, A.EXPIRED,
                                            A.DECLINED)},
    **{(s, V.FAIL): A.FAILED for s in (A.PENDING, A.SENT, A.FAILED)},
    **{(s, V.EXPIRE): A.EXPIRED for s in (A.PENDING, A.SENT, A.DELIVERED, A.EXPIRED)},
    **{(s, V.CANCEL): A.CANCELLED for s in (A.PENDING, A.SENT, A.DELIVERED, A.EXPIRED,
                                            A.DECLINED, A.FAILED, A.CANCELLED)},
    (A.ACCEPTED, V.CANCEL): A.CANCELLED,  # the lead handed the case back
    (A.ACCEPTED, V.FINISH): A.DONE,
    (A.DONE, V.FINISH): A.DONE,  # the same DONE twice
    (A.EXPIRED, V.RESEND): A.PENDING,  # never a decline or a failure
    (A.CANCELLED, V.RESEND): A.PENDING,  # staff hand a case to one who was stood down
}


class InvalidAlertTransitionError(TransitionError):
    """The event is not allowed in the alert's current status."""


def next_alert_status(current: AlertStatus, event: AlertEvent) -> AlertStatus:
    """Return the status after ``event``.

    Raises:
        InvalidAlertTransitionError: the table has no such move.
    """
    return next_in(TRANSITIONS, current, event, noun="an alert",
                   error=InvalidAlertTransitionError)


def can(current: AlertStatus, event: AlertEvent) -> bool:
    """True when the table allows ``event`` from ``current``."""
    return (current, event) in TRANSITIONS
