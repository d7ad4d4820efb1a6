import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.names import compact
from app.gazetteer.services import (
    AmbiguousNameError,
    UnknownPlaceError,
    council_label,
    councils_of,
    find_council,
    find_region,
    find_ward,
    list_regions,
    resolve_place,
    search_wards,
    wards_of,
)
from app.gsm import is_gsm7


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def dar() -> Region:
    region = find_region("Dar es Salaam")
    assert region is not None
    return region


def dodoma() -> Region:
    region = find_region("Dodoma")
    assert region is not None
    return region


def test_the_2022_census_units_are_loaded(app: Flask) -> None:
    assert (count(Region), count(Council), count(Ward)) == (31, 194, 4296)


def test_regions_are_listed_alphabetically(app: Flask) -> None:
    names = [r.name for r in list_regions()]
    assert len(names) == 31
    assert names[:3] == ["Arusha", "Dar es Salaam", "Dodoma"]
    assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize("typed", [
    "Dar es Salaam", "dar-es-salaam", "DAR ES  SALAAM", "daressalaam", "TZ-02", "tz-02", "DSM",
])
def test_find_region_tolerates_how_people_type(app: Flask, typed: str) -> None:
    assert find_region(typed) == db.session.get(Region, "TZ-02")


def test_find_region_knows_english_names_and_ignores_word_order(app: Flask) -> None:
    assert find_region("Coast").name == "Pwani"
    assert find_region("Zanzibar West").name == "Mjini Magharibi"
    assert find_region("Unguja Kaskazini").name == "Kaskazini Unguja"
    assert find_region("pemba-kusini").name == "Kusini Pemba"


@pytest.mark.parametrize("typed", ["", "  ", "Nairobi", "TZ07"])
def test_find_region_returns_none_for_unknown_names(app: Flask, typed: str) -> None:
    assert find_region(typed) is None


def test_dar_es_salaam_menu_shows_its_five_councils(app: Flask) -> None:
    assert [council_label(c) for c in councils_of(dar().id)] == [
        "Ilala (Dar es Salaam CC)", "Kigamboni (MC)", "Kinondoni (MC)", "Temeke (MC)",
        "Ubungo (MC)"]


@pytest.mark.parametrize(("typed", "council_id"), [
    ("Ilala", "TZ-02-C053"), ("Kinondoni", "TZ-02-C052"), ("Temeke", "TZ-02-C054"),
    ("Kigamboni", "TZ-02-C055"), ("Ubungo", "TZ-02-C056"),
    ("ilala mc", "TZ-02-C053"),  # its name until 2021
    ("Dar es Salaam City Council", "TZ-02-C053"), ("Jiji la Dar es Salaam", "TZ-02-C053"),
    ("Manispaa ya Temeke", "TZ-02-C054"), ("KINONDONI (MC)", "TZ-02-C052"),
    ("TZ-02-C056", "TZ-02-C056"),
])
def test_every_dar_es_salaam_council_is_found(app: Flask, typed: str, council_id: str) -> None:
    assert find_council(dar(), typed).id == council_id


def test_kondoa_councils_are_told_apart_by_type(app: Flask) -> None:
    dc, tc = (c for c in councils_of(dodoma().id) if c.name == "Kondoa")
    assert (council_label(dc), council_label(tc)) == ("Kondoa (DC)", "Kondoa (TC)")
    for typed in ("Kondoa DC", "Kondoa (DC)", "kondoa district council",
                  "Halmashauri ya Wilaya ya Kondoa"):
        assert find_council(dodoma(), typed) == dc
    for typed in ("Kondoa TC", "Kondoa (TC)", "Kondoa Town Council", "Kondoa Mji"):
        assert find_council(dodoma(), typed) == tc


@pytest.mark.parametrize("typed", ["Kondoa", "kondoa", "Kondoa MC"])
def test_a_bare_shared_name_is_ambiguous_and_lists_the_choices(app: Flask, typed: str) -> None:
    with pytest.raises(AmbiguousNameError) as caught:
        find_council(dodoma(), typed)
    assert [council_label(c) for c in caught.value.choices] == ["Kondoa (DC)", "Kondoa (TC)"]
    assert caught.value.kind == "council"
    assert "Kondoa (DC), Kondoa (TC)" in str(caught.value)


def test_every_shared_council_name_is_ambiguous_and_every_label_unique(app: Flask) -> None:
    for region in list_regions():
        councils = councils_of(region.id)
        labels = [council_label(c) for c in councils]
        assert len(set(labels)) == len(labels), region.name
        for council in councils:
            same = [c for c in councils if c.name == council.name]
            if len(same) > 1:
                with pytest.raises(AmbiguousNameError):
                    find_council(region, council.name)
            assert find_council(region, council_label(council)) == council


