"""A case number starting with zeros works everywhere a number is typed or written out."""

from __future__ import annotations

from app.cases.reference import reference_for
from app.cases.services import NewReport, create_case, find_by_reference
from app.cases.vocabulary import CaseCategory
from app.extensions import db
from app.stats.services import parse_period
from app.ussd.menu import graph
from tests.integration.referral.referral_helpers import (
    DSM_CC,
    KARIAKOO,
    fresh,
    responder,
    sms_in,
)
from tests.integration.ussd.ussd_helpers import dial

ZEROS = reference_for(42)  # 000042 and its check digit


def status_key() -> str:
    """The main-menu key of "check a report", whatever number the menu gives it."""
    root = graph().screens[graph().root]
    return next(o.key for o in root.options if o.goto == "status.ask")  # type: ignore[attr-defined]


def test_a_number_with_leading_zeros_is_found_accepted_shown_and_exported(
        app, client, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    case = create_case(NewReport(category=CaseCategory.BEGGING, council_id=DSM_CC,
                                 ward_id=KARIAKOO, reference=ZEROS))
    db.session.commit()
    assert case.reference == ZEROS and find_by_reference(ZEROS) is not None
    run_jobs()

    sms_in(police.phone, f"KUBALI {ZEROS}")
    assert fresh(case).status.value == "accepted"

    screen = dial(client, f"{status_key()}*{ZEROS}").get_data(as_text=True)
    assert screen.startswith("END") and ZEROS in screen

    shown = app.test_cli_runner().invoke(args=["cases", "show", ZEROS])
    assert shown.exit_code == 0 and shown.output.startswith(f"Case {ZEROS}: accepted")

    from app.stats.exports import cases_csv

    exported = "".join(cases_csv(parse_period(None, None, None), actor="test"))
    assert f"\n{ZEROS}," in exported
