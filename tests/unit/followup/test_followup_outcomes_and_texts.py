"""Numbered outcomes, and every follow-up SMS within one segment in both languages."""

from pathlib import Path

import pytest

from app.config import ConfigError, parse_durations
from app.followup import texts
from app.followup.outcomes import BadOutcomeError, Outcome, parse_outcome
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, is_gsm7
from app.i18n import catalog_keys

CATALOGS = Path(texts.__file__).parent / "translations"
REF = "1234567"


@pytest.mark.parametrize(("rest", "expected"), [
    ("2", (Outcome.PLACED, None)), ("1 yuko nyumbani", (Outcome.RETURNED, "yuko nyumbani")),
    ("6. other: moved away", (Outcome.OTHER, "other: moved away")),
    ("child is home", (None, "child is home")), ("", (None, None)),
    ("12345 words", (None, "12345 words")),
])
def test_outcome_number_then_optional_text(rest: str, expected: tuple) -> None:
    assert parse_outcome(rest) == expected


@pytest.mark.parametrize("rest", ["0", "7 something", "9"])
def test_a_number_outside_one_to_six_is_refused(rest: str) -> None:
    with pytest.raises(BadOutcomeError):
        parse_outcome(rest)


def test_schedule_setting_reads_units_and_refuses_nonsense() -> None:
    assert parse_durations("FOLLOWUP_SCHEDULE", "30d,90d,180d") == (
        30 * 86400, 90 * 86400, 180 * 86400)
    assert parse_durations("FOLLOWUP_SCHEDULE", "1s, 2m,3h") == (1, 120, 10800)
    for bad in ("", "30x", "90d,30d", "-1d", "d"):
        with pytest.raises(ConfigError):
            parse_durations("FOLLOWUP_SCHEDULE", bad)


def test_both_catalogs_have_every_key_with_text() -> None:
    sw, en = catalog_keys(CATALOGS, "sw"), catalog_keys(CATALOGS, "en")
    assert set(sw) == set(en) and all(sw.values()) and all(en.values())
    assert {f"outcome.{o.value}" for o in Outcome} <= set(sw)


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_every_followup_sms_fits_one_segment_at_its_longest(lang: str) -> None:
    longest_after = max((texts.duration(lang, s) for s in (9999 * 86400, 59, 23 * 3600)),
                        key=len)
    params = {"ref": REF, "n": 12, "of": 12, "times": 3, "after": longest_after,
              "refs": ", ".join([REF] * 4), "first": REF,
              "outcome": max((texts.outcome_label(lang, o) for o in Outcome), key=len)}
    params["followup"] = texts.text(lang, "outcome.followup", after=longest_after)
    for key in catalog_keys(CATALOGS, lang):
        if key.startswith("page.") or (key.startswith(("outcome.", "duration.")) and
                                       key not in ("outcome.closed", "outcome.bad")):
            continue  # labels inside other messages, and dashboard texts
        body = texts.text(lang, key, **params)
        assert is_gsm7(body) and gsm7_length(body) <= SMS_SINGLE_LIMIT, (key, len(body))


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_a_checkin_never_carries_more_than_the_case_number(lang: str) -> None:
    body = texts.checkin_text(lang, REF, 1, 3)
    assert REF in body and "1/3" in body
    assert {"1", "2", "3"} <= set(body.split()) or all(n in body for n in ("1 ", "2 ", "3 "))