def test_an_unknown_council_suggests_close_names(app: Flask) -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        find_council(dodoma(), "Chamwno")
    assert [c.name for c in caught.value.suggestions][:1] == ["Chamwino"]
    assert "did you mean: Chamwino (DC)" in str(caught.value)


def test_a_council_of_another_region_is_unknown(app: Flask) -> None:
    with pytest.raises(UnknownPlaceError, match="no council called 'Temeke' in Dodoma"):
        find_council(dodoma(), "Temeke")


@pytest.mark.parametrize("typed", ["", "   ", "TC"])
def test_an_empty_council_name_is_unknown(app: Flask, typed: str) -> None:
    with pytest.raises(UnknownPlaceError):
        find_council(dodoma(), typed)


def test_find_ward_tolerates_case_spacing_and_apostrophes(app: Flask) -> None:
    temeke = find_council(dar(), "Temeke")
    for typed in ("Chang'ombe", "changombe", "CHANG OMBE", "Chang’ombe", "W01157"):
        assert find_ward(temeke, typed).name == "Chang'ombe"


def test_an_unknown_ward_suggests_close_names(app: Flask) -> None:
    ilala = find_council(dar(), "Ilala")
    with pytest.raises(UnknownPlaceError) as caught:
        find_ward(ilala, "Kariako")
    assert caught.value.kind == "ward"
    assert [w.name for w in caught.value.suggestions][:1] == ["Kariakoo"]


def test_ward_names_are_unique_inside_each_council(app: Flask) -> None:
    rows = db.session.execute(sa.select(Ward.council_id, Ward.search_key)).all()
    keys = [(council_id, compact(key)) for council_id, key in rows]
    assert len(set(keys)) == len(keys) == 4296


def test_every_name_fits_an_sms_without_unicode(app: Flask) -> None:
    names = db.session.scalars(sa.select(Ward.name)).all()
    labels = [council_label(c) for c in db.session.scalars(sa.select(Council))]
    assert all(is_gsm7(text) for text in [*names, *labels])


def test_wards_are_listed_alphabetically(app: Flask) -> None:
    names = [w.name for w in wards_of(find_council(dar(), "Ubungo").id)]
    assert len(names) == 14
    assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize(("typed", "first"), [
    ("kari", "Kariakoo"), ("KARIA", "Kariakoo"), ("kariyakoo", "Kariakoo"),
    ("jang", "Jangwani"), ("gerez", "Gerezani"), ("mcha", "Mchafukoge"),
])
def test_search_wards_by_first_letters(app: Flask, typed: str, first: str) -> None:
    found = search_wards(find_council(dar(), "Ilala").id, typed)
    assert [w.name for w in found][:1] == [first]


def test_search_wards_puts_prefix_matches_first_and_respects_the_limit(app: Flask) -> None:
    ilala = find_council(dar(), "Ilala").id
    found = [w.name for w in search_wards(ilala, "ki", limit=4)]
    assert len(found) == 4
    assert all(name.startswith("Ki") for name in found)
    assert search_wards(ilala, "ki", limit=0) == []


def test_search_wards_reads_digits_as_keypad_letters(app: Flask) -> None:
    ilala = find_council(dar(), "Ilala").id
    assert [w.name for w in search_wards(ilala, "5274")] == ["Kariakoo"]  # K-A-R-I


def test_search_wards_finds_later_words(app: Flask) -> None:
    kilolo = find_council(find_region("Iringa"), "Kilolo").id
    assert "Boma la Ng'ombe" in [w.name for w in search_wards(kilolo, "ngombe")]


@pytest.mark.parametrize("typed", ["", " ", "'", "zzzq"])
def test_search_wards_finds_nothing_for_nonsense(app: Flask, typed: str) -> None:
    assert search_wards(find_council(dar(), "Ilala").id, typed) == []


def test_resolve_place_names_which_level_failed(app: Flask) -> None:
    place = resolve_place("dar es salaam", "ilala", "kariakoo")
    assert (place.region.id, place.council.id, place.ward.name) == \
        ("TZ-02", "TZ-02-C053", "Kariakoo")
    assert resolve_place("Dodoma", "Kondoa TC", "").ward is None
    with pytest.raises(UnknownPlaceError) as caught:
        resolve_place("Dar es Salam", "Ilala")
    assert caught.value.kind == "region"
    assert [r.name for r in caught.value.suggestions] == ["Dar es Salaam"]
    with pytest.raises(AmbiguousNameError) as ambiguous:
        resolve_place("Dodoma", "Kondoa", "Kolo")
    assert ambiguous.value.kind == "council"
    with pytest.raises(UnknownPlaceError) as unknown_ward:
        resolve_place("Dodoma", "Kondoa TC", "Kariakoo")
    assert unknown_ward.value.kind == "ward"
