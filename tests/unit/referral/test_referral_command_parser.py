import pytest

from app.cases.reference import damm_digit
from app.referral.sms_commands import Verb, parse_command

REF = "123456" + str(damm_digit("123456"))
TYPO = REF[:-1] + str((int(REF[-1]) + 1) % 10)


@pytest.mark.parametrize(("text", "verb", "language"), [
    (f"ACK {REF}", Verb.ACK, "en"), (f"kubali {REF}", Verb.ACK, "sw"),
    (f"Kataa {REF}", Verb.DECLINE, "sw"), (f"decline {REF}", Verb.DECLINE, "en"),
    (f"MALIZA {REF}", Verb.DONE, "sw"), (f"done {REF}", Verb.DONE, "en"),
    (f"taarifa {REF}", Verb.INFO, "sw"), (f"INFO {REF}", Verb.INFO, "en"),
    ("msaada", Verb.HELP, "sw"), ("Help", Verb.HELP, "en"),
    ("ACHA", Verb.STOP, "sw"), ("stop", Verb.STOP, "en"),
    ("anza", Verb.START, "sw"), ("START", Verb.START, "en"),
])
def test_keywords_in_both_languages_any_case(text: str, verb: Verb, language: str) -> None:
    command = parse_command(text)
    assert (command.verb, command.language) == (verb, language)


def test_reference_and_rest_are_split() -> None:
    command = parse_command(f"  kataa   #{REF}  niko mbali sana ")
    assert (command.reference, command.rest) == (REF, "niko mbali sana")
    command = parse_command(f"DONE {REF} 2 children safe at home")
    assert (command.reference, command.rest) == (REF, "2 children safe at home")


def test_reference_is_optional() -> None:
    command = parse_command("kubali")
    assert (command.verb, command.reference, command.bad_reference) == (Verb.ACK, None, None)
    assert parse_command("decline too far").rest == "too far"


@pytest.mark.parametrize("typed", [TYPO, REF[:6], REF + "1", REF[1:] + REF[0]])
def test_a_mistyped_number_is_kept_as_bad_never_matched(typed: str) -> None:
    command = parse_command(f"ACK {typed}")
    assert command.reference is None
    assert command.bad_reference == typed


@pytest.mark.parametrize("text", ["", "   ", "hello", "1234567", "ACKNOWLEDGE 1"])
def test_anything_else_is_unknown(text: str) -> None:
    assert parse_command(text).verb is Verb.UNKNOWN
