from collections import deque

import pytest

from app.cases.status import (
    PUBLIC_STATUS,
    TRANSITIONS,
    CaseEvent,
    CaseStatus,
    InvalidTransitionError,
    next_status,
)


def test_every_status_is_reachable_from_received() -> None:
    seen, todo = {CaseStatus.RECEIVED}, deque([CaseStatus.RECEIVED])
    while todo:
        current = todo.popleft()
        for (src, _event), dst in TRANSITIONS.items():
            if src is current and dst not in seen:
                seen.add(dst)
                todo.append(dst)
    assert seen == set(CaseStatus)


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("event", list(CaseEvent))
def test_forbidden_pairs_raise(status: CaseStatus, event: CaseEvent) -> None:
    if (status, event) in TRANSITIONS:
        assert next_status(status, event) is TRANSITIONS[status, event]
    else:
        with pytest.raises(InvalidTransitionError):
            next_status(status, event)


def test_closed_case_only_reopens_and_accept_is_a_repeatable_no_op() -> None:
    exits = {e for (s, e) in TRANSITIONS if s is CaseStatus.CLOSED}
    assert exits == {CaseEvent.CLOSE, CaseEvent.REOPEN}
    assert next_status(CaseStatus.ACCEPTED, CaseEvent.ACCEPT) is CaseStatus.ACCEPTED


def test_reporters_only_see_four_plain_statuses() -> None:
    assert set(PUBLIC_STATUS.values()) == {"received", "referred", "accepted", "closed"}
