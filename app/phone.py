"""Phone numbers: every Tanzanian form in, E.164 out."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


class InvalidPhoneError(ValueError):
    """Not a number a phone in Tanzania could send from or receive at."""


@lru_cache(maxsize=4096)
def normalise_phone(raw: str, region: str = "TZ") -> str:
    """Return E.164 (``+2557…``) from ``0712…``, ``255712…``, ``+255712…`` or ``" 255…"``.

    Raises:
        InvalidPhoneError: the value is not a valid phone number.

    Cached: every USSD hop of a session sends the same number, and parsing it is a sizeable
    part of a hop (an invalid value raises each time, it is not cached).
    """
    value = (raw or "").strip().replace(" ", "").replace("-", "")
    if value.isdigit() and value.startswith("255") and len(value) == 12:
        value = "+" + value
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneError(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
