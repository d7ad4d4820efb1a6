"""The statistics page's figures, from cases written with known times through the roll-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask

from app.cases.models import Case, CaseCategory
from app.extensions import db
from app.staff.models import AuditEntry
from app.stats import rollup
from app.stats.exports import cases_csv, stats_csv
from app.stats.services import Period, StatsInputError, build_report, parse_period
from tests.integration.stats.stats_helpers import BAGAMOYO, PWANI, TEMEKE, a_case, a_notice

MONDAY = date(2026, 11, 2)  # weeks of 2, 9 and 16 November 2026
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # 09:00 in Dar es Salaam
PERIOD = Period(MONDAY, 3)


def seed() -> None:
    # Week 1: six begging cases in Dar es Salaam, accepted after 10 minutes, alert delivered
    # after 20 s; two urgent transported cases in Temeke, nobody accepted, one escalated.
    for i in range(6):
        a_case(T0 + timedelta(hours=i), accepted_after=timedelta(minutes=10),
               delivered_after=timedelta(seconds=20))
    a_case(T0, council=TEMEKE, category=CaseCategory.TRANSPORTED, urgent=True, escalated=True)
    a_case(T0, council=TEMEKE, category=CaseCategory.TRANSPORTED, urgent=True)
    # Week 3: one case in Bagamoyo (Pwani).
    a_case(T0 + timedelta(weeks=2), council=BAGAMOYO, region=PWANI)
    for _ in range(7):
        a_notice(T0, "ussd.location.ward")
    a_notice(T0, "ussd.category")
    a_notice(T0, "ussd.done", status="Success")  # finished sessions are not abandoned
    db.session.commit()
    with time_machine.travel(T0 + timedelta(weeks=3), tick=False):
        rollup.refresh()
    db.session.commit()


def test_supervisors_see_exact_weekly_counts_timings_councils_and_ussd(app: Flask) -> None:
    seed()
    report = build_report(PERIOD, suppress=False)

    assert report.weeks == [MONDAY, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=2)]
    assert report.series["category"]["begging"] == [6, 0, 1]
    assert report.series["category"]["transported"] == [2, 0, 0]
    assert report.series["urgency"]["urgent"] == [2, 0, 0]
    assert report.series["region"]["Dar es Salaam"] == [8, 0, 0]
    assert report.series["region"]["Pwani"] == [0, 0, 1]
    assert report.total == 9

    timing = {(t.measure, t.urgent): t for t in report.timings}
    accept = timing["accept", None]
    assert accept.count == 6
    assert 450 < accept.median_seconds <= 600  # in the 7.5–10 minute bucket
    delivery = timing["delivery", None]
    assert 10 <= delivery.median_seconds <= 20
    assert timing["accept", True].median_seconds is None  # no urgent case was accepted

    temeke = next(r for r in report.councils if r.council_id == TEMEKE)
    assert (temeke.cases, temeke.escalated, temeke.unaccepted) == (2, 1, 2)
    assert report.councils[0].council_id == TEMEKE  # most unaccepted first
    assert report.ussd == [("ussd.location.ward", 7), ("ussd.category", 1)]


def test_viewers_and_exports_never_see_a_count_from_one_to_four(app: Flask) -> None:
    seed()
    report = build_report(PERIOD, suppress=True)

    assert report.series["category"]["begging"] == [6, 0, None]
    assert report.series["category"]["transported"] == [None, 0, 0]
    temeke = next(r for r in report.councils if r.council_id == TEMEKE)
    assert (temeke.cases, temeke.escalated, temeke.unaccepted) == (None, None, None)
    assert dict(report.ussd)["ussd.category"] is None
    urgent_delivery = next(t for t in report.timings if t.measure == "delivery" and t.urgent)
    assert urgent_delivery.median_seconds is None

    text = stats_csv(PERIOD, actor="staff:7")
    lines = text.splitlines()
    assert "cases_by_category,transported,2026-11-02,<5" in lines
    assert "cases_by_category,begging,2026-11-02,6" in lines
    for line in lines[1:]:
        assert line.rsplit(",", 1)[1] not in {"1", "2", "3", "4"}, line
    assert "counts from 1 to 4 are shown as <5" in text
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.detail["weeks"]) == ("staff:7", "stats.export", 3)


def test_a_region_filter_keeps_only_that_regions_cases(app: Flask) -> None:
    seed()
    report = build_report(Period(MONDAY, 3, PWANI), suppress=False)
    assert report.total == 1
    assert [r.council_id for r in report.councils] == [BAGAMOYO]


def test_a_late_accept_rewrites_only_its_own_week(app: Flask) -> None:
    seed()
    case = db.session.scalars(sa.select(Case).where(Case.council_id == TEMEKE)).first()
    with time_machine.travel(T0 + timedelta(weeks=4), tick=False):
        assert rollup.needs_refresh() is False
        case.accepted_at = T0 + timedelta(hours=5)
        db.session.commit()
        assert rollup.needs_refresh() is True
        assert rollup.refresh() == 1
    db.session.commit()
    temeke = next(r for r in build_report(PERIOD, suppress=False).councils
                  if r.council_id == TEMEKE)
    assert temeke.unaccepted == 1


def test_the_case_export_has_no_personal_data_and_is_audited(app: Flask) -> None:
    seed()
    case = db.session.scalars(sa.select(Case)).first()
    case.landmark = "behind the blue kiosk"
    case.reporter_phone = "+255754000999"
    db.session.commit()
    text = "".join(cases_csv(PERIOD, actor="staff:2"))
    lines = text.splitlines()
    assert lines[0].startswith("reference,created_at,status,category")
    assert len(lines) == 1 + 9
    assert "kiosk" not in text and "754000999" not in text
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.action, entry.detail["rows"]) == ("cases.export", 9)


@pytest.mark.parametrize(("start", "weeks", "region", "message"), [
    ("2026-13-01", "4", "", "not a date"), ("", "x", "", "whole number"),
    ("", "0", "", "between 1 and"), ("", "4", "TZ-99", "unknown region")])
def test_a_bad_filter_is_refused_with_the_reason(app: Flask, start: str, weeks: str,
                                                  region: str, message: str) -> None:
    with pytest.raises(StatsInputError, match=message):
        parse_period(start, weeks, region)


def test_any_day_starts_its_whole_week(app: Flask) -> None:
    assert parse_period("2026-11-05", "2", "").first_week == MONDAY
