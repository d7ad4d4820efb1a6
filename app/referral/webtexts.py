"""The responders pages' catalog (``app/referral/webtranslations``), in the staff member's
language. Kept apart from ``translations/``, whose texts are SMS with a 160-character budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.i18n import Messages
from app.staff.texts import current_language

messages = Messages(Path(__file__).parent / "webtranslations")


def t(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 5400:
        return t("responders.minutes", n=max(round(seconds / 60), 1))
    return t("responders.hours", n=f"{seconds / 3600:.1f}")
