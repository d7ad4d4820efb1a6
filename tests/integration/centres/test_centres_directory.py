"""``linda centres import|export``: all-or-nothing, line-numbered errors, idempotent; each
contact a shelter responder who must confirm with ANZA."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.centres.models import Centre, CentreContact
from app.extensions import db
from app.referral.models import Responder
from app.referral.roles import ResponderRole
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import responder, sms_to

DOCS = Path(__file__).resolve().parents[3] / "docs" / "centres.csv"
GOOD = ("name,kind,region,council,ward,services,takes,ages,beds,contacts\n"
        "Kituo cha Amani,safe_house,Dar es Salaam,Ilala,Kariakoo,shelter;psychosocial,girls,"
        "6-17,8,0713 600 001;+255713600002\n"
        "Faraja Vocational Training Centre,vocational_centre,Arusha,,,"
        "vocational;education;shelter,girls;boys,14-24,20,\n")


def _run(app, tmp_path: Path, text: str, *args: str):
    path = tmp_path / "centres.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["centres", "import", str(path), *args])


def test_import_adds_centres_and_contacts_who_must_confirm_then_is_idempotent(
        app, tmp_path) -> None:
    first = _run(app, tmp_path, GOOD)
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 unchanged" in first.output
    contacts = db.session.scalars(sa.select(Responder).order_by(Responder.id)).all()
    assert [(c.phone, c.role, c.confirmed) for c in contacts] == [
        ("+255713600001", ResponderRole.SHELTER, False),
        ("+255713600002", ResponderRole.SHELTER, False)]
    assert "Jibu ANZA" in sms_to("+255713600001", "confirm")[0].body
    amani = db.session.scalar(sa.select(Centre).where(Centre.name == "Kituo cha Amani"))
    assert (amani.services, amani.takes, amani.age_min, amani.age_max, amani.beds) == (
        "shelter;psychosocial", "girls", 6, 17, 8)

    again = _run(app, tmp_path, GOOD)
    assert "0 added, 0 updated, 2 unchanged" in again.output
    assert len(sms_to("+255713600001")) == 1  # asked once only
    changed = _run(app, tmp_path, GOOD.replace(",8,0713 600 001;+255713600002", ",9,0713600001"))
    assert "0 added, 1 updated, 1 unchanged" in changed.output
    assert db.session.scalar(sa.select(sa.func.count(CentreContact.id))) == 1
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "centres.import")) == "centres.import"


def test_bad_rows_are_listed_by_line_and_nothing_is_written(app, tmp_path) -> None:
    responder(ResponderRole.POLICE_GCD, phone="+255713600009")
    bad = GOOD + """Kituo B,hotel,Dar es Salaam,Ilala,,shelter,girls,6-17,3,
Kituo C,shelter,Dar es Salaam,Ilala,,cooking,girls,6-17,3,
Kituo D,shelter,Dar es Salaam,Ilala,,shelter,kids,17-6,x,
Kituo E,shelter,Atlantis,,,shelter,girls,6-17,3,
Kituo F,shelter,Dar es Salaam,,,shelter,girls,6-17,3,0713600009
Kituo cha Amani,shelter,Dar es Salaam,,,shelter,girls,6-17,3,
"""
    result = _run(app, tmp_path, bad)
    assert result.exit_code != 0
    for line, reason in ((4, "kind 'hotel'"), (5, "unknown 'cooking'"), (6, "takes is"),
                         (7, "region"), (8, "police_gcd responder"), (9, "already on line 2")):
        assert f"line {line}: " in result.output and reason in result.output, (line, result.output)
    assert "nothing imported" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Centre.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Responder.id))) == 1


def test_export_imports_back_unchanged_and_the_docs_example_imports(app, tmp_path) -> None:
    _run(app, tmp_path, GOOD)
    exported = app.test_cli_runner().invoke(args=["centres", "export"])
    assert exported.exit_code == 0
    assert exported.output.splitlines()[0] == (
        "name,kind,region,council,ward,services,takes,ages,beds,contacts,taken,free")
    again = _run(app, tmp_path, exported.output)
    assert "0 added, 0 updated, 2 unchanged" in again.output, again.output
    example = _run(app, tmp_path, DOCS.read_text(encoding="utf-8"))
    assert example.exit_code == 0 and "1 added" in example.output, example.output
    listed = app.test_cli_runner().invoke(args=["centres", "list"])
    assert "WoteSawa Young Domestic Workers" in listed.output


def test_the_docs_example_invents_nothing_and_exports_back_as_it_is(app, tmp_path) -> None:
    """The two real centres are examples: no contact, no beds, and whom they take left empty
    (not known here), kept empty through import and export."""
    imported = _run(app, tmp_path, DOCS.read_text(encoding="utf-8"))
    assert imported.exit_code == 0 and "2 added" in imported.output, imported.output
    assert db.session.scalar(sa.select(sa.func.count(Responder.id))) == 0
    wotesawa = db.session.scalar(sa.select(Centre).where(Centre.name.startswith("WoteSawa")))
    assert (wotesawa.takes, wotesawa.age_min, wotesawa.age_max, wotesawa.beds) == (
        "", None, None, 0)
    exported = app.test_cli_runner().invoke(args=["centres", "export"]).output
    assert "WoteSawa Young Domestic Workers Organization,shelter,Mwanza,,," in exported
    assert ",,,0,,0,0" in exported  # takes, ages, beds, contacts, taken, free
    assert "0 added, 0 updated, 2 unchanged" in _run(app, tmp_path, exported).output


def test_a_bad_ages_value_is_refused_but_empty_is_not_known(app, tmp_path) -> None:
    bad = GOOD.replace(",6-17,", ",17-6,")
    out = _run(app, tmp_path, bad)
    assert out.exit_code != 0 and "line 2: ages '17-6'" in out.output, out.output
    empty = _run(app, tmp_path, GOOD.replace(",girls,6-17,", ",,,"))
    assert empty.exit_code == 0, empty.output
