"""The numbered outcomes of ``MALIZA <case> <n>``. Pure: no database."""

from __future__ import annotations

import enum
import re
from typing import Final


class Outcome(enum.IntEnum):
    RETURNED = 1  # returned to family or community
    PLACED = 2  # placed in a protection centre
    POLICE_COURT = 3  # with the police or a court
    NOT_FOUND = 4  # child not found
    FALSE_REPORT = 5
    OTHER = 6


#: Outcomes after which the child is checked on (re-trafficking risk).
FOLLOWED_UP: Final = frozenset({Outcome.RETURNED, Outcome.PLACED})

_LEADING = re.compile(r"^(\d{1,2})(?=$|[\s.,:;)-])[\s.,:;)-]*")


class BadOutcomeError(ValueError):
    """A number was given that is not one of the outcomes."""


def parse_outcome(rest: str) -> tuple[Outcome | None, str | None]:
    """Split ``MALIZA <case>``'s tail into a numbered outcome and the free text after it.

    ``"2 Faraja"`` → (PLACED, "Faraja"); ``"child is home"`` → (None, "child is home");
    ``""`` → (None, None). Free text alone still closes a case, as before numbers existed.

    Raises:
        BadOutcomeError: the tail starts with a number outside 1-6.
    """
    rest = rest.strip()
    match = _LEADING.match(rest)
    if match is None:
        return None, rest or None
    number = int(match.group(1))
    if number not in Outcome._value2member_map_:
        raise BadOutcomeError(f"outcome {number} is not one of 1-6")
    note = rest[match.end():].strip()
    return Outcome(number), note or None
