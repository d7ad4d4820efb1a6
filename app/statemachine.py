"""Looking up a move in a transition table, shared by every life cycle (cases, alerts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

S = TypeVar("S")
E = TypeVar("E")


class TransitionError(Exception):
    """The event is not allowed in the current status (each life cycle has its subclass)."""


def next_in(table: Mapping[tuple[S, E], S], current: S, event: E, *, noun: str,
            error: type[TransitionError] = TransitionError) -> S:
    """Return the status after ``event``, or raise ``error`` ("cannot accept a case that is
    closed") when the table has no such move."""
    try:
        return table[current, event]
    except KeyError:
        raise error(f"cannot {event} {noun} that is {current}") from None
