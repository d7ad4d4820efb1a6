"""Linda's menu walked path by path in Swahili and English, without an app or a database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen
from app.gsm import is_gsm7
from app.i18n import LANGUAGES, catalog_keys
from app.ussd import menu
from app.ussd.engine import render, walk
from app.ussd.screens import End, InvalidInputError, Position, Rendered
from tests.unit.ussd.ussd_fakes import FakeProvider, ref

G = menu.graph()
T = menu.MESSAGES.get
DIR = Path(menu.__file__).parent / "translations"

# urgent yes, forced work, mining, 2-5 children, Arusha, Arusha (CC), Baraa
PLACE = "1*1*2*2*2*1*1*1"
CONFIRM = PLACE + "*Near the market*2*2"
BAD_REF = ref("123456")[:-1] + str((int(ref("123456")[-1]) + 1) % 10)


def go(path: str, provider: FakeProvider | None = None, draft: list[str] | None = None
       ) -> Position:
    return walk(G, path.split("*") if path else [], provider or FakeProvider(), draft=draft)


def show(pos: Position, lang: str, provider: FakeProvider | None = None) -> Rendered:
    provider = provider or FakeProvider()
    outcome = None
    if isinstance(pos.screen, End) and pos.screen.action == "create_case":
        outcome = ("ussd.done", {"ref": "1234567"})
    elif isinstance(pos.screen, End) and pos.screen.action == "check_status":
        outcome = menu.check_status(pos, provider)
    return render(G, pos, T, pos.lang or lang, provider, outcome)


def fragment(template: str) -> str:
    """The longest literal piece of a message template (placeholders removed)."""
    return max(re.split(r"\{\w+\}|\n", template), key=len)


#: (text, screen reached, error shown, a message key the screen must contain)
PATHS = [
    ("", "main", None, "ussd.main.report"),
    ("9", "main", "ussd.err.choice", "ussd.main"),
    ("3", "help", None, "ussd.help"),
    ("4", "lang", None, "ussd.lang.sw"),
    ("4*0", "main", None, "ussd.main"),
    ("2", "status.ask", None, "ussd.status.ask"),
    ("2*123", "status.ask", "ussd.err.ref_format", "ussd.status.ask"),
    (f"2*{BAD_REF}", "status.ask", "ussd.err.ref_check", "ussd.status.ask"),
    (f"2*{ref('111111')}", "status.result", None, "ussd.status.not_found"),
    (f"2*{ref('123456')}", "status.result", None, "ussd.status.referred"),
    (f"2*{ref('654321')}", "status.result", None, "ussd.status.closed"),
    ("1", "report.urgent", None, "ussd.urgent"),
    ("1*3", "report.urgent", "ussd.err.choice", "ussd.urgent"),
    ("1*2", "report.category", None, "ussd.cat.false_promise"),
    ("1*2*2", "report.labour", None, "ussd.labour.mining"),
    ("1*2*1", "report.children", None, "ussd.children.many"),
    ("1*2*6", "report.children", None, "ussd.children"),
    ("1*2*2*5", "report.children", None, "ussd.children"),
    ("1*2*1*4", "report.region", None, "ussd.region"),
    ("1*2*1*4*9", "report.region", None, "ussd.region"),
    ("1*2*1*4*1", "report.council", None, "ussd.council"),
    ("1*2*1*4*1*1", "report.ward", None, "ussd.ward.skip"),
    ("1*2*1*4*1*1*9", "report.ward", None, "ussd.ward"),
    ("1*2*1*4*1*1*ka", "report.ward", None, "ussd.ward.found"),
    ("1*2*1*4*1*1*qq", "report.ward", "ussd.err.no_match", "ussd.ward"),
    ("1*2*1*4*1*1*8", "report.landmark", None, "ussd.landmark"),
    ("1*2*1*4*1*1*ka*1", "report.landmark", None, "ussd.landmark"),
    (PLACE, "report.landmark", None, "ussd.landmark"),
    (PLACE + "*#*", "report.landmark", "ussd.err.landmark", "ussd.landmark"),
    (PLACE + "*1", "report.when", None, "ussd.when.earlier"),
    (PLACE + "*1*3", "report.callback", None, "ussd.callback.no"),
    (CONFIRM[: -2], "report.callback", None, "ussd.callback"),
    (CONFIRM, "report.confirm", None, "ussd.confirm.send"),
    (CONFIRM + "*1", "report.done", None, "ussd.done"),
    (CONFIRM + "*3", "report.cancelled", None, "ussd.cancelled"),
    (CONFIRM + "*2", "report.change", None, "ussd.change.place"),
    (CONFIRM + "*2*4", "report.region", None, "ussd.region"),
    (CONFIRM + "*2*6*1", "report.confirm", None, "ussd.confirm"),
    (CONFIRM + "*0", "report.callback", None, "ussd.callback"),
    (CONFIRM + "*00", "main", None, "ussd.main"),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("path", "screen", "error", "key"), PATHS)
def test_path_leads_to_screen(lang: str, path: str, screen: str, error: str | None,
                              key: str) -> None:
    pos = go(path)
    shown = show(pos, lang)
    assert (pos.screen.id, pos.error) == (screen, error)
    prefix = "END " if isinstance(pos.screen, End) else "CON "
    assert shown.text.startswith(prefix)
    assert fragment(T(lang, key)) in shown.text
    if error:
        assert shown.text[4:].startswith(T(lang, error))


def test_paths_cover_every_screen() -> None:
    assert {p[1] for p in PATHS} >= set(G.screens) - {"resume"}


def test_full_report_collects_every_answer() -> None:
    answers = dict(go(CONFIRM + "*1").answers)
    assert answers == {
        "urgent": True, "category": CaseCategory.FORCED_LABOUR,
        "labour_kind": LabourKind.MINING, "children": ChildrenCount.FEW,
        "region": "R01", "region_label": "Arusha", "council": "C1",
        "council_label": "Arusha (CC)", "ward": "W01", "ward_label": "Baraa",
        "landmark": "Near the market", "seen_when": SeenWhen.THIS_WEEK,
        "callback_consent": True,
    }


def test_changing_the_category_drops_the_labour_kind() -> None:
    answers = go(CONFIRM + "*2*2*4*1*1*1*1*1*1*1").answers
    assert answers["category"] is CaseCategory.BEGGING
    assert answers["labour_kind"] is None


def test_back_forgets_the_answer_it_leaves() -> None:
    assert go("1*1").answers == {"urgent": True}
    assert go("1*1*0").answers == {}
    assert go("1*1*0*2").answers == {"urgent": False}


def test_unknown_ward_is_allowed() -> None:
    answers = go("1*2*1*4*1*1*8*1*1*1*1").answers
    assert answers["ward"] is None and answers["council"] == "C1"


def test_confirm_summarises_the_report_in_each_language() -> None:
    assert show(go(CONFIRM), "sw").text == (
        "CON HATARI: Kazi ya lazima: Migodi\nBaraa, Arusha (CC)\n"
        "Watoto: 2-5. Wiki hii. Simu: Ndiyo\n1.Tuma\n2.Badili\n3.Futa")
    assert show(go(CONFIRM), "en").text == (
        "CON DANGER: Forced work: Mining\nBaraa, Arusha (CC)\nChildren: 2-5. This week. Call: Yes\n"
        "1.Send\n2.Change\n3.Cancel")


def test_language_choice_switches_the_rest_of_the_session() -> None:
    pos = go("4*2*1")
    assert pos.lang == "en"
    assert show(pos, "sw").text == "CON Is a child in danger right now?\n1.Yes\n2.No"
    assert go("4*2*00").lang == "en"  # home keeps the language


def test_emergency_numbers_end_the_session() -> None:
    assert show(go("3"), "sw").text.startswith("END Namba za dharura (bure):\n116 ")


def test_resume_offers_to_continue_the_draft() -> None:
    draft = PLACE.split("*")
    assert show(go("", draft=draft), "sw").text == (
        "CON Una taarifa ambayo haijakamilika.\n1.Endelea\n2.Anza upya")
    assert go("1", draft=draft).screen.id == "report.landmark"
    assert go("1*1*3*1*1", draft=draft).screen.id == "report.done"
    assert go("2", draft=draft).screen.id == "main"


@pytest.mark.parametrize("raw", ["Near the *market#", "Soko\x00 la\tzamani", "   ", "é" * 80])
def test_clean_landmark(raw: str) -> None:
    try:
        cleaned = menu.clean_landmark(raw)
    except InvalidInputError as exc:
        assert exc.key == "ussd.err.landmark"
        assert not any(ch.isalnum() for ch in raw.replace("é", ""))
    else:
        assert is_gsm7(cleaned) and len(cleaned) <= menu.LANDMARK_MAX
        assert not {"*", "#", "\x00", "\t"} & set(cleaned)


# -- every screen fits, in both languages, with the longest names and errors ---------------

#: A path to every screen, and a bad answer that makes it show its longest error.
EVERY_SCREEN = {
    "main": ("", "9"), "lang": ("4", "9"), "help": ("3", None),
    "report.urgent": ("1", "9"), "report.category": ("1*1", "9"),
    "report.labour": ("1*1*2", "9"), "report.children": ("1*1*1", "9"),
    "report.region": ("1*1*1*1", "x"), "report.council": ("1*1*1*1*1", "9"),
    "report.ward": ("1*1*1*1*1*1", "qqq"), "report.landmark": (PLACE, "#"),
    "report.when": (PLACE + "*1", "9"), "report.callback": (PLACE + "*1*1", "9"),
    "report.confirm": (CONFIRM, "9"), "report.change": (CONFIRM + "*2", "9"),
    "report.done": (CONFIRM + "*1", None), "report.cancelled": (CONFIRM + "*3", None),
    "status.ask": ("2", BAD_REF), "status.result": (f"2*{ref('123456')}", None),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("screen", sorted(EVERY_SCREEN))
@pytest.mark.parametrize("long_names", [False, True])
def test_every_screen_fits_160_gsm7(lang: str, screen: str, long_names: bool) -> None:
    provider = FakeProvider(long_names=long_names)
    path, bad = EVERY_SCREEN[screen]
    for text in (path, f"{path}*{bad}".lstrip("*") if bad else path):
        pos = go(text, provider)
        assert pos.screen.id == screen
        shown = show(pos, lang, provider).text
        assert len(shown) <= 160, shown
        assert is_gsm7(shown), shown
        assert shown.startswith(("CON ", "END "))


def test_every_screen_is_checked() -> None:
    assert set(EVERY_SCREEN) | {"resume"} == set(G.screens)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_used_key_and_no_other(lang: str) -> None:
    catalog = catalog_keys(DIR, lang)
    used = menu.used_keys()
    assert sorted(k for k in used if not catalog.get(k, "").strip()) == []
    assert sorted(set(catalog) - used) == []


@pytest.mark.parametrize(("council", "shown"), [
    ("Ilala (Dar es Salaam CC)", "Ilala"),  # the bracket only tells councils apart in the list
    ("Temeke (MC)", "Temeke (MC)"),  # fits: kept whole
    ("Mwanzamwanzamwanzamwanza (DC)", "Mwanzamwanzamwanz."),  # still too long: cut
])
def test_confirm_screen_shows_a_council_name_whole_or_marked_cut(council: str,
                                                                 shown: str) -> None:
    params = menu.summary({"council_label": council, "ward_label": "Kariakoo"}, T, "sw")
    assert params["place"] == f"Kariakoo, {shown}"
