from types import SimpleNamespace

import pytest

from app.gazetteer.matching import distance_km, first_point, keypad_digits, rank_typed

WARDS = ["Kariakoo", "Kisutu", "Kivukoni", "Jangwani", "Boma la Ng'ombe", "Mchafukoge",
         "Mchikichini", "Gerezani", "Ng'ambo"]


def ranked(typed: str, limit: int = 6) -> list[str]:
    return [WARDS[i] for i in rank_typed(typed, WARDS, limit)]


def test_prefix_matches_come_first_alphabetically_then_later_words() -> None:
    assert ranked("ng") == ["Ng'ambo", "Boma la Ng'ombe"]
    assert ranked("ki") == ["Kisutu", "Kivukoni"]
    assert ranked("MCH") == ["Mchafukoge", "Mchikichini"]


def test_spelling_slips_are_found_after_exact_prefixes() -> None:
    assert ranked("kariyakoo") == ["Kariakoo"]
    assert ranked("karyak") == ["Kariakoo"]
    assert ranked("jangwan") == ["Jangwani"]


def test_two_letters_are_not_guessed_at() -> None:
    assert ranked("kx") == []


@pytest.mark.parametrize("typed", ["", "  ", "-", "zzzq", "12"])
def test_nothing_fits_nonsense(typed: str) -> None:
    assert ranked(typed) == []


def test_limit_cuts_the_list() -> None:
    assert ranked("k", limit=2) == ["Kariakoo", "Kisutu"]
    assert ranked("k", limit=0) == []


def test_keypad_digits_spell_names() -> None:
    assert keypad_digits("Kariakoo") == "52742566"
    assert keypad_digits("Ng'ambo") == "642626"


def test_digits_are_read_as_keypad_letters() -> None:
    assert ranked("5274") == ["Kariakoo"]
    assert ranked("54") == ["Kisutu", "Kivukoni"]  # K-I / J-G…: ki, kh, jg… all on 5 then 4
    assert ranked("646") == ["Boma la Ng'ombe"]  # N-G-O of its last word


def test_first_point_skips_places_without_coordinates() -> None:
    none, half = SimpleNamespace(lat=None, lon=None), SimpleNamespace(lat=-6.8, lon=None)
    seat = SimpleNamespace(lat=-6.82, lon=39.27)
    assert first_point(none, half, seat) == (-6.82, 39.27)
    assert first_point(None, none) is None
    assert first_point() is None


def test_distance_km_is_the_great_circle_distance() -> None:
    dar, dodoma = (-6.8161, 39.2804), (-6.0103, 35.8245)
    assert distance_km(dar, dar) == 0
    assert distance_km((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111.19, abs=0.01)
    assert distance_km(dar, dodoma) == pytest.approx(distance_km(dodoma, dar))
    assert 380 < distance_km(dar, dodoma) < 400
    assert distance_km((0.0, 0.0), (0.0, 180.0)) == pytest.approx(20015.1, abs=0.1)
