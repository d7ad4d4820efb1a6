"""The life cycle of a case, as a table. Only ``cases.services.apply_event`` moves a case."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from app.statemachine import TransitionError, next_in


class CaseStatus(enum.StrEnum):
    RECEIVED = "received"  # committed from the reporter, no responder alerted yet
    REFERRED = "referred"  # alerts out, waiting for an accept
    NEEDS_ATTENTION = "needs_attention"  # every wave ran out; supervisors alerted
    ACCEPTED = "accepted"  # a responder leads it
    CLOSED = "closed"  # handled, or closed by staff


class CaseEvent(enum.StrEnum):
    REFER = "refer"
    ESCALATE = "escalate"  # a further wave went out
    EXHAUST = "exhaust"  # no wave left
    ACCEPT = "accept"
    RELEASE = "release"  # the lead handed it back (or staff reassigned it)
    CLOSE = "close"
    REOPEN = "reopen"


S, E = CaseStatus, CaseEvent

TRANSITIONS: Final[Mapping[tuple[CaseStatus, CaseEvent], CaseStatus]] = {
    (S.RECEIVED, E.REFER): S.REFERRED,
    (S.RECEIVED, E.EXHAUST): S.NEEDS_ATTENTION,  # nobody to alert at all
    (S.RECEIVED, E.ACCEPT): S.ACCEPTED,  # staff take it directly
    (S.RECEIVED, E.CLOSE): S.CLOSED,
    (S.REFERRED, E.REFER): S.REFERRED,  # a replacement responder in the same wave
    (S.REFERRED, E.ESCALATE): S.REFERRED,
    (S.REFERRED, E.EXHAUST): S.NEEDS_ATTENTION,
    (S.REFERRED, E.ACCEPT): S.ACCEPTED,
    (S.REFERRED, E.CLOSE): S.CLOSED,
    (S.NEEDS_ATTENTION, E.REFER): S.REFERRED,  # staff reassigned it
    (S.NEEDS_ATTENTION, E.EXHAUST): S.NEEDS_ATTENTION,
    (S.NEEDS_ATTENTION, E.ACCEPT): S.ACCEPTED,  # a late accept is still welcome
    (S.NEEDS_ATTENTION, E.CLOSE): S.CLOSED,
    (S.ACCEPTED, E.ACCEPT): S.ACCEPTED,  # the lead's accept repeated
    (S.ACCEPTED, E.RELEASE): S.REFERRED,
    (S.ACCEPTED, E.CLOSE): S.CLOSED,
    (S.CLOSED, E.CLOSE): S.CLOSED,  # the same DONE twice
    (S.CLOSED, E.REOPEN): S.RECEIVED,
}

#: What a reporter is told when checking a case; never who handles it.
PUBLIC_STATUS: Final[Mapping[CaseStatus, str]] = {
    S.RECEIVED: "received",
    S.REFERRED: "referred",
    S.NEEDS_ATTENTION: "referred",
    S.ACCEPTED: "accepted",
    S.CLOSED: "closed",
}


class InvalidTransitionError(TransitionError):
    """The event is not allowed in the case's current status."""


def next_status(current: CaseStatus, event: CaseEvent) -> CaseStatus:
    """Return the status after ``event``.

    Raises:
        InvalidTransitionError: the table has no such move.
    """
    return next_in(TRANSITIONS, current, event, noun="a case", error=InvalidTransitionError)
