"""Long lists on a 160-character screen: the whole list, or an index of letter ranges first.

Paging a council's 55 wards seven at a time cost a reporter up to eight "more" screens, and a
USSD session ends after about 180 s. A list that does not fit one screen is shown as an index
instead ("1.Arusha-Kigoma", or "1.A-Bu" when whole names do not fit), and a range opens one
screen of names: any item of any list is two answers away. The split depends only on the
names and the room, never on the language, so a replayed path lands on the same screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.gazetteer.names import fold
from app.ussd.screens import LABEL_CAP

#: A range named by the first letters of its ends ("Kib-Kil") uses at most this many each,
#: the last resort when even the shortest letters that tell ranges apart do not fit.
GUIDE_CAP = 3


@dataclass(frozen=True)
class Layout:
    """How one list is shown. ``pages`` is one range for a list that fits one screen; else
    ``ranges`` names each page for the index ("Arusha-Kigoma")."""

    labels: tuple[str, ...]  # as shown: capped, and the short form when that made it fit
    pages: tuple[range, ...]
    ranges: tuple[str, ...] = ()

    @property
    def indexed(self) -> bool:
        return len(self.pages) > 1

    def page_of(self, index: int) -> int:
        return next(n for n, page in enumerate(self.pages) if index in page)


def cap(label: str, limit: int = LABEL_CAP) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "."


def numbered(count: int, taken: Iterable[str] = ()) -> list[str]:
    """Keys for ``count`` entries: 1, 2, 3… passing over keys the screen uses for itself."""
    skip = set(taken)
    keys: list[str] = []
    n = 0
    while len(keys) < count:
        n += 1
        if str(n) not in skip:
            keys.append(str(n))
    return keys


def lines_cost(labels: Sequence[str], taken: Iterable[str] = ()) -> int:
    """Characters of ``labels`` shown as numbered lines ("1.Bahi\\n"), newlines included."""
    return sum(len(k) + len(label) + 2 for k, label in zip(numbered(len(labels), taken), labels,
                                                            strict=True))


def layout(labels: Sequence[str], shorts: Sequence[str | None], budget: int,
           whole_max: int) -> Layout:
    """The whole list when it fits ``budget`` (in its short labels if need be) and has at
    most ``whole_max`` entries; else pages that each fit, named for an index."""
    return _layout(tuple(labels), tuple(shorts), budget, whole_max)


@lru_cache(maxsize=4096)
def _layout(labels: tuple[str, ...], shorts: tuple[str | None, ...], budget: int,
            whole_max: int) -> Layout:
    # Every hop replays its path, showing the same few lists again: made once per list.
    full = tuple(cap(label) for label in labels)
    short = tuple(cap(s or label) for s, label in zip(shorts, labels, strict=True))
    if len(full) <= whole_max:
        for shown in (full, short):
            if lines_cost(shown) <= budget:
                return Layout(shown, (range(len(shown)),))
    pages = _split(full, budget)
    return Layout(full, pages, index_labels([label.split(" (")[0] for label in labels], pages,
                                            budget))


def _split(labels: tuple[str, ...], budget: int) -> tuple[range, ...]:
    """The fewest pages that fit, then as even as they can be: an index of "A-Kik" … "V"
    with one name on its last page would waste a screen's worth of room."""
    # Not shown whole, so at least two pages, even when one would hold them all.
    fewest = max(len(_greedy(labels, budget, len(labels))), min(2, len(labels)))
    most = -(-len(labels) // fewest)
    while len(pages := _greedy(labels, budget, most)) > fewest:
        most += 1
    return pages


def _greedy(labels: tuple[str, ...], budget: int, most: int) -> tuple[range, ...]:
    return greedy_pages(labels, budget, most, lambda n, label: len(str(n)) + len(label) + 2)


def greedy_pages(labels: Sequence[str], budget: int, most: int,
                 cost: Callable[[int, str], int]) -> tuple[range, ...]:
    """Fill each page in order until the next label (at number ``n`` on its page, costing
    ``cost(n, label)`` characters) would pass ``budget`` or the page holds ``most``."""
    pages: list[range] = []
    start, used = 0, 0
    for i, label in enumerate(labels):
        spent = cost(i - start + 1, label)
        if i > start and (used + spent > budget or i - start >= most):
            pages.append(range(start, i))
            start, used = i, 0
        used += spent
    pages.append(range(start, len(labels)))
    return tuple(pages)


def index_labels(names: Sequence[str], pages: Sequence[range], budget: int,
                 taken: Iterable[str] = ()) -> tuple[str, ...]:
    """One entry per page: its first and last names when they all fit ``budget``, else the
    fewest first letters that tell neighbouring pages apart ("A-Bu", "Bw-I")."""
    taken = tuple(taken)
    whole = tuple(_span(names[p[0]], names[p[-1]]) for p in pages)
    if lines_cost(whole, taken) <= budget:
        return whole
    guide = _guide(names, pages, limit=None)
    if lines_cost(guide, taken) <= budget:
        return guide
    return _guide(names, pages, limit=GUIDE_CAP)


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first}-{last}"


def _guide(names: Sequence[str], pages: Sequence[range], limit: int | None) -> tuple[str, ...]:
    folded = [fold(name) or name.casefold() for name in names]
    starts = [folded[p[0]][:1] for p in pages]
    ends = [folded[p[-1]][:1] for p in pages]
    for k in range(len(pages) - 1):
        last, first = folded[pages[k][-1]], folded[pages[k + 1][0]]
        common = next((i for i, (a, b) in enumerate(zip(last, first, strict=False)) if a != b),
                      min(len(last), len(first)))
        ends[k], starts[k + 1] = last[: common + 1], first[: common + 1]
    for k, page in enumerate(pages):  # "Nk-Ny" reads better than "Nk-N"
        if len(starts[k]) > len(ends[k]) and folded[page[-1]] != folded[page[0]]:
            ends[k] = folded[page[-1]][: max(len(ends[k]), 2)]
    out = []
    for a, b in zip(starts, ends, strict=True):
        a, b = (a[:limit], b[:limit]) if limit else (a, b)
        out.append(_span(a.strip().title(), b.strip().title()))
    return tuple(out)


def keys_to(lay: Layout, index: int, taken: Iterable[str] = ()) -> list[str]:
    """What a reporter presses to pick entry ``index``: its number, or its range then its
    number. ``taken`` are keys the index screen keeps for itself (e.g. "8" don't know)."""
    page = lay.page_of(index)
    item_key = str(lay.pages[page].index(index) + 1)
    if not lay.indexed:
        return [item_key]
    return [numbered(len(lay.pages), taken)[page], item_key]
