"""Ranking place names against what someone typed, and distances (pure, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from rapidfuzz import fuzz

from app.gazetteer.names import compact, fold

Point = tuple[float, float]

EARTH_RADIUS_KM: Final = 6371.0088
FUZZY_CUTOFF: Final = 75  # rapidfuzz ratio: catches one or two slips, not random names
FUZZY_MIN_LETTERS: Final = 3  # fewer letters fit too many names to guess spelling mistakes

#: Phone keypad letters: "5274" typed in numeric mode means K-A-R-I.
_KEYPAD: Final = {letter: str(digit)
                  for digit, letters in ((2, "abc"), (3, "def"), (4, "ghi"), (5, "jkl"),
                                         (6, "mno"), (7, "pqrs"), (8, "tuv"), (9, "wxyz"))
                  for letter in letters}


def keypad_digits(name: str) -> str:
    """Return the keys pressed to spell a name on a phone keypad ("Kariakoo" → "52742566")."""
    return "".join(_KEYPAD.get(ch, ch) for ch in compact(name))


def rank_typed(typed: str, names: Sequence[str], limit: int) -> list[int]:
    """Return the indexes of ``names`` that fit the first letters typed, best first.

    In order: names starting with the letters ("kari" → Kariakoo); names with a later word
    starting with them ("ngombe" → Boma la Ng'ombe); close spellings of the whole name or its
    beginning ("kariyakoo", "karyak" → Kariakoo). Case, spacing and apostrophes do not count.
    Only digits ("5274") are read as letter keys pressed on a keypad in numeric mode; place
    names contain no digits, so this never hides a name.
    """
    key = compact(typed)
    if not key or limit <= 0:
        return []
    words = [fold(name).split() for name in names]
    if key.isdigit():
        encode = keypad_digits
    else:
        def encode(text: str) -> str:
            return text
    whole = [encode("".join(w)) for w in words]
    later = [[encode(word) for word in w[1:]] for w in words]

    order = sorted(range(len(names)), key=lambda i: (fold(names[i]), names[i]))
    found = [i for i in order if whole[i].startswith(key)]
    found += [i for i in order if i not in found and any(w.startswith(key) for w in later[i])]
    if len(found) < limit and len(key) >= FUZZY_MIN_LETTERS and not key.isdigit():
        scored = [(max(fuzz.ratio(key, whole[i]), fuzz.ratio(key, whole[i][: len(key)])), i)
                  for i in order if i not in found]
        found += [i for score, i in sorted(scored, key=lambda s: -s[0]) if score >= FUZZY_CUTOFF]
    return found[:limit]


def parse_coordinate(raw: str, name: str) -> float | None:
    """A latitude or longitude typed in a file: None when empty, else a finite number within
    ±90 (``name`` mentions "lat") or ±180.

    Raises:
        ValueError: not a number, or out of range; the message names ``name``.
    """
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} {raw!r} is not a number") from None
    limit = 90 if "lat" in name else 180
    if not math.isfinite(value) or abs(value) > limit:
        raise ValueError(f"{name} {raw} is out of range")
    return value


def first_point(*places: object) -> Point | None:
    """Return (lat, lon) of the first place that has both, or None."""
    for place in places:
        lat, lon = getattr(place, "lat", None), getattr(place, "lon", None)
        if lat is not None and lon is not None:
            return float(lat), float(lon)
    return None


def distance_km(a: Point, b: Point) -> float:
    """Return the great-circle (haversine) distance between two (lat, lon) points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
