"""Alerts fit two SMS segments for every place of the real gazetteer, in both languages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen
from app.extensions import db
from app.gazetteer.models import Council, Ward
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, sms_segments
from app.referral.services import place_parts, render_alert
from app.referral.texts import exhausted_text
from tests.integration.referral.referral_helpers import BAGAMOYO, PWANI, report, responder, sms_to


def longest_ward() -> Ward:
    wards = db.session.scalars(sa.select(Ward)).all()
    assert len(wards) > 3000, "the real gazetteer is loaded"

    def size(w: Ward) -> int:
        return len(", ".join(place_parts(Case(region_id=w.council.region_id,
                                              council_id=w.council_id, ward_id=w.id))))

    return max(wards, key=size)


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_the_longest_alert_fits_two_segments_and_names_ward_and_council(app, lang: str
                                                                       ) -> None:
    ward = longest_ward()
    landmark = "Nyumba ya bluu nyuma ya msikiti mkubwa karibu na kituo cha basi"[:60]
    for category in CaseCategory:
        for labour in (None, LabourKind.MINING):
            case = Case(reference="1234567", category=category, urgent=True,
                        region_id=ward.council.region_id, council_id=ward.council_id,
                        ward_id=ward.id, callback_consent=True, labour_kind=labour,
                        children=ChildrenCount.MANY, seen_when=SeenWhen.EARLIER)
            case.landmark = landmark
            case.reporter_phone = "+255754000999"
            body = render_alert(case, lang)
            assert sms_segments(body) <= 2, body
            assert ward.name in body and "+255754000999" in body and "1234567" in body
            assert ward.council.name in body and landmark[:12] in body
            assert not any(f"({t})" in body or f" {t})" in body for t in ("DC", "TC", "MC", "CC"))
            alarm = exhausted_text(lang, ref="1234567", category=category.value, urgent=True,
                                   place_parts=place_parts(case))
            assert gsm7_length(alarm) <= SMS_SINGLE_LIMIT and ward.name in alarm


def council_id(name: str, council_type: str = "district_council") -> str:
    return db.session.scalars(sa.select(Council.id).where(
        Council.region_id == PWANI, Council.name == name,
        Council.council_type == council_type)).one()


def test_within_a_region_the_nearer_councils_come_first(app, run_jobs) -> None:
    # From Bagamoyo's seat: Kibaha ~36 km, Kisarawe ~54 km, Mkuranga ~82 km.
    far = responder("community_development", region=PWANI, council=council_id("Mkuranga"))
    near = responder("community_development", region=PWANI, council=council_id("Kibaha"))
    mid = responder("community_development", region=PWANI, council=council_id("Kisarawe"))
    other_region = responder("community_development", region="TZ-02", council="TZ-02-C053")
    report(council=BAGAMOYO, ward=None, category=CaseCategory.BEGGING, urgent=False)
    run_jobs()
    assert len(sms_to(near.phone, "alert")) == 1
    assert len(sms_to(mid.phone, "alert")) == 1
    assert sms_to(far.phone, "alert") == [] and sms_to(other_region.phone, "alert") == []
