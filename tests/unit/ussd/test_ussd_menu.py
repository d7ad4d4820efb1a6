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

# danger now (main menu), "call 112" seen, forced work, Baraa found by name
CONFIRM = "1*1*2*ba*1"
# then details: mining, 2-5 children, this week, a landmark, call me
DETAILED = CONFIRM + "*2*2*2*2*Near the market*1"
# by lists instead: not urgent, begging, regions A-K, Arusha, Arusha (CC), wards B-L, Baraa
BY_LISTS = "2*4*1*1*1*1*1"
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
    ("4", "help", None, "ussd.help"),
    ("5", "lang", None, "ussd.lang.sw"),
    ("5*0", "main", None, "ussd.main"),
    ("6", "aware.signs", None, "ussd.aware.signs"),
    ("6*1", "aware.dont", None, "ussd.aware.dont"),
    ("6*1*1", "aware.call", None, "ussd.aware.call"),
    ("6*1*1*1", "report.urgent", None, "ussd.urgent"),
    ("3", "status.ask", None, "ussd.status.ask"),
    ("3*123", "status.ask", "ussd.err.ref_format", "ussd.status.ask"),
    (f"3*{BAD_REF}", "status.ask", "ussd.err.ref_check", "ussd.status.ask"),
    (f"3*{ref('111111')}", "status.result", None, "ussd.status.not_found"),
    (f"3*{ref('123456')}", "status.result", None, "ussd.status.referred"),
    (f"3*{ref('654321')}", "status.result", None, "ussd.status.closed"),
    ("", "main", None, "ussd.main.urgent"),
    ("1", "report.danger", None, "ussd.danger"),
    ("1*3", "report.danger", "ussd.err.choice", "ussd.danger"),
    ("1*1", "report.category", None, "ussd.cat.false_promise"),
    ("6*1*1*1*1", "report.danger", None, "ussd.danger"),
    ("6*1*1*1*2", "report.category", None, "ussd.category"),
    ("2", "report.category", None, "ussd.cat.false_promise"),
    ("2*7", "report.category", "ussd.err.choice", "ussd.category"),
    ("2*2", "report.place", None, "ussd.place"),
    ("2*2*ba", "report.place", None, "ussd.place.found"),
    ("2*2*qq", "report.place", "ussd.err.no_place", "ussd.place"),
    ("2*2*5", "report.place", "ussd.err.choice", "ussd.place"),
    ("2*2*ba*7", "report.place", "ussd.err.choice", "ussd.nav.back"),  # error for heading
    ("2*2*ba*0", "report.place", None, "ussd.place"),
    ("2*2*1", "report.region", None, "ussd.region"),
    ("2*2*2", "report.region", None, "ussd.region"),
    ("2*2*1*ka", "report.region", None, "ussd.found"),
    ("2*2*1*arus", "report.council", None, "ussd.council"),
    ("2*2*1*1", "report.council", None, "ussd.council"),
    ("2*2*1*1*1", "report.ward", None, "ussd.ward.skip"),
    ("2*2*1*1*1*2", "report.ward", None, "ussd.ward"),
    ("2*2*1*1*1*ka", "report.ward", None, "ussd.ward.found"),
    ("2*2*1*1*1*qq", "report.ward", "ussd.err.no_match", "ussd.ward.skip"),
    ("2*2*1*1*1*8", "report.confirm", None, "ussd.confirm.send"),
    (BY_LISTS, "report.confirm", None, "ussd.confirm.details"),
    (CONFIRM, "report.confirm", None, "ussd.confirm.send"),
    (CONFIRM + "*2", "report.labour", None, "ussd.labour.mining"),
    (BY_LISTS + "*2", "report.children", None, "ussd.children.many"),
    (CONFIRM + "*2*2", "report.children", None, "ussd.children"),
    (CONFIRM + "*2*2*2", "report.when", None, "ussd.when.earlier"),
    (CONFIRM + "*2*2*2*2", "report.landmark", None, "ussd.landmark"),
    (CONFIRM + "*2*2*2*2*#*", "report.landmark", "ussd.err.landmark", "ussd.landmark"),
    (CONFIRM + "*2*2*2*2*1", "report.callback", None, "ussd.callback.no"),
    (DETAILED, "report.confirm", None, "ussd.confirm.send"),
    (CONFIRM + "*1", "report.done", None, "ussd.done"),
    (DETAILED + "*1", "report.done", None, "ussd.done"),
    (CONFIRM + "*4", "report.cancelled", None, "ussd.cancelled"),
    (CONFIRM + "*3", "report.change", None, "ussd.change.place"),
    (CONFIRM + "*3*1", "edit.urgent", None, "ussd.urgent"),
    (CONFIRM + "*3*1*1", "edit.danger", None, "ussd.danger"),
    (CONFIRM + "*3*1*1*1", "report.confirm", None, "ussd.confirm"),
    (CONFIRM + "*3*2", "edit.category", None, "ussd.category"),
    (CONFIRM + "*3*2*4", "report.confirm", None, "ussd.confirm"),
    (CONFIRM + "*3*3", "edit.place", None, "ussd.place"),
    (CONFIRM + "*3*3*1", "edit.region", None, "ussd.region"),
    (CONFIRM + "*3*3*1*1", "edit.council", None, "ussd.council"),
    (CONFIRM + "*3*3*1*1*1", "edit.ward", None, "ussd.ward"),
    (CONFIRM + "*3*3*1*1*1*8", "report.confirm", None, "ussd.confirm"),
    (CONFIRM + "*3*4", "edit.labour", None, "ussd.labour"),
    (CONFIRM + "*3*5", "edit.children", None, "ussd.children"),
    (CONFIRM + "*3*6", "edit.when", None, "ussd.when"),
    (CONFIRM + "*3*7", "edit.landmark", None, "ussd.landmark"),
    (CONFIRM + "*3*8", "edit.callback", None, "ussd.callback"),
    (CONFIRM + "*3*8*1", "report.confirm", None, "ussd.confirm"),
    (CONFIRM + "*0", "report.place", None, "ussd.place.found"),
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


