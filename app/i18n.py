"""Swahili-first message catalogs, chosen per reporter or responder rather than per request.

Each feature keeps ``translations/<lang>/LC_MESSAGES/messages.po`` beside its code; msgids are
stable keys (``ussd.menu.main``) so a catalog can be checked for completeness and every text
lives in the catalogs. Compiled ``.mo`` files are used when the build made them; otherwise the
``.po`` is compiled in memory at first use, so a fresh clone works without a build step.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("sw", "en")
DEFAULT_LANGUAGE = "sw"


class MissingMessageError(KeyError):
    """A key has no text in a catalog: a screen would show a raw key to a person."""


@cache
def _catalog(directory: str, lang: str) -> gettext.GNUTranslations:
    base = Path(directory) / lang / "LC_MESSAGES"
    mo, po = base / "messages.mo", base / "messages.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def catalog_keys(directory: Path, lang: str) -> dict[str, str]:
    """Every msgid of a catalog with its text (empty when untranslated); for tests and tools."""
    with (directory / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string or "") for m in catalog if m.id}


class Messages:
    """The catalogs of one feature."""

    def __init__(self, directory: Path) -> None:
        self.directory = str(directory)

    def get(self, lang: str, key: str, **params: Any) -> str:
        """The text of ``key`` in ``lang`` (``sw`` when the language is unknown), formatted.

        Raises:
            MissingMessageError: the catalog has no text for the key.
        """
        if lang not in LANGUAGES:
            lang = DEFAULT_LANGUAGE
        text = _catalog(self.directory, lang).gettext(key)
        if text == key:
            raise MissingMessageError(f"{key!r} has no {lang} text in {self.directory}")
        return text.format(**params) if params else text
