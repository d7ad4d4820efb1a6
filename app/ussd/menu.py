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
from dataclasses import replace
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
    NAV_BACK,
    NAV_LINE,
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
    Search,
    TextFn,
)

MESSAGES = Messages(Path(__file__).parent / "translations")
LANDMARK_MAX = 60
#: Place names in the summary are cut shorter than in lists, so the summary always fits.
SUMMARY_NAME_CAP = 18
SUMMARY_PLACE_CAP = 40
#: Room for the summary's lines: 160 less "CON ", the longest error line and the four options.
SUMMARY_BUDGET = 97
#: Room for numbered lines on the region and council lists, whose prompts are short.
LIST_BUDGET = 100
#: Places found by name say where they are ("Igogo (Nyamagana, Mwanza)"), so lines are longer.
PLACE_LABEL_CAP = 36
PLACE_BUDGET = 110
COUNCIL_BUDGET = 94

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


def _summary_samples() -> list[dict[str, Any]]:
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


def _choices(prompt_field: str, labels: Mapping[Any, str], goto: str,
             extra: tuple[tuple[str, Any], ...] = ()) -> tuple[Option, ...]:
    return tuple(
        Option(str(n), label, goto, sets=((prompt_field, value), *extra))
        for n, (value, label) in enumerate(labels.items(), 1)
    )


def _category_options(goto: str) -> tuple[Option, ...]:
    """What was seen; any other category than forced work forgets a kind of work given."""
    return tuple(
        Option(str(n), label, goto, sets=(("category", cat),) if cat is CaseCategory.FORCED_LABOUR
               else (("category", cat), ("labour_kind", None)))
        for n, (cat, label) in enumerate(CATEGORY_LABELS.items(), 1)
    )


#: A place found by name sets region, council and ward; one picked from lists forgets it.
FROM_LISTS = (("place", None), ("place_label", None))

#: The essentials: urgency, what was seen, where. Then the summary: send now or add details.
REPORT: tuple[Screen, ...] = (
    Menu("report.urgent", "ussd.urgent", (
        Option("1", "ussd.yes", "report.danger", sets=(("urgent", True),)),
        Option("2", "ussd.no", "report.category", sets=(("urgent", False),)),
    )),
    Menu("report.danger", "ussd.danger", (Option("1", "ussd.continue", "report.category"),)),
    Menu("report.category", "ussd.category", _category_options("report.place")),
    Search("report.place", "ussd.place", "place", "places", "report.confirm",
           "ussd.place.found", (Option("9", "ussd.place.lists", "report.region"),),
           budget=PLACE_BUDGET, cap=PLACE_LABEL_CAP),
    Pick("report.region", "ussd.region", "region", "regions", "report.council",
         search_prompt="ussd.found", budget=LIST_BUDGET, auto_pick=True, sets=FROM_LISTS),
    Pick("report.council", "ussd.council", "council", "councils", "report.ward",
         parent="region", search_prompt="ussd.found", budget=COUNCIL_BUDGET, auto_pick=True),
    Pick("report.ward", "ussd.ward", "ward", "wards", "report.confirm", parent="council",
         search_prompt="ussd.ward.found", skip_label="ussd.ward.skip"),
    # The details, asked only when the reporter chooses to add them.
    Menu("report.labour", "ussd.labour",
         _choices("labour_kind", LABOUR_LABELS, "report.children")),
    Menu("report.children", "ussd.children",
         _choices("children", CHILDREN_LABELS, "report.when")),
    Menu("report.when", "ussd.when", _choices("seen_when", WHEN_LABELS, "report.landmark")),
    Ask("report.landmark", "ussd.landmark", "landmark", clean_landmark, "report.callback",
        skip_key="1", errors=("ussd.err.landmark",)),
    Menu("report.callback", "ussd.callback", (
        Option("1", "ussd.callback.yes", "report.confirm", sets=(("callback_consent", True),)),
        Option("2", "ussd.callback.no", "report.confirm", sets=(("callback_consent", False),)),
    )),
)

#: What each line of the change menu asks again, and where that question would go next: the
#: copy of those screens goes back to the summary instead, so no other answer is asked again.
CHANGES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("ussd.change.urgent", ("report.urgent", "report.danger"), "report.category"),
    ("ussd.change.category", ("report.category",), "report.place"),
    ("ussd.change.place", ("report.place", "report.region", "report.council", "report.ward"),
     "report.confirm"),
    ("ussd.change.labour", ("report.labour",), "report.children"),
    ("ussd.change.children", ("report.children",), "report.when"),
    ("ussd.change.when", ("report.when",), "report.landmark"),
    ("ussd.change.landmark", ("report.landmark",), "report.callback"),
    ("ussd.change.callback", ("report.callback",), "report.confirm"),
)


