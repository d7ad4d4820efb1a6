"""docs/glossary.md stays true to the Swahili catalogs: responders are afisa / maafisa in every
text a responder or reporter reads, and the dashboard uses the words the SMS and USSD use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n import catalog_keys

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
WAITER = re.compile(r"\b[mw]ahudumu\b|\bmhudumu\b", re.IGNORECASE)


def sw(feature: str, folder: str = "translations") -> dict[str, str]:
    return catalog_keys(APP / feature / folder, "sw")


def glossary_row(term: str) -> str:
    """The Swahili column of the dashboard table's row for ``term`` (en)."""
    (row,) = [line for line in GLOSSARY.splitlines() if line.startswith(f"| {term} |")]
    return row.split("|")[2].strip()


def read_by_responders_or_reporters() -> dict[str, str]:
    """Every Swahili SMS or USSD text (``page.*`` keys are dashboard pages)."""
    texts = {}
    for feature in ("referral", "centres", "followup", "smsreport", "ussd", "broadcast"):
        for key, value in sw(feature).items():
            if not key.startswith("page."):
                texts[f"{feature}:{key}"] = value
    return texts


def test_responders_are_afisa_not_mhudumu_in_every_sms_and_ussd_text() -> None:
    texts = read_by_responders_or_reporters()
    assert len(texts) > 100, "too few texts found: a catalog moved"
    assert {k: v for k, v in texts.items() if WAITER.search(v)} == {}


def test_the_placement_request_names_the_lead_as_afisa_kiongozi_wa_kesi() -> None:
    assert "Afisa kiongozi wa kesi: {lead}." in sw("centres")["place.request"]
    assert "maafisa wanaarifiwa" in sw("followup")["checkin.concern"]


def test_the_coordination_message_is_called_as_the_glossary_says() -> None:
    name = glossary_row("coordination message")
    assert name == "ujumbe kwa maafisa"
    assert sw("broadcast")["page.title"].lower() == name
    assert sw("staff")["staff.nav.broadcast"].lower() == name


def test_the_staff_agent_role_stays_mhudumu_wa_simu() -> None:
    assert glossary_row("agent") == "mhudumu wa simu"
    assert sw("staff")["staff.role.agent"] == "mhudumu wa simu"


@pytest.mark.parametrize("category", ["transported", "forced_labour", "sexual_exploitation",
                                      "begging", "false_promise", "other"])
def test_the_dashboard_names_a_category_as_the_alert_does(category: str) -> None:
    assert sw("staff")[f"staff.category.{category}"] == sw("referral")[f"category.{category}"]


def test_the_dashboard_says_mahali_hasa_for_the_landmark_as_the_ussd_does() -> None:
    assert sw("staff")["staff.case.landmark"] == sw("ussd")["ussd.change.landmark"]
    assert sw("ussd")["ussd.change.landmark"].lower() == "mahali hasa"


def test_the_health_worker_role_has_one_name_in_every_role_list() -> None:
    name = glossary_row("health worker (a responder role)")
    assert sw("referral")["role.health"] == name
    assert sw("staff")["staff.rrole.health"] == name
    assert sw("broadcast")["page.role.health"] == name
