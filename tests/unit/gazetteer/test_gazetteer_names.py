import pytest

from app.gazetteer.names import (
    COUNCIL_TYPES,
    abbreviation,
    compact,
    council_label_of,
    fold,
    split_council_type,
)


@pytest.mark.parametrize("typed", [
    "Dar es Salaam", "dar-es-salaam", "DAR ES  SALAAM", "  Dar es Salaam. ", "Dar_es_Salaam",
    "DÂR ÉS SALAAM", "dar\tes\nsalaam",
])
def test_fold_ignores_case_accents_punctuation_and_spacing(typed: str) -> None:
    assert fold(typed) == "dar es salaam"


@pytest.mark.parametrize(("typed", "key"), [
    ("Ng'ambo", "ngambo"), ("Ng’ambo", "ngambo"), ("Mang'ula 'B'", "mangula b"),
    ("Boma la Ng'ombe", "boma la ngombe"), ("Kondoa (TC)", "kondoa tc"), ("", ""), ("--", ""),
])
def test_fold_drops_apostrophes_inside_words(typed: str, key: str) -> None:
    assert fold(typed) == key


def test_compact_ignores_missing_spaces() -> None:
    assert compact("Daressalaam") == compact("Dar es Salaam") == "daressalaam"


@pytest.mark.parametrize(("typed", "bare", "council_type"), [
    ("Kondoa TC", "kondoa", "town_council"),
    ("Kondoa (DC)", "kondoa", "district_council"),
    ("kondoa town council", "kondoa", "town_council"),
    ("Kondoa Town", "kondoa", "town_council"),
    ("Halmashauri ya Mji Kondoa", "kondoa", "town_council"),
    ("Halmashauri ya Wilaya ya Kondoa", "kondoa", "district_council"),
    ("Manispaa ya Temeke", "temeke", "municipal_council"),
    ("Temeke Municipal Council", "temeke", "municipal_council"),
    ("Temeke Municipality", "temeke", "municipal_council"),
    ("Jiji la Dodoma", "dodoma", "city_council"),
    ("Dar es Salaam City Council", "dar es salaam", "city_council"),
    ("Kondoa", "kondoa", None),
    ("TC", "tc", None),  # nothing left once the type is removed: not a type
    ("Mjimwema", "mjimwema", None),  # type words count only as whole words
])
def test_split_council_type_finds_the_type_before_or_after_the_name(
        typed: str, bare: str, council_type: str | None) -> None:
    assert split_council_type(typed) == (bare, council_type)


def test_every_council_type_has_a_distinct_abbreviation() -> None:
    abbreviations = [abbreviation(t) for t in COUNCIL_TYPES]
    assert sorted(abbreviations) == ["CC", "DC", "MC", "TC"]


def test_unknown_council_type_has_no_abbreviation() -> None:
    with pytest.raises(KeyError):
        abbreviation("village_council")


def test_council_label_shows_the_everyday_name_first() -> None:
    assert council_label_of("Kondoa", "town_council") == "Kondoa (TC)"
    assert council_label_of("Dar es Salaam", "city_council", "Ilala") == \
        "Ilala (Dar es Salaam CC)"
    assert council_label_of("Arusha", "city_council", "ARUSHA") == "Arusha (CC)"

