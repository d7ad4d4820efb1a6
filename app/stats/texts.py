"""The statistics catalog (``app/stats/translations``) in the staff member's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.i18n import Messages
from app.staff.texts import current_language

messages = Messages(Path(__file__).parent / "translations")


def t(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


def duration(seconds: float | None) -> str:
    """A duration the way staff read it: "45 s", "12 min", "3.5 h", "2.1 d"."""
    if seconds is None:
        return "–"
    if seconds < 90:
        return t("stats.unit.seconds", n=round(seconds))
    if seconds < 5400:
        return t("stats.unit.minutes", n=round(seconds / 60))
    if seconds < 172800:
        return t("stats.unit.hours", n=f"{seconds / 3600:.1f}")
    return t("stats.unit.days", n=f"{seconds / 86400:.1f}")
