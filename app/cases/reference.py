"""Case numbers: seven digits, the last a Damm check digit.

Damm catches every single-digit error and every adjacent transposition, so a mistyped number
is rejected instead of matching somebody else's case. A number may start with zeros (it is a
string of digits, never an integer), so the six digits before the check digit give
1,000,000 numbers. The last 50,000 (from ``SPOOL_FROM``) are kept for reports taken while the
database is down: a number reserved then, without the database to ask, can only meet another
such reservation, never a case numbered the usual way; ``CAPACITY`` = 950,000 are given the
usual way.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

LENGTH = 7
#: The first body kept for reports spooled during a database outage (``app/ussd/outage.py``).
SPOOL_FROM = 950_000
#: How many case numbers are given the usual way: six-digit bodies below ``SPOOL_FROM``.
CAPACITY = SPOOL_FROM


def damm_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def is_valid_reference(value: str) -> bool:
    """True for seven digits whose Damm checksum is zero."""
    return len(value) == LENGTH and value.isascii() and value.isdigit() and damm_digit(value) == 0


def new_reference() -> str:
    """A random case number; random so numbers reveal nothing about volume or order."""
    return reference_for(secrets.randbelow(CAPACITY))


def new_spool_reference(taken: Collection[str] = ()) -> str:
    """A random number from the block kept for spooled reports, none of ``taken`` (the
    numbers this host has spooled and not yet written)."""
    while True:
        ref = reference_for(SPOOL_FROM + secrets.randbelow(10 ** (LENGTH - 1) - SPOOL_FROM))
        if ref not in taken:
            return ref


def reference_for(body: int) -> str:
    """The case number whose first six digits are ``body`` (0 ≤ body < CAPACITY)."""
    digits = f"{body:0{LENGTH - 1}d}"
    return digits + str(damm_digit(digits))
