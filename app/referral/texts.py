"""What responders, supervisors and reporters read, fitted to one SMS. No database."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, to_gsm7
from app.i18n import Messages

messages: Final = Messages(Path(__file__).parent / "translations")

#: Keyword a reply suggests, per verb and language.
KEYWORD: Final = {"en": {"ack": "ACK", "decline": "DECLINE", "done": "DONE", "info": "INFO"},
                  "sw": {"ack": "KUBALI", "decline": "KATAA", "done": "MALIZA",
                         "info": "TAARIFA"}}


def text(lang: str, key: str, **params: Any) -> str:
    """A message from the referral catalogs."""
    return messages.get(lang, key, **params)


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


def alert_text(lang: str, *, ref: str, category: str, urgent: bool,
               place_parts: Sequence[str], caller: str | None) -> str:
    """The alert a responder receives: number, category, urgency, place, how to reply."""
    return render_one_segment(
        lang, "alert", place_parts, ref=ref,
        category=text(lang, f"category.{category}"),
        urgency=text(lang, "urgency.urgent" if urgent else "urgency.normal"),
        caller=text(lang, "alert.caller", phone=caller) if caller else "",
    )


def info_text(lang: str, *, ref: str, category: str, urgent: bool,
              place_parts: Sequence[str], caller: str | None, landmark: str | None) -> str:
    """The reply to INFO/TAARIFA: the alert again or, when the reporter described the place, the
    case with that landmark, which the alert has no room for (cut only if it cannot fit)."""
    if not landmark:
        return alert_text(lang, ref=ref, category=category, urgent=urgent,
                          place_parts=place_parts, caller=caller)
    params = {"ref": ref, "category": text(lang, f"category.{category}"),
              "urgency": text(lang, "urgency.urgent" if urgent else "urgency.normal"),
              "caller": text(lang, "alert.caller", phone=caller) if caller else ""}
    mark = to_gsm7(landmark)
    shortest = to_gsm7(text(lang, "info", place=fit_place(place_parts, 0) or "", landmark="",
                            **params))
    room = SMS_SINGLE_LIMIT - gsm7_length(shortest) - 8  # keep a few characters of place
    while mark and gsm7_length(mark) > room:
        mark = mark[:-1]
    return render_one_segment(lang, "info", place_parts, landmark=mark.rstrip(), **params)


def exhausted_text(lang: str, *, ref: str, category: str, urgent: bool,
                   place_parts: Sequence[str]) -> str:
    """The SMS to hotline supervisors when every wave ran out."""
    return render_one_segment(
        lang, "supervisor.exhausted", place_parts, ref=ref,
        category=text(lang, f"category.{category}"),
        urgency=text(lang, "urgency.urgent" if urgent else "urgency.normal"),
    )
