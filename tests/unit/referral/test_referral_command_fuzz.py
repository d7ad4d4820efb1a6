"""The SMS command parser on any text: any case, any script, emoji, very long. Never raises;
a case number it returns is always a valid one; the keyword works in any case."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.cases.reference import LENGTH, is_valid_reference
from app.referral.sms_commands import KEYWORDS, Command, Verb, parse_command

ANY = st.characters(exclude_categories=("Cs",))
KEYWORD = st.sampled_from(sorted(KEYWORDS))
NUMBER = st.tuples(st.sampled_from(["", "#"]), st.integers(0, 10**9),
                   st.sampled_from(["", "-", " ", "."])).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
TEXT = st.one_of(
    st.text(ANY, max_size=50),
    st.tuples(st.text(ANY, min_size=1, max_size=20), st.integers(30, 100))
    .map(lambda t: t[0] * t[1]),  # very long
    st.tuples(KEYWORD, st.sampled_from([" ", "  ", "\n", "\t"]), NUMBER, st.text(ANY, max_size=40))
    .map("".join),
    st.lists(st.one_of(KEYWORD, NUMBER, st.text(ANY, max_size=12), st.sampled_from(
        ["😀", "🚨", "КУБАЛИ", "قبول", "कुबाली", "\u200b", "\x00"])), max_size=8).map(" ".join),
)


def case_mix(word: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips + [False] * 40,
                                                                 strict=False))


@settings(max_examples=500, deadline=None)
@given(texts=st.lists(TEXT, min_size=8, max_size=8))  # 4,000 texts per run
def test_any_text_reads_as_a_command_of_the_right_shape(texts: list[str]) -> None:
    for text in texts:
        check(text)


def check(text: str) -> None:
    command = parse_command(text)
    assert isinstance(command, Command)
    assert isinstance(command.verb, Verb)
    assert command.language in (None, "sw", "en")
    if command.reference is not None:
        assert len(command.reference) == LENGTH and is_valid_reference(command.reference)
        assert command.bad_reference is None
    if command.bad_reference is not None:
        assert command.bad_reference.isdigit() and len(command.bad_reference) >= 3
    assert len(command.rest) <= len(text)
    if command.verb is Verb.UNKNOWN:
        assert command.reference is None and command.rest == ""


@settings(max_examples=200, deadline=None)
@given(cases=st.lists(st.tuples(KEYWORD, st.lists(st.booleans(), max_size=10),
                                st.text(ANY, max_size=30)), min_size=5, max_size=5))
def test_a_keyword_means_the_same_in_any_case(cases: list[tuple[str, list[bool], str]]) -> None:
    for keyword, flips, tail in cases:  # 1,000 per run
        verb, language = KEYWORDS[keyword]
        command = parse_command(f"{case_mix(keyword, flips)} {tail}")
        assert (command.verb, command.language) == (verb, language)
