"""Place names as people type them: folding, council types and their words (pure, no I/O)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class CouncilType:
    """One kind of local government authority (halmashauri)."""

    value: str  #: as stored in ``Council.council_type``
    abbreviation: str  #: shown in menus: "Kondoa (DC)"
    words: tuple[str, ...]  #: folded words that name the type, longest first


#: The four council types of the NBS 2022 list, with the English and Swahili words people use.
COUNCIL_TYPES: Final[Mapping[str, CouncilType]] = {
    t.value: t
    for t in (
        CouncilType("city_council", "CC", (
            "halmashauri ya jiji la", "halmashauri ya jiji", "city council", "jiji la", "jiji",
            "city", "cc")),
        CouncilType("district_council", "DC", (
            "halmashauri ya wilaya ya", "halmashauri ya wilaya", "district council",
            "wilaya ya", "wilaya", "district", "dc")),
        CouncilType("municipal_council", "MC", (
            "halmashauri ya manispaa ya", "halmashauri ya manispaa", "municipal council",
            "manispaa ya", "manispaa", "municipality", "municipal", "mc")),
        CouncilType("town_council", "TC", (
            "halmashauri ya mji wa", "halmashauri ya mji", "town council", "mji wa", "mji",
            "town", "tc")),
    )
}

#: Every (type words, type) pair, longest words first, so "town council" wins over "town".
_TYPE_WORDS: Final[tuple[tuple[str, str], ...]] = tuple(sorted(
    ((words, t.value) for t in COUNCIL_TYPES.values() for words in t.words),
    key=lambda pair: -len(pair[0])))

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(name: str) -> str:
    """Return the comparison key of a place name.

    Case, accents, apostrophes, punctuation and spacing do not count: "Dar es Salaam",
    "dar-es-salaam" and "DAR ES  SALAAM" all fold to ``"dar es salaam"``, and "Ng'ambo" to
    ``"ngambo"``. Words stay separated by one space so that word prefixes can be searched;
    compare with :func:`compact` to ignore spacing altogether ("Daressalaam").
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _APOSTROPHES.sub("", plain)
    return _NOT_WORD.sub(" ", plain).strip()


def compact(name: str) -> str:
    """Return :func:`fold` without any spaces: the key for "same name" comparisons."""
    return fold(name).replace(" ", "")


def split_council_type(name: str) -> tuple[str, str | None]:
    """Split a typed council name into (folded bare name, council type value or None).

    Accepts the type after the name ("Kondoa TC", "Kondoa (DC)", "Kondoa Town Council",
    "Temeke Manispaa") or before it ("Manispaa ya Temeke", "Halmashauri ya Mji Kondoa").
    When no type word is found, or nothing is left once it is removed, the type is None and
    the whole folded name is returned.
    """
    folded = fold(name)
    for words, council_type in _TYPE_WORDS:
        if folded.endswith(" " + words):
            return folded[: -len(words) - 1], council_type
        if folded.startswith(words + " "):
            return folded[len(words) + 1:], council_type
    return folded, None


def abbreviation(council_type: str) -> str:
    """Return "DC", "TC", "MC" or "CC" for a stored council type.

    Raises:
        KeyError: the type is not one of :data:`COUNCIL_TYPES`.
    """
    return COUNCIL_TYPES[council_type].abbreviation


def council_label_of(name: str, council_type: str, known_as: str | None = None) -> str:
    """Return the menu label of a council: "Kondoa (TC)", or "Ilala (Dar es Salaam CC)".

    A council known by another everyday name shows that name first, then its official one.
    """
    abbr = abbreviation(council_type)
    if known_as and compact(known_as) != compact(name):
        return f"{known_as} ({name} {abbr})"
    return f"{name} ({abbr})"


def short_council_labels(councils: list[tuple[str, str, str | None]]) -> list[str]:
    """Shorter labels for the councils of one region, for a list that must fit one screen:
    the name alone ("Bumbuli"), with its type only where two councils share the name
    ("Handeni DC", "Handeni TC"). A council known by another name keeps its whole label
    ("Nyamagana (Mwanza CC)"): a reporter looking for Mwanza city must still find it.
    ``councils`` are (name, type, known as)."""
    names = [compact(name) for name, _type, _known in councils]
    out = []
    for (name, council_type, known_as), key in zip(councils, names, strict=True):
        if known_as and compact(known_as) != key:
            out.append(council_label_of(name, council_type, known_as))
        elif names.count(key) > 1:
            out.append(f"{name} {abbreviation(council_type)}")
        else:
            out.append(name)
    return out
