"""Reporters as people: how many screens a report takes, dial to case number.

A screen is one thing the phone shows: the main menu when the code is dialled, then one per
answer sent, the last being the case number. ``by_name`` and ``by_lists`` drive the real menu
(``walk`` over the real gazetteer) the way a person would: ``by_name`` reads each page of
matches and presses "9" while the place is not on it; ``by_lists`` picks the range that holds
the name on each index (the place question shows the regions' index), then the name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.gazetteer.names import fold
from app.i18n import LANGUAGES
from app.ussd.engine import keys_to_item, paginate, render, walk
from app.ussd.menu import MESSAGES, graph
from app.ussd.screens import Item, Pick, Position, Search
from app.ussd.services import DbProvider

CATEGORY_KEYS = {"transported": "1", "forced_labour": "2", "sexual": "3", "begging": "4",
                 "false_promise": "5", "other": "6"}
MAX_PAGES = 40


@dataclass(frozen=True)
class Walked:
    inputs: tuple[str, ...]
    pos: Position

    @property
    def screens(self) -> int:
        """Screens shown: the main menu, then one for every answer."""
        return 1 + len(self.inputs)


def _at(inputs: list[str], provider: DbProvider) -> Position:
    return walk(graph(), inputs, provider)


def _find_on_pages(inputs: list[str], target: str, provider: DbProvider,
                   max_more: int = MAX_PAGES) -> list[str]:
    """On a page of matches, press "9" (at most ``max_more`` times) until ``target`` (an
    item id) shows, then its number."""
    for _ in range(max_more + 1):
        pos = _at(inputs, provider)
        screen, frame = pos.screen, pos.frame
        assert isinstance(screen, Pick | Search) and frame.results is not None, inputs
        items = list(frame.results)
        cap = screen.cap if isinstance(screen, Search) else 26
        pages = paginate([i.label for i in items], screen.budget, cap)
        page = pages[min(frame.page, len(pages) - 1)]
        for n, index in enumerate(page, 1):
            if items[index].id == target:
                return [*inputs, str(n)]
        if page.stop >= len(items):
            raise LookupError(f"{target} not in the matches after {inputs}")
        inputs = [*inputs, "9"]
    raise LookupError(target)


def start(urgent: bool, category: str) -> list[str]:
    """The main menu's "danger now" (then "continue" after the 112 screen) or "report", then
    what was seen."""
    return [*(["1", "1"] if urgent else ["2"]), CATEGORY_KEYS[category]]


def with_urgency(walked: Walked, urgent: bool, provider: DbProvider | None = None) -> Walked:
    """The same report made with the other urgency: the same answers after the main menu,
    walked again from the start."""
    rest = walked.inputs[2:] if walked.inputs[:2] == ("1", "1") else walked.inputs[1:]
    inputs = [*(["1", "1"] if urgent else ["2"]), *rest]
    return Walked(tuple(inputs), _at(inputs, provider or DbProvider()))


def by_name(ward_id: str, typed: Sequence[str], *, urgent: bool = True,
            category: str = "forced_labour", provider: DbProvider | None = None) -> Walked:
    """Type the name; a reporter who does not see the place on the first page of what fits
    types again, the name and a word of the council ("kati mwanga")."""
    provider = provider or DbProvider()
    inputs = start(urgent, category)
    last: LookupError | None = None
    for n, attempt in enumerate(typed):
        inputs.append(attempt)
        if _at(inputs, provider).screen.id == "report.confirm":  # one place fitted: picked
            inputs.append("1")
            return Walked(tuple(inputs), _at(inputs, provider))
        try:
            inputs = _find_on_pages(inputs, ward_id, provider,
                                    max_more=0 if n < len(typed) - 1 else MAX_PAGES)
        except LookupError as exc:
            last = exc
            continue
        inputs.append("1")  # send now
        return Walked(tuple(inputs), _at(inputs, provider))
    raise LookupError(f"{ward_id} not found by {typed}") from last


def list_keys(screen_id: str, items: Sequence[Item], target: str) -> list[str]:
    pick = graph().screens[screen_id]
    assert isinstance(pick, Pick)
    return keys_to_item(pick, items, target)


def by_lists(region_id: str, council_id: str, ward_id: str | None, *, urgent: bool = False,
             category: str = "transported", provider: DbProvider | None = None) -> Walked:
    """Page only, typing nothing: on the place question the range of the regions' index that
    holds the region, then the region; the council; the ward (its range first when the
    council's list has an index), or "8" (don't know); then "send now"."""
    provider = provider or DbProvider()
    inputs = start(urgent, category)
    steps: list[tuple[str, Sequence[Item], str | None, str]] = [
        ("report.region", provider.items("regions", None), region_id, "report.council"),
        ("report.council", provider.items("councils", region_id), council_id, "report.ward"),
        ("report.ward", provider.items("wards", council_id), ward_id, "report.confirm"),
    ]
    for screen_id, items, target, next_screen in steps:
        inputs += ["8"] if target is None else list_keys(screen_id, items, target)
        assert _at(inputs, provider).screen.id == next_screen, inputs
    inputs.append("1")
    return Walked(tuple(inputs), _at(inputs, provider))


def shown(walked: Walked, lang: str, provider: DbProvider | None = None) -> list[str]:
    """Every screen of the walk as the phone shows it, in ``lang``."""
    provider = provider or DbProvider()
    g = graph()
    out = []
    for n in range(len(walked.inputs) + 1):
        pos = walk(g, list(walked.inputs[:n]), provider)
        outcome = ("ussd.done", {"ref": "1234567"}) if pos.screen.id == "report.done" else None
        out.append(render(g, pos, MESSAGES.get, lang, provider, outcome).text)
    return out


def council_word(council_name: str, known_as: str | None) -> str:
    return fold(known_as or council_name).split()[0]


__all__ = ["LANGUAGES", "Walked", "by_lists", "by_name", "council_word", "list_keys", "shown"]
