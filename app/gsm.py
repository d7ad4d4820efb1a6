"""GSM 03.38 (GSM-7): the only characters every handset and USSD gateway renders."""

from __future__ import annotations

import unicodedata

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENDED = "^{}\\[~]|€\f"
BASIC = frozenset(_BASIC)
EXTENDED = frozenset(_EXTENDED)

SMS_SINGLE_LIMIT = 160
#: Septets per segment of a concatenated SMS (the rest carries the joining header).
SMS_SEGMENT_LIMIT = 153
USSD_SCREEN_LIMIT = 160


def is_gsm7(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    """Septets needed: extension characters take two.

    Raises:
        ValueError: a character has no GSM-7 form (the message would fall back to UCS-2).
    """
    total = 0
    for ch in text:
        if ch in BASIC:
            total += 1
        elif ch in EXTENDED:
            total += 2
        else:
            raise ValueError(f"character {ch!r} is not GSM-7")
    return total


_FOLD = str.maketrans({
    "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ",
})


def to_gsm7(text: str) -> str:
    """Best-effort fold of typographic marks, then drop anything still outside GSM-7."""
    text = text.translate(_FOLD)
    out = []
    for ch in text:
        if ch in BASIC or ch in EXTENDED:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append("".join(c for c in base if c in BASIC))
    return "".join(out)


#: Septets per segment once a message needs more than one (the rest is the joining header).
SMS_CONCAT_LIMIT = 153


def sms_segments(text: str) -> int:
    """How many SMS a GSM-7 text is billed as (1 up to 160 septets, then 153 each)."""
    length = gsm7_length(text)
    if length <= SMS_SINGLE_LIMIT:
        return 1
    return -(-length // SMS_CONCAT_LIMIT)
