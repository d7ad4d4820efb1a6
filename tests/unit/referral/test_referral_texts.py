from pathlib import Path

import pytest

from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, is_gsm7, sms_segments
from app.i18n import catalog_keys
from app.referral import texts

CATALOGS = Path(texts.__file__).parent / "translations"
APP = Path(texts.__file__).parent


def test_both_catalogs_have_every_key_with_text() -> None:
    sw, en = catalog_keys(CATALOGS, "sw"), catalog_keys(CATALOGS, "en")
    assert set(sw) == set(en)
    assert all(sw.values()) and all(en.values())


def test_every_key_the_code_uses_exists() -> None:
    import re

    source = "\n".join(p.read_text() for p in APP.glob("*.py"))
    used = set(re.findall(r'"((?:reply|notice|supervisor|reporter|alert)\.[a-z_]+)"', source))
    used |= {"alert", "confirm", "reminder", "info"}
    keys = set(catalog_keys(CATALOGS, "sw"))
    assert len(used) > 20, "the pattern found too few keys"
    assert used <= keys, used - keys
    for prefix in ("category.", "role.", "urgency."):
        assert any(k.startswith(prefix) for k in keys)


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_fit_place_drops_wide_parts_first_then_cuts(lang: str) -> None:
    parts = ["Kariakoo", "Ilala (Dar es Salaam CC)", "Dar es Salaam"]
    assert texts.fit_place(parts, 200) == "Kariakoo, Ilala (Dar es Salaam CC), Dar es Salaam"
    assert texts.fit_place(parts, 40) == "Kariakoo, Ilala (Dar es Salaam CC)"
    assert texts.fit_place(parts, 10) == "Kariakoo"
    assert texts.fit_place(parts, 4) == "Kari"


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_replies_without_place_fit_one_sms(lang: str) -> None:
    params = {"ref": "1234567", "given": "12345678", "ussd": "*149*46#", "refs":
              "1234567, 1234567, 1234567, 1234567, 1234567", "first": "1234567",
              "keyword": "TAARIFA", "who": "Linda hotline",
              "role": max((texts.text(lang, k) for k in catalog_keys(CATALOGS, lang)
                           if k.startswith("role.")), key=len)}
    for key in catalog_keys(CATALOGS, lang):
        if key == "reply.help":
            continue  # every command word: two segments, tested below
        if key.startswith(("reply.", "notice.", "reporter.", "confirm", "reminder")):
            body = texts.text(lang, key, **params)
            assert gsm7_length(body) <= SMS_SINGLE_LIMIT, (key, len(body))


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_help_lists_every_command_word_of_its_language_in_two_segments(lang: str) -> None:
    """A responder who asks for help learns every word they can send, placement and check-in
    answers included; it costs two SMS, and only when asked."""
    from app.referral.sms_commands import KEYWORDS, Verb

    body = texts.text(lang, "reply.help")
    words = set(body.replace(",", " ").replace(";", " ").replace(".", " ").split())
    # ACK is the short English synonym of ACCEPT; one word per verb is enough.
    wanted = {word for word, (verb, language) in KEYWORDS.items()
              if language == lang and word != "ACK" and verb is not Verb.HELP}
    assert wanted <= words, wanted - words
    assert {"1", "2", "3"} <= words  # check-in answers by number
    assert is_gsm7(body) and sms_segments(body) <= 2, gsm7_length(body)
    assert "<" not in body and "[" not in body


def test_every_category_role_and_urgency_has_a_name() -> None:
    from app.cases.vocabulary import CaseCategory
    from app.referral.roles import ResponderRole

    keys = set(catalog_keys(CATALOGS, "sw"))
    wanted = {f"category.{c.value}" for c in CaseCategory} | \
        {f"role.{r.value}" for r in ResponderRole} | {"urgency.urgent", "urgency.normal"}
    assert wanted <= keys


