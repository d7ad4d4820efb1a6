"""The health page catalog (``app/health/translations``) in the staff member's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.i18n import Messages
from app.staff.texts import current_language

messages = Messages(Path(__file__).parent / "translations")


def t(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


def ago(seconds: float) -> str:
    """How long ago, coarsely: "40 s", "12 min", "3 h", "2 d"."""
    if seconds < 90:
        return t("health.ago.seconds", n=max(round(seconds), 0))
    if seconds < 5400:
        return t("health.ago.minutes", n=round(seconds / 60))
    if seconds < 172800:
        return t("health.ago.hours", n=round(seconds / 3600))
    return t("health.ago.days", n=round(seconds / 86400))
