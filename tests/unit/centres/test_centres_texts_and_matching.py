"""Centre SMS within one segment in both languages, and which centres a child is offered."""

from pathlib import Path

import pytest

from app.centres import texts
from app.centres.matching import CentreInfo, Need, parse_need, rank_centres
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, is_gsm7
from app.i18n import catalog_keys
from app.referral.matching import Site

CATALOGS = Path(texts.__file__).parent / "translations"
REF = "1234567"
LONG = "WoteSawa Young Domestic Workers Organization"


def test_both_catalogs_have_every_key_with_text() -> None:
    sw, en = catalog_keys(CATALOGS, "sw"), catalog_keys(CATALOGS, "en")
    assert set(sw) == set(en) and all(sw.values()) and all(en.values())


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_every_centre_sms_fits_one_segment_with_the_longest_values(lang: str) -> None:
    params = {"ref": REF, "centre": texts.short_name(LONG * 2, 30), "lead": "+255712345678",
              "free": 999, "n": 99, "refs": ", ".join([REF] * 4), "items": "", "name": ""}
    for key in catalog_keys(CATALOGS, lang):
        if key in ("place.offer", "place.item") or key.startswith("page."):
            continue  # the offer is fitted below; page.* are dashboard texts
        body = texts.text(lang, key, **params)
        assert is_gsm7(body) and gsm7_length(body) <= SMS_SINGLE_LIMIT, (key, len(body))


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_the_offer_lists_as_many_centres_as_fit_one_sms(lang: str) -> None:
    body, listed = texts.offer_text(lang, REF, [(LONG, 12), ("Faraja Vocational Training "
                                                             "Centre", 3), ("Kituo C", 1)] * 2)
    assert gsm7_length(body) <= SMS_SINGLE_LIMIT and 1 <= listed < 6
    assert body.count("(") >= listed and "1 WoteSawa" in body


def _centre(cid: int, **kw: object) -> CentreInfo:
    base = {"region_id": "R1", "council_id": "C1", "ward_id": None, "point": None,
                "services": frozenset({"shelter"}), "takes": frozenset({"girls", "boys"}),
                "age_min": 6, "age_max": 17, "free": 2, "reachable": True}
    base.update(kw)
    return CentreInfo(cid, **base)  # type: ignore[arg-type]


def test_nearest_first_and_only_those_that_fit_the_child() -> None:
    site = Site("R1", "C1", "W1", (0.0, 0.0))
    centres = [_centre(1, council_id="C2", point=(0.0, 1.0)), _centre(2, ward_id="W1"),
               _centre(3, council_id="C2", point=(0.0, 0.5)), _centre(4, free=0),
               _centre(5, reachable=False), _centre(6, takes=frozenset({"boys"})),
               _centre(7, services=frozenset({"education"})), _centre(8, age_min=14)]
    assert [c.id for c in rank_centres(site, centres, Need())] == [2, 6, 8, 3, 1]
    assert [c.id for c in rank_centres(site, centres, Need(sex="girls", age=10))] == [2, 3, 1]


def test_a_centre_whose_intake_is_not_known_is_offered_only_for_a_child_not_described(
        ) -> None:
    site = Site("R1", "C1", "W1", (0.0, 0.0))
    unknown = [_centre(1, takes=frozenset(), age_min=None, age_max=None)]
    assert [c.id for c in rank_centres(site, unknown, Need())] == [1]
    assert rank_centres(site, unknown, Need(sex="girls")) == []
    assert rank_centres(site, unknown, Need(age=12)) == []


def test_the_lead_may_describe_the_child_after_the_case_number() -> None:
    assert parse_need("") == (Need(), None)
    assert parse_need("2") == (Need(), 2)
    assert parse_need("msichana umri 14") == (Need(sex="girls", age=14), None)
    assert parse_need("boy age 9") == (Need(sex="boys", age=9), None)
