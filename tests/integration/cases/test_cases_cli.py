"""``linda cases list|show``: what hotline staff see, never more personal data than allowed."""

from __future__ import annotations

import getpass

import sqlalchemy as sa

from app.cases.reference import damm_digit
from app.cases.services import NewReport, create_case
from app.cases.vocabulary import CaseCategory
from app.extensions import db
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    BAGAMOYO_KISUTU,
    DSM_CC,
    KARIAKOO,
    REPORTER,
    fresh,
    report,
    responder,
    sms_in,
)


def cases(app, *args: str):
    return app.test_cli_runner().invoke(args=["cases", *args])


def audits(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def detailed_report(*, consent: bool):
    case = create_case(NewReport(category=CaseCategory.FORCED_LABOUR, council_id=DSM_CC,
                                 ward_id=KARIAKOO, urgent=True, callback_consent=consent,
                                 reporter_phone=REPORTER, landmark="behind the red mosque",
                                 details="two girls selling water at night"))
    db.session.commit()
    return case


def test_list_shows_cases_without_personal_data_and_filters(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, name="Asha Mrisho")
    taken = detailed_report(consent=True)
    run_jobs()
    sms_in(police.phone, f"KUBALI {taken.reference}")
    stuck = report(council=BAGAMOYO, ward=BAGAMOYO_KISUTU)  # nobody in Pwani: stuck
    run_jobs()

    result = cases(app, "list")
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split() == ["CASE", "STATUS", "CATEGORY", "URGENT", "PLACE", "CREATED",
                              "(UTC)", "LEAD", "FLAGGED"]
    assert lines[0].startswith(stuck.reference) and "needs_attention" in lines[0]
    assert lines[1].split()[:4] == [taken.reference, "accepted", "forced_labour", "yes"]
    assert "Kariakoo, Ilala (Dar es Salaam CC), Dar es Salaam" in lines[1]
    assert lines[1].split()[-2:] == ["yes", "no"]  # a lead, not flagged
    # Case numbers are random digits and may end in the phone's last two: leave them out.
    shown = result.output.replace(taken.reference, "").replace(stuck.reference, "")
    for secret in (REPORTER, REPORTER[-2:] + " ", "mosque", "girls", "Asha"):
        assert secret not in shown

    needing = cases(app, "list", "--needs-attention").output.splitlines()
    assert [line.split()[0] for line in needing[1:]] == [stuck.reference]
    accepted = cases(app, "list", "--status", "accepted", "--limit", "5").output.splitlines()
    assert [line.split()[0] for line in accepted[1:]] == [taken.reference]
    assert len(cases(app, "list", "--limit", "1").output.splitlines()) == 2
    assert cases(app, "list", "--status", "closed").output == "no closed cases\n"
    clash = cases(app, "list", "--status", "closed", "--needs-attention")
    assert clash.exit_code == 2 and "give one of them" in clash.output
    assert len(audits("cases.list")) == 5
    assert audits("cases.list")[0].actor == f"cli:{getpass.getuser()}"


def test_show_has_the_timeline_alerts_and_details(app, run_jobs) -> None:
    police = responder("police_gcd", ward=KARIAKOO, name="Asha Mrisho")
    swo = responder("social_welfare", name="Juma Said")
    case = detailed_report(consent=True)
    run_jobs()
    sms_in(swo.phone, f"KATAA {case.reference}")
    sms_in(police.phone, f"KUBALI {case.reference}")

    result = cases(app, "show", case.reference)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"Case {case.reference}: accepted\n")
    assert "behind the red mosque" in out and "two girls selling water at night" in out
    assert f"{REPORTER} (agreed to be called back)" in out
    assert "lead       Asha Mrisho (police_gcd)" in out
    assert "Asha Mrisho (police_gcd)  accepted" in out
    assert "Juma Said (social_welfare)  cancelled" in out  # declined, then the case was taken
    timeline = out[out.index("Timeline"):]
    for kind in ("created", "refer", "alert_declined", "accept"):
        assert f"  {kind}  " in timeline
    assert "referred -> accepted  by responder:" in timeline
    (entry,) = audits("cases.show")
    me = f"cli:{getpass.getuser()}"
    assert (entry.actor, entry.target_kind, entry.target_id) == (me, "case", str(case.id))
    assert fresh(case).status.value == "accepted"


def test_show_masks_the_reporter_without_consent(app, run_jobs) -> None:
    case = detailed_report(consent=False)
    run_jobs()
    out = cases(app, "show", case.reference).output
    assert REPORTER not in out
    assert "+255*******99 (did not agree to be called back)" in out
    assert "no_supervisor" in out  # nobody could be alerted, nobody was told


def test_a_mistyped_or_unknown_case_number_is_one_line_and_exit_1(app) -> None:
    case = report()
    typo = case.reference[:5] + case.reference[6] + case.reference[5]  # swapped digits
    if typo == case.reference:
        typo = case.reference[:6] + str((int(case.reference[6]) + 1) % 10)
    for given, says in ((typo, "is not a case number"), ("12", "is not a case number"),
                        (unused_reference(case.reference), "there is no case")):
        result = cases(app, "show", given)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1 and says in result.output
    spaced = cases(app, "show", f"{case.reference[:3]} {case.reference[3:]}")
    assert spaced.exit_code == 0 and spaced.output.startswith(f"Case {case.reference}")
    assert audits("cases.show") and len(audits("cases.show")) == 1


def unused_reference(taken: str) -> str:
    body = "100000" if taken[:6] != "100000" else "100001"
    return body + str(damm_digit(body))
