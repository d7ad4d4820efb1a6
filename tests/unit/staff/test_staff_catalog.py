"""The staff catalog: every key in both languages, every sw text filled, every key the
templates and code use present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cases.models import CaseCategory, CaseSource, ChildrenCount, LabourKind, SeenWhen
from app.cases.status import CaseStatus
from app.i18n import catalog_keys
from app.referral.roles import ResponderRole
from app.referral.status import AlertStatus
from app.sms.status import SmsStatus
from app.staff.accounts import DONE
from app.staff.casework import Outcome
from app.staff.models import StaffRole
from app.staff.queries import STATUS_CHOICES

STAFF = Path(__file__).resolve().parents[3] / "app" / "staff"
CATALOG = STAFF / "translations"


def test_both_languages_have_the_same_keys_and_every_text() -> None:
    sw, en = catalog_keys(CATALOG, "sw"), catalog_keys(CATALOG, "en")
    assert sw.keys() == en.keys()
    assert [k for k, v in sw.items() if not v] == []
    assert [k for k, v in en.items() if not v] == []


def test_placeholders_match_between_languages() -> None:
    sw, en = catalog_keys(CATALOG, "sw"), catalog_keys(CATALOG, "en")
    for key in sw:
        assert set(re.findall(r"{(\w+)}", sw[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_literal_key_in_templates_and_code_exists() -> None:
    keys = catalog_keys(CATALOG, "sw")
    used = set()
    for path in [*STAFF.rglob("*.html"), *STAFF.rglob("*.py")]:
        used |= set(re.findall(r"""[_t]\(\s*["'](staff\.[a-z0-9_.]+)["']""", path.read_text()))
    assert used, "no key found: the pattern is wrong"
    used = {k for k in used if not k.endswith(".")}  # prefixes joined with a value
    assert sorted(used - keys.keys()) == []


@pytest.mark.parametrize("prefix, values", [
    ("staff.status.", [s.value for s in CaseStatus] + list(STATUS_CHOICES)),
    ("staff.category.", [c.value for c in CaseCategory]),
    ("staff.labour.", [k.value for k in LabourKind]),
    ("staff.children.", [c.value for c in ChildrenCount]),
    ("staff.seen.", [s.value for s in SeenWhen]),
    ("staff.source.", [s.value for s in CaseSource]),
    ("staff.alert.", [a.value for a in AlertStatus]),
    ("staff.sms.", [s.value for s in SmsStatus]),
    ("staff.rrole.", [r.value for r in ResponderRole]),
    ("staff.role.", [r.value for r in StaffRole]),
    ("staff.outcome.", [o.value for o in Outcome] + ["hoax", "duplicate"]),
    ("staff.attention.", ["needs_attention", "urgent", "held", "failed"]),
    ("staff.action.done.", ["note", "alert", "escalate", "release", "close", "duplicate",
                            "hoax", "reopen"]),
    ("staff.accounts.done.", list(DONE)),
    ("staff.accounts.error.", ["email", "role", "agent_region", "region_role", "region",
                               "taken", "unknown", "self"]),
])
def test_every_value_shown_by_name_has_a_text(prefix: str, values: list[str]) -> None:
    keys = catalog_keys(CATALOG, "sw")
    assert [v for v in values if prefix + v not in keys] == []