def test_essentials_then_details_collect_every_answer() -> None:
    answers = dict(go(DETAILED + "*1").answers)
    assert answers == {
        "urgent": True, "category": CaseCategory.FORCED_LABOUR,
        "labour_kind": LabourKind.MINING, "children": ChildrenCount.FEW,
        "region": "R01", "region_label": None, "council": "C1", "council_label": None,
        "ward": "W01", "ward_label": None, "place": "W01", "place_label": "Baraa (Arusha)",
        "landmark": "Near the market", "seen_when": SeenWhen.THIS_WEEK,
        "callback_consent": True,
    }


def test_a_report_sent_with_the_essentials_asks_nothing_else() -> None:
    answers = dict(go(CONFIRM + "*1").answers)
    assert answers["ward"] == "W01" and answers["urgent"] is True
    assert "children" not in answers and "callback_consent" not in answers


def test_changing_one_answer_on_the_summary_keeps_the_others() -> None:
    answers = go(DETAILED + "*3*5*3").answers  # change: number of children -> more than five
    assert go(DETAILED + "*3*5*3").screen.id == "report.confirm"
    assert answers["children"] is ChildrenCount.MANY
    assert answers["landmark"] == "Near the market" and answers["callback_consent"] is True
    assert answers["labour_kind"] is LabourKind.MINING and answers["ward"] == "W01"


def test_changing_the_category_drops_the_labour_kind() -> None:
    answers = go(DETAILED + "*3*2*4").answers
    assert answers["category"] is CaseCategory.BEGGING
    assert answers["labour_kind"] is None
    assert answers["landmark"] == "Near the market"


def test_a_place_from_the_lists_replaces_one_found_by_name() -> None:
    answers = go(CONFIRM + "*3*3*1*1*1*1*2").answers
    assert (answers["ward"], answers["ward_label"], answers["place_label"]) == (
        "W02", "Daraja Mbili", None)
    assert "Daraja Mbili, Arusha (CC)" in show(go(CONFIRM + "*3*3*1*1*1*1*2"), "sw").text


def test_back_forgets_the_answer_it_leaves() -> None:
    assert go("2").answers == {"urgent": False}
    assert go("2*0").answers == {}
    assert go("2*0*1").answers == {"urgent": True}
    assert go("6*1*1*1*2*0").answers == {}


def test_unknown_ward_is_allowed() -> None:
    answers = go("2*1*1*1*1*8*1").answers
    assert answers["ward"] is None and answers["council"] == "C1"


def test_yes_is_always_1_and_no_is_always_2() -> None:
    for sid in ("main", "report.urgent", "report.callback"):
        options = G.screens[sid].options  # type: ignore[union-attr]
        assert dict(options[0].sets) in ({"urgent": True}, {"callback_consent": True})
        assert options[0].key == "1" and options[1].key == "2"


