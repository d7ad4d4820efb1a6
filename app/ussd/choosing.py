"""Choosing from lists and by name: the steps and the lines of ``Pick`` and ``Search`` screens.

Kept apart from ``engine`` (the walk and the screen) because lists carry most of the rules:
whole or indexed (``lists``), typed letters, pages of matches. Pure: the lists come from the
read-only ``Provider``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from app.ussd.lists import Layout, greedy_pages, index_labels, keys_to, layout, numbered
from app.ussd.lists import cap as cap_label
from app.ussd.screens import (
    BACK,
    ERR_CHOICE,
    ERR_NO_MATCH,
    ERR_NO_PLACE,
    ITEM_BUDGET,
    LABEL_CAP,
    MORE_KEY,
    NAV_BACK,
    NAV_MORE,
    PAGE_MAX_ITEMS,
    SEARCH_KEEP,
    SEARCH_MIN_DIGITS,
    SKIP_KEY,
    WHOLE_MAX_WITH_SKIP,
    Confirm,
    Frame,
    InvalidInputError,
    Item,
    Menu,
    MenuGraph,
    Option,
    Pick,
    Provider,
    Screen,
    Search,
    TextFn,
)


def paginate(labels: Sequence[str], budget: int = ITEM_BUDGET,
             cap: int = LABEL_CAP) -> list[range]:
    """Split the matches of a typed name into pages that fit ``budget`` ("9" shows the next);
    the split never depends on language. Lists use an index instead (``pick_layout``)."""
    return list(_paginate(tuple(labels), budget, cap))


@lru_cache(maxsize=4096)
def _paginate(labels: tuple[str, ...], budget: int, cap: int) -> tuple[range, ...]:
    # Every hop replays its path, paging the same few lists again: done once per list.
    return greedy_pages(labels, budget, PAGE_MAX_ITEMS,
                        lambda n, label: len(cap_label(label, cap)) + 3)


def with_answers(answers: Mapping[str, Any],
                 updates: Iterable[tuple[str, Any]]) -> Mapping[str, Any]:
    merged = dict(answers)
    merged.update(updates)
    return MappingProxyType(merged)


def option_for(screen: Screen, raw: str) -> Option | None:
    options = screen.options if isinstance(screen, Menu | Confirm | Search) else ()
    return next((o for o in options if o.key == raw), None)


def chosen(screen: Pick | Search, frame: Frame, item: Item) -> Frame:
    """Leave a list with ``item`` picked: its id, label and the answers it carries."""
    updates = [(screen.field, item.id), (f"{screen.field}_label", item.label), *item.sets]
    if isinstance(screen, Pick):
        updates += screen.sets
    return Frame(screen.goto, with_answers(frame.answers, updates))


def in_results(screen: Pick | Search, frame: Frame, raw: str, cap: int) -> Frame:
    """A key pressed on a page of search results: more, or a number on this page."""
    assert frame.results is not None  # noqa: S101 - only called on a results frame
    pages = paginate([i.label for i in frame.results], screen.budget, cap)
    page = pages[min(frame.page, len(pages) - 1)]
    if raw == MORE_KEY and page.stop < len(frame.results):
        return Frame(screen.id, frame.answers, page=frame.page + 1, results=frame.results)
    if raw.isdigit() and 1 <= int(raw) <= len(page):
        return chosen(screen, frame, frame.results[page[int(raw) - 1]])
    raise InvalidInputError(ERR_CHOICE)


def pick_layout(screen: Pick, items: Sequence[Item]) -> Layout:
    """How ``screen`` shows ``items``: whole, or an index of ranges (``app/ussd/lists.py``)."""
    whole_max = WHOLE_MAX_WITH_SKIP if screen.skip_label else len(items)
    return layout([i.label for i in items], [i.short for i in items], screen.budget, whole_max)


def index_taken(screen: Pick) -> tuple[str, ...]:
    return (SKIP_KEY,) if screen.skip_label else ()


def listed(screen: Pick, frame: Frame, provider: Provider) -> tuple[Sequence[Item], Layout]:
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    items = provider.items(screen.source, parent)
    return items, pick_layout(screen, items)


def pick_step(screen: Pick, frame: Frame, raw: str, provider: Provider) -> Frame:
    parent = None if screen.parent is None else frame.answers.get(screen.parent)
    if screen.search_prompt and _issearch_step(raw):
        found = list(provider.search(screen.source, parent, raw))[:SEARCH_KEEP]
        if not found:
            raise InvalidInputError(ERR_NO_MATCH)
        exact = [i for i in found if plain(i.label.split(" (")[0]) == plain(raw)]
        if screen.auto_pick and (len(found) == 1 or len(exact) == 1):
            return chosen(screen, frame, found[0] if len(found) == 1 else exact[0])
        return Frame(screen.id, frame.answers, results=tuple(found))
    if frame.results is not None:
        return in_results(screen, frame, raw, LABEL_CAP)
    if raw == SKIP_KEY and screen.skip_label and not frame.opened:
        return Frame(screen.goto, with_answers(frame.answers, [(screen.field, None),
                                                        (f"{screen.field}_label", None),
                                                        *screen.sets]))
    items, lay = listed(screen, frame, provider)
    if lay.indexed and not frame.opened:
        keys = numbered(len(lay.pages), index_taken(screen))
        if raw in keys:
            return Frame(screen.id, frame.answers, page=keys.index(raw), opened=True)
        raise InvalidInputError(ERR_CHOICE)
    page = lay.pages[min(frame.page, len(lay.pages) - 1)]
    if raw.isdigit() and 1 <= int(raw) <= len(page):
        return chosen(screen, frame, items[page[int(raw) - 1]])
    raise InvalidInputError(ERR_CHOICE)


def index_of(graph: MenuGraph, screen: Search, frame: Frame,
              provider: Provider) -> tuple[Pick, list[str], tuple[str, ...]]:
    """The list whose index the place screen shows: its screen, the keys and the ranges."""
    pick = graph.screens[screen.index or ""]
    assert isinstance(pick, Pick)  # noqa: S101 - checked when the graph is built
    items, lay = listed(pick, frame, provider)
    taken = [o.key for o in screen.options]
    names = [i.label.split(" (")[0] for i in items]
    return (pick, numbered(len(lay.pages), taken),
            index_labels(names, lay.pages, screen.index_budget, taken))


def search_step(graph: MenuGraph, screen: Search, frame: Frame, raw: str,
            provider: Provider) -> Frame:
    """The place asked by name: a way out by number, a range of the index, a search, or a
    pick from the results."""
    if frame.results is None:
        option = option_for(screen, raw)
        if option is not None:
            answers = with_answers(frame.answers, option.sets)
            return Frame(option.target(answers), answers)
        if screen.index is not None:
            pick, keys, _ranges = index_of(graph, screen, frame, provider)
            if raw in keys:
                return Frame(pick.id, frame.answers, page=keys.index(raw), opened=True)
    elif not _issearch_step(raw):
        return in_results(screen, frame, raw, screen.cap)
    if not _issearch_step(raw):
        raise InvalidInputError(ERR_CHOICE)
    found = list(provider.search(screen.source, None, raw))[:SEARCH_KEEP]
    if not found:
        raise InvalidInputError(ERR_NO_PLACE)
    if len(found) == 1 and len(raw.split()) >= screen.auto_pick_words:
        return chosen(screen, frame, found[0])
    return Frame(screen.id, frame.answers, results=tuple(found))


def plain(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def _issearch_step(raw: str) -> bool:
    """Letters, or three or more digits (a phone left in numeric mode spells with its keys)."""
    return any(ch.isalpha() for ch in raw) or (raw.isdigit() and len(raw) >= SEARCH_MIN_DIGITS)


def list_lines(screen: Pick | Search, frame: Frame, text: TextFn, lang: str,
                provider: Provider) -> list[str]:
    if frame.results is not None:
        cap = screen.cap if isinstance(screen, Search) else LABEL_CAP
        head = screen.found_prompt if isinstance(screen, Search) else screen.search_prompt
        assert head is not None  # noqa: S101 - results exist only with search
        pages = paginate([i.label for i in frame.results], screen.budget, cap)
        page = pages[min(frame.page, len(pages) - 1)]
        lines = [text(lang, head)]
        lines += [f"{n}.{cap_label(frame.results[i].label, cap)}" for n, i in enumerate(page, 1)]
        nav = [f"{MORE_KEY}.{text(lang, NAV_MORE)}"] if page.stop < len(frame.results) else []
        return [*lines, " ".join([*nav, f"{BACK}.{text(lang, NAV_BACK)}"])]
    assert isinstance(screen, Pick)  # noqa: S101 - a Search without results is a prompt
    _items, lay = listed(screen, frame, provider)
    lines = [text(lang, screen.prompt)]
    nav = []
    if lay.indexed and not frame.opened:
        keys = numbered(len(lay.pages), index_taken(screen))
        lines += [f"{k}.{r}" for k, r in zip(keys, lay.ranges, strict=True)]
    else:
        page = lay.pages[min(frame.page, len(lay.pages) - 1)]
        lines += [f"{n}.{lay.labels[i]}" for n, i in enumerate(page, 1)]
    if screen.skip_label and not frame.opened:
        nav.append(f"{SKIP_KEY}.{text(lang, screen.skip_label)}")
    nav.append(f"{BACK}.{text(lang, NAV_BACK)}")
    return [*lines, " ".join(nav)]


def keys_to_item(screen: Pick, items: Sequence[Item], target: str) -> list[str]:
    """What a reporter presses on ``screen`` (arriving at its index or whole list) to pick
    the item ``target``: used by the screen-count walks and the benches."""
    index = next(n for n, item in enumerate(items) if item.id == target)
    lay = pick_layout(screen, items)
    return keys_to(lay, index, index_taken(screen))
