"""What responders, supervisors and reporters read, fitted to one SMS. No database."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from app.gsm import SMS_SEGMENT_LIMIT, SMS_SINGLE_LIMIT, gsm7_length, to_gsm7
from app.i18n import Messages

messages: Final = Messages(Path(__file__).parent / "translations")

#: Keyword a reply suggests, per verb and language.
KEYWORD: Final = {"en": {"ack": "ACCEPT", "decline": "DECLINE", "done": "DONE", "info": "INFO"},
                  "sw": {"ack": "KUBALI", "decline": "KATAA", "done": "MALIZA",
                         "info": "TAARIFA"}}


#: The number a "call the hotline" reply gives when the caller passes none (HOTLINE_PHONE's
#: default, the national child helpline).
DEFAULT_HOTLINE: Final = "116"


def text(lang: str, key: str, hotline: str = DEFAULT_HOTLINE, **params: Any) -> str:
    """A message from the referral catalogs; ``{hotline}`` is always filled (callers with an
    app pass ``HOTLINE_PHONE``)."""
    return messages.get(lang, key, hotline=hotline, **params)


def fit_place(parts: Sequence[str], budget: int) -> str:
    """The most specific place label that fits ``budget`` characters.

    ``parts`` runs from the most specific (ward) to the widest (region); wider parts are
    dropped first, and a single name that still does not fit is cut.
    """
    names = [to_gsm7(p) for p in parts if p]
    for end in range(len(names), 0, -1):
        label = ", ".join(names[:end])
        if gsm7_length(label) <= budget:
            return label
    return names[0][: max(budget, 0)] if names else ""


def render_one_segment(lang: str, key: str, place_parts: Sequence[str],
                       **params: Any) -> str:
    """Render ``key`` with the widest place label that keeps the SMS in one segment."""
    without = to_gsm7(text(lang, key, place="", **params))
    label = fit_place(place_parts, SMS_SINGLE_LIMIT - gsm7_length(without))
    return to_gsm7(text(lang, key, place=label, **params))


#: Septets in two concatenated GSM-7 segments (153 each, the rest is the joining header).
TWO_SEGMENTS: Final = 2 * SMS_SEGMENT_LIMIT
#: Council types as a village executive says them: "Jiji la Mwanza", "Magu District".
COUNCIL_WORDS: Final = ("city_council", "municipal_council", "town_council", "district_council")


def council_in_words(lang: str, name: str, council_type: str, known_as: str | None = None
                     ) -> str:
    """A council in words, not letters: "Jiji la Mwanza", "Wilaya ya Magu", "Temeke
    Municipality"; an everyday name comes first: "Ilala (Jiji la Dar es Salaam)"."""
    official = text(lang, f"council.{council_type}", name=name) if \
        council_type in COUNCIL_WORDS else name
    return f"{known_as} ({official})" if known_as and known_as != name else official


def describe(lang: str, category: str, labour: str | None = None, children: str | None = None,
             seen_when: str | None = None) -> str:
    """What was seen, in a responder's words: "kulazimishwa kufanya kazi za ndani, watoto
    2-5, leo"."""
    what = text(lang, f"category.{category}")
    if category == "forced_labour" and labour:
        what = text(lang, "category.forced_labour.kind", kind=text(lang, f"labour.{labour}"))
    parts = [what]
    if children and children != "unknown":
        parts.append(text(lang, f"children.{CHILDREN_KEYS.get(children, children)}"))
    if seen_when:
        parts.append(text(lang, f"when.{seen_when}"))
    return ", ".join(parts)


CHILDREN_KEYS: Final = {"1": "one", "2-5": "few", "6+": "many"}


def _compose(lang: str, key: str, params: dict[str, Any], place_parts: Sequence[str],
             landmark: str | None, limit: int, *, cut: bool) -> str | None:
    """``key`` with the widest place and the landmark that fit ``limit`` septets; None when
    the whole landmark does not fit and ``cut`` is false."""
    names = [to_gsm7(p) for p in place_parts if p]
    mark = to_gsm7(landmark or "")
    fixed = gsm7_length(to_gsm7(text(lang, key, place="", landmark="", **params)))
    wrap = gsm7_length(to_gsm7(text(lang, "alert.landmark", landmark=""))) if mark else 0
    for end in range(len(names), min(2, len(names)) - 1, -1):  # never below ward + council
        place = ", ".join(names[:end])
        room = limit - fixed - gsm7_length(place)
        if room >= wrap + gsm7_length(mark):
            return _render(lang, key, params, place, mark)
    if not cut:
        return None
    place = fit_place(names[:2], max(limit - fixed - wrap - 12, 8))  # keep some landmark
    room = limit - fixed - gsm7_length(place) - wrap
    while mark and gsm7_length(mark) > room:  # cut at a word where possible
        cut = mark[: max(0, min(len(mark) - 1, room))]
        mark = cut.rsplit(" ", 1)[0].rstrip(" ,.") if " " in cut[len(cut) // 2:] else cut
    return _render(lang, key, params, place, mark)


def _render(lang: str, key: str, params: dict[str, Any], place: str, mark: str) -> str:
    landmark = text(lang, "alert.landmark", landmark=mark) if mark else ""
    return to_gsm7(text(lang, key, place=place, landmark=landmark, **params))


def alert_text(lang: str, *, ref: str, category: str, urgent: bool,
               place_parts: Sequence[str], caller: str | None, labour: str | None = None,
               children: str | None = None, seen_when: str | None = None,
               landmark: str | None = None) -> str:
    """The alert a responder receives: number, urgency, what was seen (kind of work, how many
    children, when), ward and council, the landmark and how to answer. One SMS when it fits,
    two segments at most: the landmark is shortened before the place loses its council."""
    params = {"ref": ref, "urgency": text(lang, "urgency.urgent" if urgent else "urgency.normal"),
              "details": describe(lang, category, labour, children, seen_when),
              "caller": text(lang, "alert.caller", phone=caller) if caller else ""}
    one = _compose(lang, "alert", params, place_parts, landmark, SMS_SINGLE_LIMIT, cut=False)
    if one is not None:
        return one
    two = _compose(lang, "alert", params, place_parts, landmark, TWO_SEGMENTS, cut=True)
    assert two is not None  # noqa: S101 - cut=True always composes
    return two


def info_text(lang: str, *, ref: str, category: str, urgent: bool,
              place_parts: Sequence[str], caller: str | None, landmark: str | None,
              labour: str | None = None, children: str | None = None,
              seen_when: str | None = None) -> str:
    """The reply to INFO/TAARIFA: everything the reporter said with the whole landmark; asked
    for, so it may take three segments where the alert takes two."""
    params = {"ref": ref, "urgency": text(lang, "urgency.urgent" if urgent else "urgency.normal"),
              "details": describe(lang, category, labour, children, seen_when),
              "caller": text(lang, "alert.caller", phone=caller) if caller else ""}
    body = _compose(lang, "info", params, place_parts, landmark, 3 * SMS_SEGMENT_LIMIT,
                    cut=True)
    assert body is not None  # noqa: S101 - cut=True always composes
    return body


def exhausted_text(lang: str, *, ref: str, category: str, urgent: bool,
                   place_parts: Sequence[str]) -> str:
    """The SMS to hotline supervisors when every wave ran out."""
    return render_one_segment(
        lang, "supervisor.exhausted", place_parts, ref=ref,
        category=text(lang, f"category.{category}"),
        urgency=text(lang, "urgency.urgent" if urgent else "urgency.normal"),
    )
