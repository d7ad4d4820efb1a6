"""The generic interpreter: validation when built, navigation, lists and paging."""

from __future__ import annotations

from typing import Any

import pytest

from app.ussd.engine import paginate, render, walk
from app.ussd.graph import GraphError, build_graph
from app.ussd.screens import ITEM_BUDGET, Ask, End, InvalidInputError, Menu, MenuGraph, Option, Pick
from tests.unit.ussd.ussd_fakes import FakeProvider

TEXTS = {
    "t.main": "Main", "t.a": "A", "t.b": "B", "t.end": "Bye {ref}", "t.ask": "Age?",
    "t.pick": "Region:", "t.found": "Found:", "t.skip": "Skip",
    "ussd.err.choice": "Invalid choice.", "ussd.err.no_match": "None.", "t.err": "Bad age.",
    "ussd.nav.back": "Back", "ussd.nav.more": "More", "ussd.nav.line": "0.Back 00.Home",
}


def text(lang: str, key: str, **params: Any) -> str:
    return TEXTS[key].format(**params) if params else TEXTS[key]


def clean_age(raw: str) -> int:
    if not raw.isdigit():
        raise InvalidInputError("t.err")
    return int(raw)


def screens(**changes: Any) -> list[Any]:
    base = {
        "main": Menu("main", "t.main", (Option("1", "t.a", "ask"), Option("2", "t.b", "pick"))),
        "resume": Menu("resume", "t.main", (Option("1", "t.a", "main", replay=True),
                                            Option("2", "t.b", "main"))),
        "ask": Ask("ask", "t.ask", "age", clean_age, "end", errors=("t.err",)),
        "pick": Pick("pick", "t.pick", "region", "regions", "end",
                     search_prompt="t.found", skip_label="t.skip"),
        "end": End("end", "t.end", action="finish"),
    }
    base.update(changes)
    return [s for s in base.values() if s is not None]


def build(items: list[Any], **kw: Any) -> MenuGraph:
    return build_graph(items, root="main", resume="resume", text=kw.get("text", text),
                       langs=("en",), actions=kw.get("actions", {"finish"}))


