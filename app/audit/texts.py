"""The audit page catalog (``app/audit/translations``) in the staff member's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.i18n import Messages
from app.staff.texts import current_language

messages = Messages(Path(__file__).parent / "translations")


def t(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)
