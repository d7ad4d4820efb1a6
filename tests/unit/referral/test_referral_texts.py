from pathlib import Path

import pytest

from app.gsm import SMS_SINGLE_LIMIT, gsm7_length
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
        if key.startswith(("reply.", "notice.", "reporter.", "confirm", "reminder")):
            body = texts.text(lang, key, **params)
            assert gsm7_length(body) <= SMS_SINGLE_LIMIT, (key, len(body))


def test_every_category_role_and_urgency_has_a_name() -> None:
    from app.cases.vocabulary import CaseCategory
    from app.referral.roles import ResponderRole

    keys = set(catalog_keys(CATALOGS, "sw"))
    wanted = {f"category.{c.value}" for c in CaseCategory} | \
        {f"role.{r.value}" for r in ResponderRole} | {"urgency.urgent", "urgency.normal"}
    assert wanted <= keys


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_info_carries_the_landmark_in_one_sms_at_the_longest(lang: str) -> None:
    from app.cases.vocabulary import CaseCategory

    parts = ["Kariakoo", "Ilala (Dar es Salaam CC)", "Dar es Salaam"]
    landmark = "Nyumba ya bluu nyuma ya msikiti mkubwa karibu na kituo cha basi"[:60]
    for category in CaseCategory:
        for urgent in (True, False):
            for caller in (None, "+255754321987"):
                body = texts.info_text(lang, ref="1234567", category=category.value,
                                       urgent=urgent, place_parts=parts, caller=caller,
                                       landmark=landmark)
                assert gsm7_length(body) <= SMS_SINGLE_LIMIT, body
                assert landmark[:40] in body and "Kari" in body
                assert (caller or "") in body
    short = texts.info_text(lang, ref="1234567", category="begging", urgent=True,
                            place_parts=parts, caller=None, landmark="Soko la Kariakoo")
    assert "Soko la Kariakoo. Kariakoo, Ilala (Dar es Salaam CC)" in short
    assert texts.info_text(lang, ref="1234567", category="begging", urgent=True,
                           place_parts=parts, caller=None, landmark=None) == texts.alert_text(
        lang, ref="1234567", category="begging", urgent=True, place_parts=parts, caller=None)
