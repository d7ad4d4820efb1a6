"""What leads, centre contacts and supervisors read about places, fitted to one SMS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, to_gsm7
from app.i18n import Messages

messages: Final = Messages(Path(__file__).parent / "translations")
#: Longest centre name an SMS carries; longer names are cut.
NAME_ROOM: Final = 40


def text(lang: str, key: str, **params: Any) -> str:
    """A message from the centres catalogs, folded to GSM-7."""
    return to_gsm7(messages.get(lang, key, **params))


def short_name(name: str, room: int = NAME_ROOM) -> str:
    name = to_gsm7(name)
    return name if len(name) <= room else name[: room - 1].rstrip() + "."


def offer_text(lang: str, ref: str, choices: Sequence[tuple[str, int]]) -> tuple[str, int]:
    """The numbered list of centres with free places, as many as fit one SMS.

    Returns the SMS and how many centres it lists (the numbers the lead may answer).
    """
    listed = 0
    body = ""
    for n in range(len(choices), 0, -1):
        items = "; ".join(text(lang, "place.item", n=i + 1, name=short_name(name), free=free)
                          for i, (name, free) in enumerate(choices[:n]))
        body = text(lang, "place.offer", ref=ref, items=items)
        if gsm7_length(body) <= SMS_SINGLE_LIMIT:
            listed = n
            break
    return body, listed
