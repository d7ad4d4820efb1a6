"""``linda responders import/export``: all-or-nothing, idempotent, one confirmation SMS."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.referral.directory import ImportFileError, export_rows, parse_csv
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import sms_to

GOOD = """name,phone,role,region,council,ward,languages,on_duty
Asha Mrisho,0713 000 101,police_gcd,Dar es Salaam,Ilala,Kariakoo,sw,yes
Juma Said,255713000102,social_welfare,dar es salaam,Dar es Salaam CC,,sw;en,yes
Safe House Pwani,+255713000103,shelter,Pwani,,,en,no
"""


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["responders", *args])


def write(tmp_path: Path, text: str, name: str = "responders.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def responders() -> list[Responder]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Responder).order_by(Responder.id)))


def test_import_adds_resolves_places_and_asks_each_new_number_once(app, tmp_path) -> None:
    result = run(app, "import", write(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged" in result.output
    asha, juma, shelter = responders()
    assert (asha.phone, asha.role, asha.council_id, asha.ward_id) == (
        "+255713000101", ResponderRole.POLICE_GCD, "TZ-02-C053", "W01116")
    assert (juma.council_id, juma.ward_id, juma.languages, juma.language) == (
        "TZ-02-C053", None, "sw;en", "sw")
    assert (shelter.region_id, shelter.council_id, shelter.on_duty) == ("TZ-19", None, False)
    assert not any(r.confirmed for r in responders())
    (ask,) = sms_to(asha.phone, "confirm")
    assert "Linda hotline" in ask.body and "Dawati la Jinsia na Watoto" in ask.body
    assert "ANZA" in ask.body
    assert "START" in sms_to(shelter.phone, "confirm")[0].body  # English speaker

    again = run(app, "import", write(tmp_path, GOOD))
    assert "0 added, 0 updated, 3 unchanged" in again.output
    assert len(sms_to(asha.phone)) == 1  # still one confirmation SMS

    changed = run(app, "import", write(tmp_path, GOOD.replace(",sw;en,yes", ",sw;en,no")))
    assert "0 added, 1 updated, 2 unchanged" in changed.output
    assert not responders()[1].on_duty
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "responders.import")) == 3


def test_a_bad_file_names_every_bad_line_and_writes_nothing(app, tmp_path) -> None:
    bad = GOOD + "\n".join([
        "Polisi,0713000104,polisi,Dar es Salaam,Ilala,,sw,yes",
        "No Phone,12345,police_gcd,Dar es Salaam,Ilala,,sw,yes",
        "Lost,0713000106,health,Dar es Salaam,Ilalla,,sw,yes",
        "Where,0713000107,health,Dodoma,Kondoa,,sw,yes",
        "Tongue,0713000108,health,Dar es Salaam,Ilala,,fr,yes",
        "Maybe,0713000109,health,Dar es Salaam,Ilala,,sw,sometimes",
        "Twice,0713 000 101,health,Dar es Salaam,Ilala,,sw,yes",
        "Nowhere,0713000110,health,Atlantis,,,sw,yes",
    ]) + "\n"
    result = run(app, "import", write(tmp_path, bad))
    assert result.exit_code != 0
    out = result.output
    assert "line 5: unknown role 'polisi'" in out
    assert "line 6: phone '12345' is not a Tanzanian phone number" in out
    assert "line 7:" in out and "Ilala" in out.split("line 7:")[1].splitlines()[0]  # suggestion
    assert "line 8:" in out and "could be" in out.split("line 8:")[1].splitlines()[0]
    assert "line 9: languages 'fr'" in out
    assert "line 10: on_duty 'sometimes' must be yes or no" in out
    assert "line 11: phone +255713000101 is already on line 2" in out
    assert "line 12:" in out and "Atlantis" in out
    assert "nothing imported" in out
    assert responders() == []
    assert sms_to("+255713000101") == []


@pytest.mark.parametrize(("text", "error"), [
    ("name,phone,role\nA,0713000101,health\n", "line 1: missing column(s) region"),
    ("name,phone,role,region,council,ward,languages,on_duty\n", "no responders"),
    (GOOD.replace("Ilala,Kariakoo", ",Kariakoo"), "line 2: a ward needs its council"),
    (GOOD.replace(",on_duty\n", ",on_duty,lat,lon\n").replace(",sw,yes\n", ",sw,yes,-6.8,\n"),
     "line 2: give both lat and lon"),
])
def test_header_and_row_shape_errors(app, text: str, error: str) -> None:
    with pytest.raises(ImportFileError) as exc:
        parse_csv(text)
    assert error in str(exc.value)


def test_export_imports_back_unchanged_and_shows_who_confirmed(app, tmp_path) -> None:
    run(app, "import", write(tmp_path, GOOD.replace(
        ",on_duty\n", ",on_duty,lat,lon\n").replace(",sw,yes\n", ",sw,yes,-6.8162,39.2803\n")))
    asha = responders()[0]
    assert (asha.lat, asha.lon) == (-6.8162, 39.2803)
    from app.clock import utcnow

    asha.confirmed_at = asha.last_verified_at = utcnow()
    db.session.commit()
    rows = export_rows()
    assert [r["confirmed"] for r in rows] == ["yes", "no", "no"]
    assert rows[0]["council"] == "Ilala (Dar es Salaam CC)" and rows[0]["ward"] == "Kariakoo"

    out = tmp_path / "export.csv"
    result = run(app, "export", "--output", str(out))
    assert result.exit_code == 0, result.output
    header = out.read_text().splitlines()[0]
    assert header.startswith("name,phone,role,region,council,ward,languages,on_duty,lat,lon")
    again = run(app, "import", str(out))
    assert "0 added, 0 updated, 3 unchanged" in again.output, again.output
    assert "+255713000102" in run(app, "export").output


def test_a_missing_file_is_one_clear_line(app, tmp_path) -> None:
    result = run(app, "import", str(tmp_path / "nope.csv"))
    assert result.exit_code != 0
    assert "cannot read" in result.output and "nope.csv" in result.output
