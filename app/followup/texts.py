"""Check-ins and outcome replies, fitted to one SMS; never a word that identifies the child."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from app.gsm import to_gsm7
from app.i18n import Messages

messages: Final = Messages(Path(__file__).parent / "translations")


def text(lang: str, key: str, **params: Any) -> str:
    """A message from the follow-up catalogs, folded to GSM-7."""
    return to_gsm7(messages.get(lang, key, **params))


def checkin_text(lang: str, ref: str, number: int, of: int) -> str:
    return text(lang, "checkin", ref=ref, n=number, of=of)


def duration(lang: str, seconds: int) -> str:
    """``30 days`` / ``siku 30``: the largest whole unit."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return text(lang, f"duration.{unit}", n=seconds // size)
    return text(lang, "duration.s", n=seconds)


def outcome_label(lang: str, code: int) -> str:
    return text(lang, f"outcome.{code}")
