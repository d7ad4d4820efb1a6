"""The staff catalog (``app/staff/translations``) in the language the staff member chose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import g, session

from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, Messages

messages = Messages(Path(__file__).parent / "translations")


def current_language() -> str:
    """The signed-in staff member's language, else the one picked on the sign-in page.

    Kept for the request (a page calls this for every text it shows); ``set_language``
    changes it.
    """
    cached = g.get("staff_lang")
    if cached is not None:
        return str(cached)
    user = g.get("staff")
    if user is not None and user.language in LANGUAGES:
        lang = str(user.language)
    else:
        picked = session.get("lang")
        lang = picked if picked in LANGUAGES else DEFAULT_LANGUAGE
    g.staff_lang = lang
    return lang


def set_language(lang: str) -> None:
    """Use ``lang`` for the rest of this request."""
    g.staff_lang = lang


def t(key: str, **params: Any) -> str:
    """The text of ``key`` for this request; templates call it as ``_("staff.…")``."""
    return messages.get(current_language(), key, **params)