def edit_id(screen_id: str) -> str:
    return "edit." + screen_id.removeprefix("report.")


def _edit_copies() -> tuple[Screen, ...]:
    """The questions again, each leading back to the summary once answered."""
    by_id = {s.id: s for s in REPORT}
    copies: list[Screen] = []
    for _label, chain, leaves_to in CHANGES:
        def relink(target: str, chain: tuple[str, ...] = chain, out: str = leaves_to) -> str:
            if target in chain:
                return edit_id(target)
            return "report.confirm" if target == out else target

        for sid in chain:
            screen = by_id[sid]
            new_id = edit_id(sid)
            if isinstance(screen, Menu):
                options = tuple(replace(o, goto=relink(o.goto),
                                        when=tuple((f, v, relink(t)) for f, v, t in o.when))
                                for o in screen.options)
                copies.append(replace(screen, id=new_id, options=options))
            elif isinstance(screen, Search):
                options = tuple(replace(o, goto=relink(o.goto)) for o in screen.options)
                copies.append(replace(screen, id=new_id, goto=relink(screen.goto),
                                      options=options))
            elif isinstance(screen, Ask | Pick):
                copies.append(replace(screen, id=new_id, goto=relink(screen.goto)))
    return tuple(copies)


AWARENESS: tuple[Screen, ...] = (
    Menu("aware.signs", "ussd.aware.signs", (Option("1", "ussd.continue", "aware.dont"),)),
    Menu("aware.dont", "ussd.aware.dont", (Option("1", "ussd.continue", "aware.call"),)),
    Menu("aware.call", "ussd.aware.call", (Option("1", "ussd.aware.report", "report.urgent"),)),
)

SCREENS: tuple[Screen, ...] = (
    Menu("main", "ussd.main", (
        Option("1", "ussd.main.report", "report.urgent"),
        Option("2", "ussd.main.status", "status.ask"),
        Option("3", "ussd.main.help", "help"),
        Option("4", "ussd.main.lang", "lang"),
        Option("5", "ussd.main.aware", "aware.signs"),
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
    *REPORT,
    Confirm("report.confirm", "ussd.confirm", (
        Option("1", "ussd.confirm.send", "report.done"),
        Option("2", "ussd.confirm.details", "report.children",
               when=(("category", CaseCategory.FORCED_LABOUR, "report.labour"),)),
        Option("3", "ussd.confirm.change", "report.change"),
        Option("4", "ussd.confirm.cancel", "report.cancelled"),
    ), summary=summary, samples=_summary_samples()),
    Menu("report.change", "ussd.change", tuple(
        Option(str(n), label, edit_id(chain[0])) for n, (label, chain, _) in enumerate(CHANGES, 1)
    )),
    *_edit_copies(),
    End("report.done", "ussd.done", action="create_case"),
    End("report.cancelled", "ussd.cancelled"),
    Ask("status.ask", "ussd.status.ask", "reference", clean_reference, "status.result",
        errors=("ussd.err.ref_format", "ussd.err.ref_check")),
    End("status.result", STATUS_NOT_FOUND, action="check_status",
        variants=(*STATUS_MESSAGES.values(), STATUS_LIMITED)),
    *AWARENESS,
)

#: Screens that belong to an unfinished report: a caller stopping here gets a draft.
REPORT_SCREENS = frozenset(
    s.id for s in SCREENS if s.id.startswith(("report.", "edit.")) and not isinstance(s, End)
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
    keys = {UNAVAILABLE, CASE_SMS, ERR_CHOICE, ERR_NO_MATCH, NAV_BACK, NAV_MORE, NAV_LINE,
            "ussd.confirm.urgent", "ussd.confirm.call", "ussd.sum.labour",
            *CHILDREN_SUMMARY.values()}
    for s in screens:
        keys |= error_keys(s)
        if isinstance(s, End):
            keys |= {s.message, *s.variants}
            continue
        keys.add(s.prompt)
        if isinstance(s, Menu | Confirm | Search):
            keys |= {o.label for o in s.options}
        if isinstance(s, Search):
            keys.add(s.found_prompt)
        if isinstance(s, Pick):
            keys |= {k for k in (s.search_prompt, s.skip_label) if k}
    return keys
