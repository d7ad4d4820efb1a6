"""What a reporter's answers become: cleaned free text, case numbers, and the summary screen.

Kept apart from the menu's shape (``menu``) so the screens read as a list of questions; these
are the rules those questions apply. Pure: no app, database or clock.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from app.cases.reference import LENGTH, is_valid_reference
from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen
from app.gsm import to_gsm7
from app.ussd.screens import InvalidInputError, Position, Provider, TextFn

LANDMARK_MAX = 60
#: Place names in the summary are cut shorter than in lists, so the summary always fits.
SUMMARY_NAME_CAP = 18
SUMMARY_PLACE_CAP = 40
#: Room for the summary's lines: 160 less "CON ", the longest error line and the four options.
SUMMARY_BUDGET = 97

CATEGORY_LABELS: Mapping[CaseCategory, str] = {
    CaseCategory.TRANSPORTED: "ussd.cat.transported",
    CaseCategory.FORCED_LABOUR: "ussd.cat.forced_labour",
    CaseCategory.SEXUAL_EXPLOITATION: "ussd.cat.sexual",
    CaseCategory.BEGGING: "ussd.cat.begging",
    CaseCategory.FALSE_PROMISE: "ussd.cat.false_promise",
    CaseCategory.OTHER: "ussd.cat.other",
}
LABOUR_LABELS: Mapping[LabourKind, str] = {
    LabourKind.DOMESTIC: "ussd.labour.domestic",
    LabourKind.MINING: "ussd.labour.mining",
    LabourKind.FISHING: "ussd.labour.fishing",
    LabourKind.FARMING: "ussd.labour.farming",
    LabourKind.OTHER: "ussd.labour.other",
}
CHILDREN_LABELS: Mapping[ChildrenCount, str] = {
    ChildrenCount.ONE: "ussd.children.one",
    ChildrenCount.FEW: "ussd.children.few",
    ChildrenCount.MANY: "ussd.children.many",
    ChildrenCount.UNKNOWN: "ussd.children.unknown",
}
CHILDREN_SUMMARY: Mapping[ChildrenCount, str] = {
    ChildrenCount.ONE: "ussd.sum.children.one",
    ChildrenCount.FEW: "ussd.sum.children.few",
    ChildrenCount.MANY: "ussd.sum.children.many",
}
WHEN_LABELS: Mapping[SeenWhen, str] = {
    SeenWhen.NOW: "ussd.when.now",
    SeenWhen.THIS_WEEK: "ussd.when.week",
    SeenWhen.EARLIER: "ussd.when.earlier",
}
#: Public case status (``app.cases.status.PUBLIC_STATUS`` values) -> the message a caller reads.
STATUS_MESSAGES: Mapping[str, str] = {
    "received": "ussd.status.received",
    "referred": "ussd.status.referred",
    "accepted": "ussd.status.accepted",
    "closed": "ussd.status.closed",
}
STATUS_NOT_FOUND = "ussd.status.not_found"
STATUS_LIMITED = "ussd.status.limited"  # too many checks from one phone this hour
#: Shown by the webhook when a request cannot be served at all (bad number, unknown code).
UNAVAILABLE = "ussd.unavailable"
#: The SMS with the case number, sent only to a reporter who agreed to be called.
CASE_SMS = "ussd.sms.case"
_KEYPAD_MARKS = re.compile(r"[*#]")


def clean_landmark(raw: str) -> str:
    """Free text for a landmark: no ``*``/``#`` or control characters, GSM-7, at most 60.

    Raises:
        InvalidInputError: nothing readable is left.
    """
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw)
    text = " ".join(to_gsm7(_KEYPAD_MARKS.sub(" ", text)).split())
    text = text[:LANDMARK_MAX].strip()
    if not any(ch.isalnum() for ch in text):
        raise InvalidInputError("ussd.err.landmark")
    return text


def clean_reference(raw: str) -> str:
    """A case number: seven digits whose check digit agrees.

    Raises:
        InvalidInputError: not seven digits, or a digit mistyped.
    """
    digits = "".join(raw.split())
    if len(digits) != LENGTH or not (digits.isascii() and digits.isdigit()):
        raise InvalidInputError("ussd.err.ref_format")
    if not is_valid_reference(digits):
        raise InvalidInputError("ussd.err.ref_check")
    return digits


def _cut(text: str, cap: int) -> str:
    return text if len(text) <= cap else text[: cap - 1].rstrip() + "."


def _short(name: str | None) -> str:
    """A place name that fits the confirm screen.

    A council label "Ilala (Dar es Salaam CC)" that does not fit loses its bracket, which only
    tells councils apart in the pick list, rather than being cut to "Ilala (Dar es Sal.".
    """
    name = name or ""
    if len(name) > SUMMARY_NAME_CAP and " (" in name:
        name = name.split(" (", 1)[0]
    return _cut(name, SUMMARY_NAME_CAP)


def place_text(answers: Mapping[str, Any]) -> str:
    """Where, as the reporter chose it: the label of a place found by name, else ward and
    council from the lists."""
    if answers.get("place_label"):
        return _cut(str(answers["place_label"]), SUMMARY_PLACE_CAP)
    place = _short(answers.get("council_label"))
    if answers.get("ward_label"):
        place = f"{_short(answers['ward_label'])}, {place}"
    return place


def summary(answers: Mapping[str, Any], text: TextFn, lang: str) -> dict[str, str]:
    """Parameters of the summary screen: urgency and what, where, and the details given.

    Only details the reporter gave are shown, in words ("2-5 children", "call me"). When the
    three lines do not fit ``SUMMARY_BUDGET`` the longest is cut first, so each stays readable.
    """
    category = answers.get("category", CaseCategory.OTHER)
    what = text(lang, CATEGORY_LABELS[category])
    labour = answers.get("labour_kind")
    if category is CaseCategory.FORCED_LABOUR and labour is not None:
        what = text(lang, "ussd.sum.labour", kind=text(lang, LABOUR_LABELS[labour]).lower())
    details = []
    if answers.get("children") not in (None, ChildrenCount.UNKNOWN):
        details.append(text(lang, CHILDREN_SUMMARY[answers["children"]]))
    if answers.get("seen_when") is not None:
        details.append(text(lang, WHEN_LABELS[answers["seen_when"]]).lower())
    if answers.get("callback_consent"):
        details.append(text(lang, "ussd.confirm.call"))
    if answers.get("landmark"):
        details.append(str(answers["landmark"]))
    urgent = text(lang, "ussd.confirm.urgent") if answers.get("urgent") else ""
    lines = [what, place_text(answers), ", ".join(details)]
    room = SUMMARY_BUDGET - len(urgent) - sum(1 for line in lines[1:] if line)
    while sum(len(line) for line in lines) > room:
        longest = max(range(3), key=lambda i: len(lines[i]))
        lines[longest] = _cut(lines[longest], len(lines[longest]) - 1)
    return {"urgent": urgent, "what": lines[0], "place": lines[1],
            "details": "\n" + lines[2] if lines[2] else ""}


def summary_samples() -> list[dict[str, Any]]:
    """Worst-case answers: the graph proves the summary screen fits with each of them."""
    long_name = "W" * 60
    samples = []
    for cat, labour, children, when, call in itertools.product(
        CaseCategory, [None, *LabourKind], ChildrenCount, SeenWhen, [True, False]
    ):
        samples.append({
            "urgent": True, "category": cat, "labour_kind": labour, "children": children,
            "seen_when": when, "callback_consent": call, "landmark": long_name,
            "ward_label": long_name, "council_label": long_name, "place_label": long_name,
        })
    return samples


def check_status(pos: Position, provider: Provider) -> tuple[str, dict[str, str]]:
    """Finishing action of the status check: a read-only lookup by case number."""
    ref = str(pos.answers.get("reference", ""))
    status = provider.case_status(ref)
    key = STATUS_NOT_FOUND if status is None else STATUS_MESSAGES.get(status, STATUS_NOT_FOUND)
    return key, {"ref": ref}
