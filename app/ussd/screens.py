"""The vocabulary of USSD menus: screens as frozen data, and where a caller stands.

``menu`` builds the graph from these, ``graph`` checks it, ``engine`` walks and renders it.
Nothing here touches Flask, the database or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

BACK, HOME = "0", "00"
SKIP_KEY, MORE_KEY = "8", "9"
#: Keys no option may use: navigation, and what telcos reserve for their own paging.
RESERVED_KEYS = frozenset({BACK, HOME, "98", "99"})
#: Most results of a name search on one page: keys 8 and 9 stay free for the page's own use.
PAGE_MAX_ITEMS = 7
#: Most entries of a list shown whole when it offers "8.don't know".
WHOLE_MAX_WITH_SKIP = 7
#: Characters of numbered lines one list page may use ("3.Kondoa (TC)\n" counts 14).
ITEM_BUDGET = 72
#: Place names are cut to this length on screens, so a list page always has room.
LABEL_CAP = 26
MAX_INPUTS = 120
SEARCH_MIN_DIGITS = 3

ERR_CHOICE = "ussd.err.choice"
ERR_NO_MATCH = "ussd.err.no_match"
ERR_NO_PLACE = "ussd.err.no_place"
NAV_BACK, NAV_MORE = "ussd.nav.back", "ussd.nav.more"
#: "0 back, 00 home", added under a screen when it still fits 160 characters.
NAV_LINE = "ussd.nav.line"
#: Most results a name search keeps (the caller pages through them).
SEARCH_KEEP = 24

TextFn = Callable[..., str]  # (lang, key, **params) -> text


class InvalidInputError(ValueError):
    """An answer was refused; ``key`` is the message that explains why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Item:
    """One entry of a dynamic list: a region, council or ward. ``sets`` are more answers that
    picking it records (a place found by name sets its region, council and ward at once)."""

    id: str
    label: str
    sets: tuple[tuple[str, Any], ...] = ()
    #: a shorter label ("Handeni DC" for "Handeni (DC)") a list shows when that makes it fit
    #: one screen; the answer keeps ``label``
    short: str | None = None


class Provider(Protocol):
    """Read-only data the menus show. Implemented over the database in ``services``."""

    def items(self, source: str, parent_id: str | None) -> Sequence[Item]: ...

    def search(self, source: str, parent_id: str | None, typed: str) -> Sequence[Item]: ...

    def case_status(self, reference: str) -> str | None: ...


@dataclass(frozen=True)
class Option:
    """A numbered choice. ``sets`` are answers it records; ``lang`` switches the language;
    ``replay`` (resume screen only) continues the caller's unfinished report."""

    key: str
    label: str
    goto: str
    sets: tuple[tuple[str, Any], ...] = ()
    lang: str | None = None
    replay: bool = False
    #: (answer, value, screen): go to ``screen`` instead when that answer has that value.
    when: tuple[tuple[str, Any, str], ...] = ()

    def target(self, answers: Mapping[str, Any]) -> str:
        return next((to for name, value, to in self.when if answers.get(name) == value),
                    self.goto)


@dataclass(frozen=True)
class Menu:
    id: str
    prompt: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Confirm:
    """A menu whose prompt is a summary of the answers (``summary`` builds its parameters).

    ``samples`` hold worst-case answers, used to prove the screen fits in every language."""

    id: str
    prompt: str
    options: tuple[Option, ...]
    summary: Callable[[Mapping[str, Any], TextFn, str], dict[str, str]]
    samples: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Ask:
    """A free answer, cleaned by ``clean`` (raises ``InvalidInputError``). ``skip_key``
    records None instead; ``errors`` lists every message ``clean`` may raise."""

    id: str
    prompt: str
    field: str
    clean: Callable[[str], Any]
    goto: str
    skip_key: str | None = None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pick:
    """A dynamic list: whole on one screen, or an index of letter ranges, each opening one
    screen of names (``app/ussd/lists.py``). ``parent`` names the answer holding the parent
    id; ``search_prompt`` lets the caller type first letters; ``skip_label`` offers "don't
    know"; ``budget`` is the room for numbered lines (more when the prompt is short)."""

    id: str
    prompt: str
    field: str
    source: str
    goto: str
    parent: str | None = None
    search_prompt: str | None = None
    skip_label: str | None = None
    budget: int = ITEM_BUDGET
    #: typed letters that fit exactly one entry pick it at once (no list of one to confirm)
    auto_pick: bool = False
    #: answers recorded with any pick (e.g. forgetting a place found by name)
    sets: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Search:
    """Type a few letters (or keypad digits), then pick from what fits, page by page.

    ``options`` are numbered ways out; ``index`` names a list (a ``Pick``) whose index of
    letter ranges this screen shows under its prompt, so one answer opens a page of it
    ("3.Mwanza-Tanga"); anything else typed is a search in ``source``. The found items carry
    the answers they set (``Item.sets``)."""

    id: str
    prompt: str
    field: str
    source: str
    goto: str
    found_prompt: str
    options: tuple[Option, ...] = ()
    budget: int = ITEM_BUDGET
    cap: int = LABEL_CAP
    index: str | None = None
    #: room for the index's numbered lines under the prompt
    index_budget: int = 0
    #: a search of this many words or more ("majengo kahama": a name and where) that fits
    #: exactly one place picks it at once; the summary that follows shows where it is
    auto_pick_words: int = 2


@dataclass(frozen=True)
class End:
    """The last screen. ``action`` names a finishing action whose result picks one of
    ``message`` and ``variants`` and fills ``{ref}``."""

    id: str
    message: str
    action: str | None = None
    variants: tuple[str, ...] = ()


Screen = Menu | Confirm | Ask | Pick | Search | End


@dataclass(frozen=True)
class MenuGraph:
    screens: Mapping[str, Screen]
    root: str
    resume: str


@dataclass(frozen=True)
class Frame:
    """One step of the path: a screen, the answers on arrival, the list page or search.
    ``opened`` is a page of an indexed list chosen from its index."""

    screen: str
    answers: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    page: int = 0
    results: tuple[Item, ...] | None = None
    opened: bool = False


@dataclass(frozen=True)
class Position:
    """Where the inputs lead: the screen, what was answered, and the last error if any."""

    screen: Screen
    frame: Frame
    answers: Mapping[str, Any]
    error: str | None
    lang: str | None
    path: tuple[str, ...]  # the inputs from the main menu that lead here (for drafts)
    resumed: bool | None  # True continued a draft, False started again, None not asked


@dataclass(frozen=True)
class Rendered:
    text: str  # with the CON / END prefix
    end: bool
    screen_id: str
