"""Parse a responder's SMS into a command. Pure: no database, no clock.

``KUBALI 1234567``, ``ack``, ``Kataa 1234567 niko mbali``, ``DONE 1234567 child safe``…
Keywords are English or Swahili, any case; the case number is optional. A number that fails
its check digit is kept as ``bad_reference`` so the reply can say "check the number".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

from app.cases.reference import LENGTH, is_valid_reference


class Verb(enum.StrEnum):
    ACK = "ack"
    DECLINE = "decline"
    DONE = "done"
    INFO = "info"
    HELP = "help"
    STOP = "stop"
    START = "start"
    # After the referral (app/centres, app/followup): a place in a centre, check-in answers.
    PLACE = "place"
    ADMIT = "admit"
    DISCHARGE = "discharge"
    SAFE = "safe"
    CONCERN = "concern"
    UNREACHED = "unreached"
    UNKNOWN = "unknown"


#: keyword → (verb, language the keyword is in)
KEYWORDS: Final = {
    "ACK": (Verb.ACK, "en"), "ACCEPT": (Verb.ACK, "en"), "KUBALI": (Verb.ACK, "sw"),
    "DECLINE": (Verb.DECLINE, "en"), "KATAA": (Verb.DECLINE, "sw"),
    "DONE": (Verb.DONE, "en"), "MALIZA": (Verb.DONE, "sw"),
    "INFO": (Verb.INFO, "en"), "TAARIFA": (Verb.INFO, "sw"),
    "HELP": (Verb.HELP, "en"), "MSAADA": (Verb.HELP, "sw"),
    "STOP": (Verb.STOP, "en"), "ACHA": (Verb.STOP, "sw"),
    "START": (Verb.START, "en"), "ANZA": (Verb.START, "sw"),
    "PLACE": (Verb.PLACE, "en"), "MAHALI": (Verb.PLACE, "sw"),
    "ADMIT": (Verb.ADMIT, "en"), "POKEA": (Verb.ADMIT, "sw"),
    "DISCHARGE": (Verb.DISCHARGE, "en"), "TOKA": (Verb.DISCHARGE, "sw"),
    # Check-in answers: the number from the check-in SMS, or a word in either language.
    "1": (Verb.SAFE, None), "SAFE": (Verb.SAFE, "en"), "SALAMA": (Verb.SAFE, "sw"),
    "2": (Verb.CONCERN, None), "CONCERN": (Verb.CONCERN, "en"),
    "WASIWASI": (Verb.CONCERN, "sw"),
    "3": (Verb.UNREACHED, None), "UNREACHED": (Verb.UNREACHED, "en"),
    "SIKUMPATA": (Verb.UNREACHED, "sw"),
}
#: Commands about one case.
CASE_VERBS: Final = frozenset({Verb.ACK, Verb.DECLINE, Verb.DONE, Verb.INFO, Verb.PLACE,
                               Verb.ADMIT, Verb.DISCHARGE, Verb.SAFE, Verb.CONCERN,
                               Verb.UNREACHED})

_NUMBER = re.compile(r"^#?(\d[\d-]*)(?:[\s.,]+|$)")


@dataclass(frozen=True)
class Command:
    verb: Verb
    language: str | None = None  # of the keyword; None when unknown
    reference: str | None = None  # a valid case number
    bad_reference: str | None = None  # digits given that are not a valid case number
    rest: str = ""  # reason or outcome, as written


def parse_command(text: str) -> Command:
    """Read one SMS. Never raises: anything unreadable is ``Verb.UNKNOWN``."""
    body = " ".join((text or "").split())
    if not body:
        return Command(Verb.UNKNOWN)
    head, _, tail = body.partition(" ")
    keyword = head.strip(".,:;!?").upper()
    if keyword not in KEYWORDS:
        return Command(Verb.UNKNOWN)
    verb, language = KEYWORDS[keyword]
    if verb not in CASE_VERBS:
        return Command(verb, language, rest=tail.strip())
    reference, bad, rest = _split_reference(tail.strip())
    return Command(verb, language, reference=reference, bad_reference=bad, rest=rest)


def _split_reference(tail: str) -> tuple[str | None, str | None, str]:
    match = _NUMBER.match(tail)
    if match is None:
        return None, None, tail
    digits = re.sub(r"\D", "", match.group(1))
    rest = tail[match.end():].strip()
    if len(digits) == LENGTH and is_valid_reference(digits):
        return digits, None, rest
    if len(digits) >= 3:  # clearly meant as a case number
        return None, digits, rest
    return None, None, tail