LONG_PLACE = ["Kikwajuni Bondeni", "Wilaya ya Kaskazini A", "Kaskazini Unguja"]
LONG_LANDMARK = "Nyumba ya bluu nyuma ya msikiti mkubwa karibu na kituo cha basi"[:60]


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_info_carries_the_whole_landmark_in_three_segments_at_most(lang: str) -> None:
    from app.cases.vocabulary import CaseCategory

    for category in CaseCategory:
        for urgent in (True, False):
            for caller in (None, "+255754321987"):
                body = texts.info_text(lang, ref="1234567", category=category.value,
                                       urgent=urgent, place_parts=LONG_PLACE, caller=caller,
                                       landmark=LONG_LANDMARK, labour="mining", children="6+",
                                       seen_when="earlier")
                assert sms_segments(body) <= 3, body
                assert LONG_LANDMARK in body and "Kikwajuni Bondeni" in body
                assert (caller or "") in body


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_every_alert_fits_two_segments_with_the_longest_place_and_landmark(lang: str) -> None:
    from app.cases.vocabulary import CaseCategory, ChildrenCount, LabourKind, SeenWhen

    for category in CaseCategory:
        for labour in [None, *LabourKind]:
            for children in ChildrenCount:
                for when in SeenWhen:
                    for caller in (None, "+255754321987"):
                        body = texts.alert_text(
                            lang, ref="1234567", category=category.value, urgent=True,
                            place_parts=LONG_PLACE, caller=caller, landmark=LONG_LANDMARK,
                            labour=labour.value if labour else None, children=children.value,
                            seen_when=when.value)
                        assert sms_segments(body) <= 2, body
                        assert is_gsm7(body)
                        # the ward and its council always; the landmark at least begun
                        assert "Kikwajuni Bondeni, Wilaya ya Kaskazini A" in body or (
                            "Kikwajuni Bondeni, Kaskazini A District" in body)
                        assert LONG_LANDMARK[:12] in body and (caller or "") in body
                        assert ("KUBALI 1234567" if lang == "sw" else "ACCEPT 1234567") in body
                        assert ("TAARIFA 1234567" if lang == "sw" else "INFO 1234567") in body
                        assert "ACK " not in body


def test_a_typical_alert_is_one_sms_and_says_what_the_reporter_said() -> None:
    body = texts.alert_text("sw", ref="1234567", category="forced_labour", urgent=True,
                            place_parts=["Igogo", "Nyamagana (Jiji la Mwanza)"], caller=None,
                            labour="domestic", children="2-5", seen_when="now",
                            landmark="Karibu na soko")
    assert body == ("Linda kesi 1234567: DHARURA. kulazimishwa kufanya kazi za ndani, watoto "
                    "2-5, leo. Mahali: Igogo, Nyamagana (Jiji la Mwanza). Mahali hasa: Karibu "
                    "na soko. Jibu KUBALI 1234567 au KATAA 1234567. Maelezo yote: TAARIFA "
                    "1234567.")
    assert sms_segments(body) == 2  # one segment only when there is less to say


@pytest.mark.parametrize(("lang", "council_type", "words"), [
    ("sw", "city_council", "Jiji la Mwanza"), ("en", "city_council", "Mwanza City"),
    ("sw", "district_council", "Wilaya ya Mwanza"), ("en", "municipal_council",
                                                     "Mwanza Municipality"),
    ("sw", "town_council", "Mji wa Mwanza"), ("en", "town_council", "Mwanza Town"),
])
def test_council_types_are_said_in_words(lang: str, council_type: str, words: str) -> None:
    assert texts.council_in_words(lang, "Mwanza", council_type) == words
    assert texts.council_in_words(lang, "Mwanza", council_type, "Nyamagana") == (
        f"Nyamagana ({words})")


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_every_call_the_hotline_reply_gives_its_number(lang: str) -> None:
    for key in catalog_keys(CATALOGS, lang):
        template = catalog_keys(CATALOGS, lang)[key]
        if "simu ya msaada" in template or "hotline" in template or "piga" in template.lower():
            if key.startswith(("alert", "info", "role.", "reporter.")):
                continue
            assert "{hotline}" in template, key
