"""Linda's USSD menu as data: every screen, option and answer a reporter meets.

Texts are message keys (``translations/{sw,en}``); ``graph()`` builds and validates the menu
once, so a dangling link or a screen longer than 160 characters fails at start-up and in tests,
never in front of a caller. What answers become (cleaning, the summary) is in ``answers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from app.cases.vocabulary import CaseCategory
from app.i18n import LANGUAGES, Messages
from app.ussd.answers import (
    CASE_SMS,
    CATEGORY_LABELS,
    CHILDREN_LABELS,
    CHILDREN_SUMMARY,
    LABOUR_LABELS,
    LANDMARK_MAX,
    STATUS_LIMITED,
    STATUS_MESSAGES,
    STATUS_NOT_FOUND,
    UNAVAILABLE,
    WHEN_LABELS,
    check_status,
    clean_landmark,
    clean_reference,
    place_text,
    summary,
    summary_samples,
)
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
    Menu,
    MenuGraph,
    Option,
    Pick,
    Screen,
    Search,
)

MESSAGES = Messages(Path(__file__).parent / "translations")
#: Room for numbered lines on each list: what 160 characters leave after "CON ", the longer
#: of the heading and the error line, and the back line, in the longer language. Councils need
#: it all: Tanga's eleven fit one screen only so ("app/ussd/lists.py").
LIST_BUDGET = 124
COUNCIL_BUDGET = 120
WARD_BUDGET = 116
#: Room under the place question for the index of regions ("1.Arusha-Kigoma").
REGION_INDEX_BUDGET = 55
#: Places found by name say where they are ("Igogo (Nyamagana, Mwanza)"), so lines are longer.
PLACE_LABEL_CAP = 36
PLACE_BUDGET = 110
ACTION_NAMES = frozenset({"create_case", "check_status"})

#: Raise when a change to the graph makes a recorded path of inputs mean something else (a
#: renumbered menu): drafts sealed and reports spooled under another version are then never
#: replayed through this graph, so nobody resumes onto the wrong screen or files the wrong
#: report. Version 2: the main menu carries the urgency.
MENU_VERSION = 2


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

URGENT = (("urgent", True),)
NOT_URGENT = (("urgent", False),)

#: The essentials: urgency, what was seen, where. Then the summary: send now or add details.
#: The main menu answers the urgency itself (an urgent report goes straight to the 112
#: screen), so a caller meets ``report.urgent`` only after the awareness screens, in a report
#: by SMS, or when changing that answer on the summary.
REPORT: tuple[Screen, ...] = (
    Menu("report.urgent", "ussd.urgent", (
        Option("1", "ussd.yes", "report.danger", sets=URGENT),
        Option("2", "ussd.no", "report.category", sets=NOT_URGENT),
    )),
    Menu("report.danger", "ussd.danger", (Option("1", "ussd.continue", "report.category"),)),
    Menu("report.category", "ussd.category", _category_options("report.place")),
    # Typed letters find a place anywhere; a number opens a range of the regions' index.
    Search("report.place", "ussd.place", "place", "places", "report.confirm",
           "ussd.place.found", budget=PLACE_BUDGET, cap=PLACE_LABEL_CAP, index="report.region",
           index_budget=REGION_INDEX_BUDGET),
    Pick("report.region", "ussd.region", "region", "regions", "report.council",
         search_prompt="ussd.found", budget=LIST_BUDGET, auto_pick=True, sets=FROM_LISTS),
    Pick("report.council", "ussd.council", "council", "councils", "report.ward",
         parent="region", search_prompt="ussd.found", budget=COUNCIL_BUDGET, auto_pick=True),
    Pick("report.ward", "ussd.ward", "ward", "wards", "report.confirm", parent="council",
         search_prompt="ussd.ward.found", skip_label="ussd.ward.skip", budget=WARD_BUDGET),
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
                index = None if screen.index is None else relink(screen.index)
                copies.append(replace(screen, id=new_id, goto=relink(screen.goto),
                                      options=options, index=index))
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
        # The urgency is the first choice: one screen fewer for every report.
        Option("1", "ussd.main.urgent", "report.danger", sets=URGENT),
        Option("2", "ussd.main.report", "report.category", sets=NOT_URGENT),
        Option("3", "ussd.main.status", "status.ask"),
        Option("4", "ussd.main.help", "help"),
        Option("5", "ussd.main.lang", "lang"),
        Option("6", "ussd.main.aware", "aware.signs"),
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
    ), summary=summary, samples=summary_samples()),
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


#: What callers read from here, though it lives in ``answers``.
__all__ = ["CASE_SMS", "LANDMARK_MAX", "MESSAGES", "REPORT_SCREENS", "SCREENS", "STATUS_LIMITED",
           "UNAVAILABLE", "check_status", "clean_landmark", "clean_reference", "graph",
           "place_text", "summary", "used_keys"]