def test_build_graph_accepts_a_consistent_menu() -> None:
    assert set(build(screens()).screens) == {"main", "resume", "ask", "pick", "end"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"main": Menu("main", "t.main", (Option("1", "t.a", "nowhere"),))}, "does not exist"),
    ({"main": Menu("main", "t.main", (Option("1", "t.a", "ask"), Option("1", "t.b", "pick")))},
     "option keys twice"),
    ({"main": Menu("main", "t.main", (Option("00", "t.a", "ask"), Option("2", "t.b", "pick")))},
     "reserved"),
    ({"main": Menu("main", "t.main", (Option("98", "t.a", "ask"), Option("2", "t.b", "pick")))},
     "reserved"),
    ({"main": Menu("main", "t.main", (Option("1", "t.a", "ask"),))}, "nobody can reach"),
    ({"end": End("end", "t.end", action="launch")}, "unknown action"),
])
def test_build_graph_rejects_broken_menus(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(GraphError, match=message):
        build(screens(**changes))


def test_build_graph_rejects_a_duplicate_screen_id() -> None:
    with pytest.raises(GraphError, match="defined twice"):
        build([*screens(), End("end", "t.end")])


def test_build_graph_rejects_a_screen_too_long_with_its_error_line() -> None:
    long_texts = {**TEXTS, "t.ask": "x" * 150}  # fits alone, not with "Bad age."
    with pytest.raises(GraphError, match=r"'ask' in 'en' can reach 163 characters"):
        build(screens(), text=lambda lang, key, **p: long_texts[key].format(**p))


def test_build_graph_rejects_text_outside_gsm7() -> None:
    odd = {**TEXTS, "t.a": "Ačč"}
    with pytest.raises(GraphError, match="GSM-7"):
        build(screens(), text=lambda lang, key, **p: odd[key].format(**p))


def test_paginate_never_exceeds_the_budget_and_keeps_order() -> None:
    labels = [f"Place {n}" * (n % 3 + 1) for n in range(40)]
    pages = paginate(labels)
    assert [i for p in pages for i in p] == list(range(40))
    for page in pages:
        assert 1 <= len(page) <= 7
        assert sum(len(labels[i][:26]) + 3 for i in page) <= ITEM_BUDGET


G = build(screens())
P = FakeProvider()


def screen_of(path: str, draft: list[str] | None = None) -> tuple[str, Any]:
    pos = walk(G, path.split("*") if path else [], P, draft=draft)
    return pos.screen.id, pos


@pytest.mark.parametrize(("path", "screen", "error"), [
    ("", "main", None),
    ("7", "main", "ussd.err.choice"),
    ("1", "ask", None),
    ("1*abc", "ask", "t.err"),
    ("1*abc*34", "end", None),
    ("1*0", "main", None),
    ("0", "main", None),  # back on the first screen stays there
    ("1*00", "main", None),
    ("2*9*00*1", "ask", None),
    ("1*34*5*6", "end", None),  # input after END is ignored
    ("2*1", "pick", None),  # a range of the index: a page of names
    ("2*1*1", "end", None),
    ("2*9", "pick", "ussd.err.choice"),  # the index has no ninth range
    ("2*1*0", "pick", None),
    ("2*1*8", "pick", "ussd.err.choice"),  # "don't know" is on the index, not a page
    ("2*8", "end", None),
    ("2*Ka", "pick", None),
    ("2*Zz", "pick", "ussd.err.no_match"),
    ("2*Ka*0", "pick", None),
])
def test_walk_replays_inputs(path: str, screen: str, error: str | None) -> None:
    sid, pos = screen_of(path)
    assert (sid, pos.error) == (screen, error)


def test_walk_ignores_input_after_end() -> None:
    assert screen_of("1*34*0")[1].answers == {"age": 34}


def test_a_long_list_shows_an_index_then_a_page_of_names() -> None:
    index = render(G, screen_of("2")[1], text, "en", P).text
    assert index == ("CON Region:\n1.Arusha-Geita\n2.Iringa-Kaskazini Unguja\n"
                     "3.Katavi-Mjini Magharibi\n8.Skip 0.Back")
    page = render(G, screen_of("2*2")[1], text, "en", P).text
    assert page == ("CON Region:\n1.Iringa\n2.Kagera\n3.Kaskazini Pemba\n"
                    "4.Kaskazini Unguja\n0.Back")
    assert screen_of("2*2*3")[1].answers["region_label"] == "Kaskazini Pemba"
    assert screen_of("2*2*0")[1].frame.opened is False  # back to the index


def test_on_a_list_the_error_takes_the_place_of_the_heading() -> None:
    shown = render(G, screen_of("2*2*7")[1], text, "en", P).text
    assert shown.startswith("CON Invalid choice.\n1.Iringa\n")


def test_walk_search_offers_matches_and_picks_one() -> None:
    rendered = render(G, screen_of("2*ka")[1], text, "en", P).text
    assert rendered.startswith("CON Found:\n1.Kagera\n2.Kaskazini Pemba")
    assert screen_of("2*ka*2")[1].answers["region"] == "R07"


def test_walk_with_a_draft_continues_or_starts_again() -> None:
    sid, pos = screen_of("", draft=["1"])
    assert sid == "resume"
    sid, pos = screen_of("1", draft=["1"])
    assert (sid, pos.resumed, pos.path) == ("ask", True, ("1",))
    sid, pos = screen_of("1*21", draft=["1"])
    assert (sid, pos.answers["age"]) == ("end", 21)
    sid, pos = screen_of("2", draft=["1"])
    assert (sid, pos.resumed, pos.path) == ("main", False, ())
    assert screen_of("5", draft=["1"])[1].error == "ussd.err.choice"


def test_render_end_uses_the_action_outcome() -> None:
    pos = screen_of("1*3")[1]
    assert render(G, pos, text, "en", P, ("t.end", {"ref": "42"})).text == "END Bye 42"
