"""The USSD question graph rendered for SMS, and answers in words read as menu keys (pure).

A screen becomes the body of an SMS: the same question and numbered choices, without "CON "
and without the "0 back, 00 home" line a phone menu shows. A reporter may answer "2",
"hapana", "No" or "tuma": words are matched against the choices' labels in both languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.gazetteer.names import fold
from app.i18n import LANGUAGES
from app.ussd.screens import NAV_LINE, Confirm, Menu, Screen, TextFn

STOP_WORDS = frozenset({"acha", "stop"})
#: Short answers people write for yes and no, beyond the labels themselves.
YES = frozenset({"ndiyo", "ndio", "ndyo", "yes", "yeah", "y", "sawa", "ok"})
NO = frozenset({"hapana", "no", "n", "sio", "siyo", "la"})
_ENGLISH = frozenset({"i", "want", "report", "help", "child", "children", "hello", "hi",
                      "please", "is", "the", "a", "there", "girl", "boy", "working"})


def is_stop(text: str) -> bool:
    words = fold(text).split()
    return bool(words) and words[0] in STOP_WORDS


def guess_language(text: str) -> str:
    """English when the first message reads as English, else Swahili (the default)."""
    words = set(fold(text).split())
    return "en" if len(words & _ENGLISH) >= 1 and not words & {"na", "ya", "wa", "mtoto",
                                                               "habari", "nataka"} else "sw"


def is_free_text(text: str) -> bool:
    """A description worth keeping as the report's details: words, not just a key or one
    command word ("msaada", "habari")."""
    words = fold(text).split()
    return len(words) >= 3 or (len(words) >= 1 and len(" ".join(words)) > 20)


def to_input(screen: Screen, raw: str, text: TextFn) -> str:
    """The menu key an SMS answer means: digits as they are; words matched to a choice's
    label in either language ("hapana", "No, don't call me", "tuma"); anything else as typed
    (a place name, a landmark), for the question itself to judge."""
    answer = " ".join(raw.split())
    if not isinstance(screen, Menu | Confirm) or re.fullmatch(r"\d+", answer):
        return answer
    said = fold(answer)
    if not said:
        return answer
    for option in screen.options:
        labels = [fold(text(lang, option.label)) for lang in LANGUAGES]
        if any(said == label or (len(said) >= 3 and label.startswith(said)) for label in labels):
            return option.key
    first = said.split()[0]
    for words, index in ((YES, 0), (NO, 1)):
        if first in words and _is_yes_no(screen, text):
            return screen.options[index].key
    return answer


def _is_yes_no(screen: Menu | Confirm, text: TextFn) -> bool:
    """Yes/no questions put yes first and no second, everywhere (see the menu)."""
    if len(screen.options) != 2:
        return False
    first = fold(text("en", screen.options[0].label))
    return first.startswith("yes")


def for_sms(rendered: str, text: TextFn, lang: str) -> str:
    """A USSD screen as an SMS body: no CON/END, no back/home line."""
    body = rendered[4:] if rendered.startswith(("CON ", "END ")) else rendered
    nav = text(lang, NAV_LINE)
    lines: Sequence[str] = [line for line in body.split("\n") if line.strip() != nav]
    return "\n".join(lines).strip()
