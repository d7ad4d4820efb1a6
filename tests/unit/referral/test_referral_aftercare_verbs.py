"""The parser's words for places and check-ins (contract: MAHALI/PLACE, POKEA/ADMIT,
TOKA/DISCHARGE, check-in answers 1/2/3 or a word in either language)."""

import pytest

from app.cases.reference import damm_digit
from app.referral.sms_commands import Verb, parse_command

REF = "123456" + str(damm_digit("123456"))


@pytest.mark.parametrize(("text", "verb"), [
    (f"MAHALI {REF}", Verb.PLACE), (f"place {REF} 2", Verb.PLACE),
    (f"Pokea {REF}", Verb.ADMIT), (f"ADMIT {REF}", Verb.ADMIT),
    (f"toka {REF}", Verb.DISCHARGE), (f"DISCHARGE {REF}", Verb.DISCHARGE),
    ("1", Verb.SAFE), ("salama", Verb.SAFE), (f"SAFE {REF}", Verb.SAFE),
    (f"2 {REF}", Verb.CONCERN), ("wasiwasi", Verb.CONCERN), ("Concern", Verb.CONCERN),
    ("3", Verb.UNREACHED), ("sikumpata", Verb.UNREACHED), ("unreached", Verb.UNREACHED),
])
def test_new_words_in_both_languages(text: str, verb: Verb) -> None:
    assert parse_command(text).verb is verb


def test_place_keeps_the_choice_and_an_answer_its_case_number() -> None:
    command = parse_command(f"MAHALI {REF} 2")
    assert (command.reference, command.rest) == (REF, "2")
    assert parse_command(f"2 {REF}").reference == REF
    assert parse_command("4").verb is Verb.UNKNOWN
