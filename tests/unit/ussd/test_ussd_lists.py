"""Long lists on one screen: whole when they fit, else an index whose ranges a reader can
trust (every name lies in the range that says it does) and whose pages fit."""

from __future__ import annotations

import pytest

from app.gazetteer.names import fold, short_council_labels
from app.ussd.lists import index_labels, keys_to, layout, lines_cost, numbered

WARDS = ["Bariadi", "Bunamhala", "Guduwi", "Igaganulwa", "Kasoli", "Kidinda", "Malambo",
         "Matongo", "Mhango", "Mwadobana", "Ng'wang'wangu", "Nkindwabiye", "Nyakabindi",
         "Sapiwi", "Sima", "Somanda", "Ukweni"]


def test_a_short_list_is_shown_whole() -> None:
    lay = layout(["Bahi", "Chamwino", "Kondoa (DC)"], [None] * 3, 100, 7)
    assert not lay.indexed and lay.labels == ("Bahi", "Chamwino", "Kondoa (DC)")
    assert keys_to(lay, 2) == ["3"]


def test_short_labels_are_used_when_they_make_the_list_fit_one_screen() -> None:
    full = [f"Council {n} (DC)" for n in range(9)]
    shorts = [f"Council {n}" for n in range(9)]
    assert layout(full, shorts, lines_cost(shorts), 99).labels == tuple(shorts)
    assert layout(full, shorts, lines_cost(full), 99).labels == tuple(full)


def test_a_list_offering_dont_know_is_whole_only_up_to_seven_names() -> None:
    eight = WARDS[:8]
    lay = layout(eight, [None] * 8, 500, 7)
    assert lay.indexed and len(lay.pages) == 2  # "8" stays "don't know"
    assert keys_to(lay, 7, taken=["8"]) == ["2", "4"]


@pytest.mark.parametrize("budget", [45, 60, 90, 116])
def test_every_name_lies_in_the_range_its_index_names(budget: int) -> None:
    lay = layout(WARDS, [None] * len(WARDS), budget, 7)
    assert lay.indexed
    assert [i for page in lay.pages for i in page] == list(range(len(WARDS)))
    assert lines_cost(lay.ranges) <= budget
    for page, label in zip(lay.pages, lay.ranges, strict=True):
        assert all(lines_cost([lay.labels[i] for i in page][:1]) <= budget for i in page)
        ends = [fold(end) for end in label.split("-")]
        first, last = ends[0], ends[-1]
        for i in page:
            name = fold(WARDS[i])
            assert name[: len(first)] >= first and name[: len(last)] <= last, (label, name)


def test_pages_are_even_rather_than_a_last_page_of_one() -> None:
    lay = layout(WARDS, [None] * len(WARDS), 45, 7)
    sizes = [len(page) for page in lay.pages]
    assert max(sizes) - min(sizes) <= 2, sizes


def test_the_index_names_whole_ends_when_they_fit_else_first_letters() -> None:
    pages = [range(0, 6), range(6, 12), range(12, 17)]
    assert index_labels(WARDS, pages, 200) == (
        "Bariadi-Kidinda", "Malambo-Nkindwabiye", "Nyakabindi-Ukweni")
    assert index_labels(WARDS, pages, 30) == ("B-K", "M-Nk", "Ny-Uk")


def test_keys_pass_over_what_the_screen_keeps_for_itself() -> None:
    assert numbered(9, ["8"]) == ["1", "2", "3", "4", "5", "6", "7", "9", "10"]


def test_short_council_labels_keep_the_type_only_where_a_name_is_shared() -> None:
    assert short_council_labels([
        ("Handeni", "district_council", None), ("Handeni", "town_council", None),
        ("Bumbuli", "district_council", None),
        ("Mwanza", "city_council", "Nyamagana"),
    ]) == ["Handeni DC", "Handeni TC", "Bumbuli", "Nyamagana (Mwanza CC)"]
