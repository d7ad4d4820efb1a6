"""Linda's USSD menu as data: every screen, option and answer a reporter meets.

Texts are message keys (``translations/{sw,en}``); ``graph()`` builds and validates the menu
once, so a dangling link or a screen longer than 160 characters fails at start-up and in tests,
never in front of a caller.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from app.cases.reference import LENGTH, is_valid_reference
from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen
from app.gsm import to_gsm7
from app.i18n import LANGUAGES, Messages
from app.ussd.graph import build_graph, error_keys
from app.ussd.screens import (
    ERR_CHOICE,
    ERR_NO_MATCH,
    LABEL_CAP,
    NAV_BACK,
    NAV_MORE,
    Ask,
    Confirm,
    End,
    InvalidInputError,
    Menu,
    MenuGraph,
    Option,
    Pick,
    Position,
    Provider,
    Screen,
    TextFn,
)

MESSAGES = Messages(Path(__file__).parent / "translations")
LANDMARK_MAX = 60
#: Place names in the summary are cut shorter than in lists, so the summary always fits.
SUMMARY_NAME_CAP = 18
#: Room for numbered lines on the region and council lists, whose prompts are short.
LIST_BUDGET = 100

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
#: Shown by the webhook when a request cannot be served at all (bad number, unknown code).
UNAVAILABLE = "ussd.unavailable"
ACTION_NAMES = frozenset({"create_case", "check_status"})
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


def _short(name: str | None) -> str:
    """A place name that fits the confirm screen.

    A council label "Ilala (Dar es Salaam CC)" that does not fit loses its bracket, which only
    tells councils apart in the pick list, rather than being cut to "Ilala (Dar es Sal.".
    """
    name = name or ""
    if len(name) > SUMMARY_NAME_CAP and " (" in name:
        name = name.split(" (", 1)[0]
    return name if len(name) <= SUMMARY_NAME_CAP else name[: SUMMARY_NAME_CAP - 1].rstrip() + "."


def _count(children: ChildrenCount) -> str:
    return "?" if children is ChildrenCount.UNKNOWN else children.value


def summary(answers: Mapping[str, Any], text: TextFn, lang: str) -> dict[str, str]:
    """Parameters of the confirm screen: what, where, how many, when, call back."""
    category = answers.get("category", CaseCategory.OTHER)
    what = text(lang, CATEGORY_LABELS[category])
    labour = answers.get("labour_kind")
    if category is CaseCategory.FORCED_LABOUR and labour is not None:
        what = f"{what}: {text(lang, LABOUR_LABELS[labour])}"
    place = _short(answers.get("council_label"))
    if answers.get("ward_label"):
        place = f"{_short(answers['ward_label'])}, {place}"
    return {
        "urgent": text(lang, "ussd.confirm.urgent") if answers.get("urgent") else "",
        "what": what,
        "place": place,
        "children": _count(answers.get("children", ChildrenCount.UNKNOWN)),
        "when": text(lang, WHEN_LABELS[answers.get("seen_when", SeenWhen.NOW)]),
        "call": text(lang, "ussd.yes" if answers.get("callback_consent") else "ussd.no"),
    }


def _summary_samples() -> list[dict[str, Any]]:
    long_name = "W" * LABEL_CAP
    samples = []
    for cat, labour, children, when, call in itertools.product(
        CaseCategory, [None, *LabourKind], ChildrenCount, SeenWhen, [True, False]
    ):
        samples.append({
            "urgent": True, "category": cat, "labour_kind": labour, "children": children,
            "seen_when": when, "callback_consent": call,
            "ward_label": long_name, "council_label": long_name,
        })
    return samples


def check_status(pos: Position, provider: Provider) -> tuple[str, dict[str, str]]:
    """Finishing action of the status check: a read-only lookup by case number."""
    ref = str(pos.answers.get("reference", ""))
    status = provider.case_status(ref)
    key = STATUS_NOT_FOUND if status is None else STATUS_MESSAGES.get(status, STATUS_NOT_FOUND)
    return key, {"ref": ref}


def _choices(prompt_field: str, labels: Mapping[Any, str], goto: str,
             extra: tuple[tuple[str, Any], ...] = ()) -> tuple[Option, ...]:
    return tuple(
        Option(str(n), label, goto, sets=((prompt_field, value), *extra))
        for n, (value, label) in enumerate(labels.items(), 1)
    )


def _category_options() -> tuple[Option, ...]:
    options = []
    for n, (cat, label) in enumerate(CATEGORY_LABELS.items(), 1):
        if cat is CaseCategory.FORCED_LABOUR:
            options.append(Option(str(n), label, "report.labour", sets=(("category", cat),)))
        else:
            options.append(Option(str(n), label, "report.children",
                                  sets=(("category", cat), ("labour_kind", None))))
    return tuple(options)


SCREENS: tuple[Screen, ...] = (
    Menu("main", "ussd.main", (
        Option("1", "ussd.main.report", "report.urgent"),
        Option("2", "ussd.main.status", "status.ask"),
        Option("3", "ussd.main.help", "help"),
        Option("4", "ussd.main.lang", "lang"),
    )),
    Menu("resume", "ussd.resume", (
        Option("1", "ussd.resume.continue", "main", replay=True),
        Option("2", "ussd.resume.restart", "main"),
    )),
    Menu("lang", "ussd.lang", (
        Option("1", "ussd.lang.sw", "main", lang="sw"),
        Option("2", "ussd.lang.en", "main", lang="en"),
    )),
    End("help", "ussd.help"),
    Menu("report.urgent", "ussd.urgent", (
        Option("1", "ussd.yes", "report.category", sets=(("urgent", True),)),
        Option("2", "ussd.no", "report.category", sets=(("urgent", False),)),
    )),
    Menu("report.category", "ussd.category", _category_options()),
    Menu("report.labour", "ussd.labour",
         _choices("labour_kind", LABOUR_LABELS, "report.children")),
    Menu("report.children", "ussd.children",
         _choices("children", CHILDREN_LABELS, "report.region")),
    Pick("report.region", "ussd.region", "region", "regions", "report.council",
         budget=LIST_BUDGET),
    Pick("report.council", "ussd.council", "council", "councils", "report.ward",
         parent="region", budget=LIST_BUDGET),
    Pick("report.ward", "ussd.ward", "ward", "wards", "report.landmark", parent="council",
         search_prompt="ussd.ward.found", skip_label="ussd.ward.skip"),
    Ask("report.landmark", "ussd.landmark", "landmark", clean_landmark, "report.when",
        skip_key="1", errors=("ussd.err.landmark",)),
    Menu("report.when", "ussd.when", _choices("seen_when", WHEN_LABELS, "report.callback")),
    Menu("report.callback", "ussd.callback", (
        Option("1", "ussd.callback.no", "report.confirm", sets=(("callback_consent", False),)),
        Option("2", "ussd.callback.yes", "report.confirm", sets=(("callback_consent", True),)),
    )),
    Confirm("report.confirm", "ussd.confirm", (
        Option("1", "ussd.confirm.send", "report.done"),
        Option("2", "ussd.confirm.change", "report.change"),
        Option("3", "ussd.confirm.cancel", "report.cancelled"),
    ), summary=summary, samples=_summary_samples()),
    Menu("report.change", "ussd.change", (
        Option("1", "ussd.change.urgent", "report.urgent"),
        Option("2", "ussd.change.category", "report.category"),
        Option("3", "ussd.change.children", "report.children"),
        Option("4", "ussd.change.place", "report.region"),
        Option("5", "ussd.change.when", "report.when"),
        Option("6", "ussd.change.callback", "report.callback"),
    )),
    End("report.done", "ussd.done", action="create_case"),
    End("report.cancelled", "ussd.cancelled"),
    Ask("status.ask", "ussd.status.ask", "reference", clean_reference, "status.result",
        errors=("ussd.err.ref_format", "ussd.err.ref_check")),
    End("status.result", STATUS_NOT_FOUND, action="check_status",
        variants=tuple(STATUS_MESSAGES.values())),
)

#: Screens that belong to an unfinished report: a caller stopping here gets a draft.
REPORT_SCREENS = frozenset(
    s.id for s in SCREENS if s.id.startswith("report.") and not isinstance(s, End)
)


@cache
def graph() -> MenuGraph:
    """The validated menu (built on first use, then shared).

    Raises:
        GraphError: the menu or a translation breaks a rule (see ``build_graph``).
    """
    return build_graph(SCREENS, root="main", resume="resume", text=MESSAGES.get,
                       langs=LANGUAGES, actions=ACTION_NAMES)


def used_keys(screens: tuple[Screen, ...] = SCREENS) -> set[str]:
    """Every message key the menu and the webhook can show."""
    keys = {UNAVAILABLE, ERR_CHOICE, ERR_NO_MATCH, NAV_BACK, NAV_MORE, "ussd.confirm.urgent"}
    for s in screens:
        keys |= error_keys(s)
        if isinstance(s, End):
            keys |= {s.message, *s.variants}
            continue
        keys.add(s.prompt)
        if isinstance(s, Menu | Confirm):
            keys |= {o.label for o in s.options}
        if isinstance(s, Pick):
            keys |= {k for k in (s.search_prompt, s.skip_label) if k}
    return keys
