"""A report takes at most 8 screens, dial to case number, by name; at most 10 from the lists;
urgent or not (the main menu carries the urgency; an urgent report adds the 112 screen).

Walked over the real gazetteer, in Swahili and English, the way a reporter would: typical
reports (Igogo in Mwanza city, Kariakoo in Ilala, a Pemba and a Zanzibar ward), and every one
of the 4,296 wards, urgent and not, both typed by name and paged to from the lists without
typing a letter. The figures are in docs/ussd-screens.md.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.names import fold
from app.i18n import LANGUAGES
from app.ussd.services import DbProvider
from tests.integration.ussd.screen_count import (
    Walked,
    by_lists,
    by_name,
    council_word,
    shown,
    with_urgency,
)

BY_NAME_MAX = 8
BY_LISTS_MAX = 10


def ward(name: str, council_name: str) -> Ward:
    found = db.session.scalar(sa.select(Ward).join(Council).where(
        Ward.name == name, Council.name == council_name))
    assert found is not None, (name, council_name)
    return found


def typed_for(w: Ward) -> list[str]:
    return [fold(w.name), f"{fold(w.name)} {council_word(w.council.name, w.council.known_as)}"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "council", "typed", "label"), [
    ("Igogo", "Mwanza", "igogo", "Igogo (Nyamagana, Mwanza)"),
    ("Igogo", "Mwanza", "44646", "Igogo (Nyamagana, Mwanza)"),  # keypad digits
    ("Kariakoo", "Dar es Salaam", "kariakoo", "Kariakoo (Ilala, Dar es Salaam)"),
    ("Kariakoo", "Dar es Salaam", "karia", "Kariakoo (Ilala, Dar es Salaam)"),
    ("Ngwachani", "Mkoani", "ngwachani", "Ngwachani (Mkoani, Kusini Pemba)"),
    ("Kikwajuni Juu", "Mjini", "kikwaj", "Kikwajuni Juu (Mjini Magharibi)"),
])
def test_typical_reports_by_name_take_at_most_8_screens(
        app: Flask, lang: str, name: str, council: str, typed: str, label: str) -> None:
    target = ward(name, council)
    walked = by_name(target.id, [typed], urgent=True)
    screens = shown(walked, lang)
    assert walked.pos.screen.id == "report.done"
    assert walked.pos.answers["ward"] == target.id
    assert walked.screens == len(screens) <= BY_NAME_MAX
    assert any(label in s for s in screens), screens  # the list said where the place is
    assert "\n1234567\n" in screens[-1]  # the case number on its own line
    assert all(len(s) <= 160 for s in screens)


def test_every_ward_with_a_shared_name_takes_at_most_8_screens(app: Flask) -> None:
    names = db.session.scalars(sa.select(Ward.search_key).group_by(Ward.search_key)
                               .having(sa.func.count(Ward.id) > 1)).all()
    wards = db.session.scalars(sa.select(Ward).where(Ward.search_key.in_(names))).all()
    provider = DbProvider()
    counts = Counter(by_name(w.id, typed_for(w), provider=provider).screens for w in wards)
    assert len(wards) > 400
    assert max(counts) <= BY_NAME_MAX, counts


@pytest.mark.parametrize("region", ["Kaskazini Pemba", "Kusini Pemba", "Mjini Magharibi"])
def test_every_ward_of_pemba_and_zanzibar_town_takes_at_most_8_screens(
        app: Flask, region: str) -> None:
    wards = db.session.scalars(sa.select(Ward).join(Council).join(Region)
                               .where(Region.name == region)).all()
    provider = DbProvider()
    counts = Counter(by_name(w.id, typed_for(w), provider=provider).screens for w in wards)
    assert wards and max(counts) <= BY_NAME_MAX, counts


def test_every_ward_of_the_longest_councils_by_name_takes_at_most_8_screens(app: Flask) -> None:
    longest = db.session.scalars(
        sa.select(Council).join(Ward).group_by(Council.id)
        .order_by(sa.func.count(Ward.id).desc(), Council.id).limit(3)).all()
    provider = DbProvider()
    for council in longest:
        for w in council.wards:
            assert by_name(w.id, typed_for(w), provider=provider).screens <= BY_NAME_MAX


def _counted(walked: Walked, urgent: bool, ward_id: str,
             counts: Counter[tuple[bool, int]]) -> None:
    """Check one finished walk and count its screens under its urgency."""
    pos = walked.pos
    assert pos.screen.id == "report.done", walked.inputs
    assert pos.answers["ward"] == ward_id and pos.answers["urgent"] is urgent
    counts[(urgent, walked.screens)] += 1


def _worst(counts: Counter[tuple[bool, int]], urgent: bool) -> int:
    return max(n for u, n in counts if u is urgent)


def test_every_ward_of_the_country_is_paged_to_in_at_most_10_screens(app: Flask) -> None:
    """Typing nothing: "danger now" (and the 112 screen) or "report", what was seen, the
    regions' index on the place question, the region, the council, the ward's range and the
    ward, then "send now"."""
    provider = DbProvider()
    counts: Counter[tuple[bool, int]] = Counter()
    for region in provider.items("regions", None):
        for council in provider.items("councils", region.id):
            for w in provider.items("wards", council.id):
                walked = by_lists(region.id, council.id, w.id, provider=provider)
                _counted(walked, False, w.id, counts)
                _counted(with_urgency(walked, True, provider), True, w.id, counts)
    wards = db.session.scalar(sa.select(sa.func.count(Ward.id)))
    assert sum(counts.values()) == 2 * wards > 8000
    assert _worst(counts, urgent=True) <= BY_LISTS_MAX, counts
    assert _worst(counts, urgent=False) <= BY_LISTS_MAX, counts


def test_every_ward_of_the_country_is_found_by_name_in_at_most_8_screens(app: Flask) -> None:
    """Typing the ward's name, then the name and a word of the council when the first page of
    matches does not show it; urgent and not."""
    provider = DbProvider()
    counts: Counter[tuple[bool, int]] = Counter()
    for w in db.session.scalars(sa.select(Ward).order_by(Ward.id)):
        walked = by_name(w.id, typed_for(w), urgent=True, provider=provider)
        _counted(walked, True, w.id, counts)
        _counted(with_urgency(walked, False, provider), False, w.id, counts)
    assert sum(counts.values()) > 8000
    assert _worst(counts, urgent=True) <= BY_NAME_MAX, counts
    assert _worst(counts, urgent=False) <= BY_NAME_MAX, counts


def test_a_ward_left_unknown_from_the_lists_takes_at_most_9_screens(app: Flask) -> None:
    provider = DbProvider()
    for region in provider.items("regions", None):
        for council in provider.items("councils", region.id):
            walked = by_lists(region.id, council.id, None, provider=provider)
            assert walked.pos.answers["council"] == council.id
            assert walked.pos.answers["ward"] is None and walked.screens <= 8
            urgent = with_urgency(walked, True, provider)
            assert urgent.pos.screen.id == "report.done" and urgent.screens <= 9


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_worst_paged_report_of_each_council_fits_every_screen(app: Flask, lang: str) -> None:
    """The last ward of each council (on its last range: the longest walk there is), every
    screen shown in the language, each within 160 characters."""
    provider = DbProvider()
    for region in provider.items("regions", None):
        for council in provider.items("councils", region.id):
            last = provider.items("wards", council.id)[-1]
            walked = by_lists(region.id, council.id, last.id, provider=provider)
            screens = shown(walked, lang, provider)
            assert len(screens) == walked.screens <= BY_LISTS_MAX
            assert all(len(s) <= 160 for s in screens), screens
            assert "\n1234567\n" in screens[-1]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "council", "urgent", "expected"), [
    ("Igogo", "Mwanza", False, 9), ("Igogo", "Mwanza", True, 10),
    ("Kariakoo", "Dar es Salaam", False, 9), ("Kariakoo", "Dar es Salaam", True, 10),
    ("Ngwachani", "Mkoani", False, 9), ("Ngwachani", "Mkoani", True, 10),
])
def test_typical_wards_found_by_paging(app: Flask, lang: str, name: str, council: str,
                                       urgent: bool, expected: int) -> None:
    target = ward(name, council)
    walked = by_lists(target.council.region_id, target.council_id, target.id, urgent=urgent)
    screens = shown(walked, lang)
    assert walked.pos.screen.id == "report.done" and walked.pos.answers["ward"] == target.id
    assert walked.screens == len(screens) == expected
    assert all(len(s) <= 160 for s in screens)
