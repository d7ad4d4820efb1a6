"""The staff catalog (``app/staff/translations``) in the language the staff member chose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import g, session

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, Messages

messages = Messages(Path(__file__).parent / "translations")


def current_language() -> str:
    """The signed-in staff member's language, else the one picked on the sign-in page."""
    user = g.get("staff")
    if user is not None and user.language in LANGUAGES:
        return str(user.language)
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **params: Any) -> str:
    """The text of ``key`` for this request; templates call it as ``_("staff.…")``."""
    return messages.get(current_language(), key, **params)