def test_summary_says_the_report_in_each_language() -> None:
    assert show(go(CONFIRM), "sw").text == (
        "CON DHARURA: Kulazimishwa kufanya kazi\nBaraa (Arusha)\n1.Tuma sasa\n"
        "2.Ongeza maelezo\n3.Badili\n4.Futa\n0.Rudi 00.Mwanzo")
    assert show(go(DETAILED), "en").text == (
        "CON URGENT: Forced to work: mining\nBaraa (Arusha)\n"
        "2-5 children, this week, call me, Near the market\n"
        "1.Send now\n2.Add details\n3.Change\n4.Cancel\n0.Back 00.Home")


def test_main_menu_asks_the_urgency_first() -> None:
    assert show(go(""), "sw").text == (
        "CON Linda: ulinzi wa watoto\n1.Mtoto yuko hatarini SASA\n2.Toa taarifa\n"
        "3.Fuatilia taarifa\n4.Namba za dharura\n5.Lugha/Language\n6.Dalili za usafirishaji")
    assert show(go(""), "en").text.startswith(
        "CON Linda: child protection\n1.Child in danger NOW\n2.Make a report\n")
    assert go("1").answers == {"urgent": True}


def test_danger_now_shows_the_emergency_numbers_before_going_on() -> None:
    text = show(go("1"), "sw").text
    assert "112" in text and "116" in text and "1.Endelea" in text


def test_case_number_stands_on_its_own_line() -> None:
    for lang in LANGUAGES:
        assert "\n1234567\n" in show(go(CONFIRM + "*1"), lang).text


def test_language_choice_switches_the_rest_of_the_session() -> None:
    pos = go("5*2*2")
    assert pos.lang == "en"
    assert show(pos, "sw").text.startswith("CON What did you see?\n1.")
    assert go("5*2*00").lang == "en"  # home keeps the language


def test_emergency_numbers_end_the_session() -> None:
    assert show(go("4"), "sw").text.startswith("END Namba za dharura (bure):\n116 ")


def test_resume_offers_to_continue_the_draft() -> None:
    draft = ["2", "2", "ba"]
    assert show(go("", draft=draft), "sw").text == (
        "CON Una taarifa ambayo haijakamilika.\n1.Endelea\n2.Anza upya")
    assert go("1", draft=draft).screen.id == "report.place"
    assert go("1*1*1", draft=draft).screen.id == "report.done"
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
EVERY_SCREEN = {p[1]: (p[0], "qqq" if "place" in p[1] or p[1].endswith(("region", "ward"))
                       else ("#" if p[1].endswith("landmark") else "9"))
                for p in reversed(PATHS) if p[2] is None}
EVERY_SCREEN["status.ask"] = ("3", BAD_REF)
EVERY_SCREEN["help"] = ("4", None)
for _end in ("report.done", "report.cancelled", "status.result"):
    EVERY_SCREEN[_end] = (EVERY_SCREEN[_end][0], None)


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
@pytest.mark.parametrize("path", ["2*2*ba", "2*2*ba*9", "2*2*1*1*1*ka"])
def test_search_results_fit_with_long_names(lang: str, path: str) -> None:
    provider = FakeProvider(long_names=True)
    shown = show(go(path, provider), lang, provider).text
    assert len(shown) <= 160 and is_gsm7(shown), shown


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


def test_summary_cuts_the_longest_line_first_so_each_stays_readable() -> None:
    answers = {"urgent": True, "category": CaseCategory.FORCED_LABOUR,
               "labour_kind": LabourKind.MINING, "place_label": "Igogo (Nyamagana, Mwanza)",
               "children": ChildrenCount.FEW, "seen_when": SeenWhen.NOW,
               "callback_consent": True, "landmark": "Nyuma ya msikiti wa Ijumaa, karibu soko"}
    params = menu.summary(answers, T, "sw")
    assert params["place"] == "Igogo (Nyamagana, Mwanza)"
    assert params["details"].startswith("\nwatoto 2-5, leo, nipigiwe simu")
    assert params["details"].endswith(".")  # the longest line, the details, was cut
    assert params["what"] == "Kulazimishwa: uchimbaji madini"


def test_a_report_by_sms_starts_at_the_urgency_question() -> None:
    """The SMS conversation skips the main menu: its sender already said they want to report."""
    first = walk(G, [], FakeProvider(), start="report.urgent")
    assert show(first, "sw").text.startswith("CON Je, mtoto yuko hatarini sasa hivi?\n1.Ndiyo")
    assert walk(G, ["1"], FakeProvider(), start="report.urgent").screen.id == "report.danger"
    no = walk(G, ["2"], FakeProvider(), start="report.urgent")
    assert no.screen.id == "report.category" and no.answers == {"urgent": False}
