"""The USSD ``text`` walker and renderer on any input: AT's ``text`` split on ``*``, with
keys, words, any script and emoji. Never raises; every screen is CON/END and fits 160."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.i18n import LANGUAGES
from app.ussd import menu
from app.ussd.engine import render, walk
from app.ussd.screens import End
from tests.unit.ussd.ussd_fakes import FakeProvider, ref

ANY = st.characters(exclude_categories=("Cs",))
KEYS = st.sampled_from(["", "0", "00", "1", "2", "3", "4", "5", "6", "7", "8", "9", "98",
                        "99", "Ar", "kati", "#", ref("123456"), "12345", "😀"])
INPUTS = st.lists(st.one_of(KEYS, KEYS, st.text(ANY, max_size=30)), max_size=30)


def outcome(screen: End, pos, provider) -> tuple[str, dict[str, str]] | None:
    if screen.action == "check_status":
        return menu.check_status(pos, provider)
    if screen.action is not None:
        return screen.message, {"ref": ref("765432")}
    return None


HOP = st.tuples(INPUTS, st.one_of(st.none(), INPUTS.map(tuple)),
                st.sampled_from(sorted(LANGUAGES)), st.booleans())


@settings(max_examples=300, deadline=None)
@given(hops=st.lists(HOP, min_size=5, max_size=5))  # 1,500 per run
def test_any_inputs_walk_to_a_screen_that_fits(hops: list[tuple]) -> None:
    for inputs, draft, lang, long_names in hops:
        check(inputs, draft, lang, long_names)


def check(inputs: list[str], draft: tuple | None, lang: str, long_names: bool) -> None:
    provider = FakeProvider(long_names)
    graph = menu.graph()
    pos = walk(graph, inputs, provider, draft=draft)
    screen = pos.screen
    done = outcome(screen, pos, provider) if isinstance(screen, End) else None
    rendered = render(graph, pos, menu.MESSAGES.get, pos.lang or lang, provider, done)
    assert rendered.text.startswith(("CON ", "END "))
    assert rendered.text.startswith("END ") == isinstance(screen, End)
    assert len(rendered.text) <= 160, rendered.text
    assert rendered.screen_id == screen.id
