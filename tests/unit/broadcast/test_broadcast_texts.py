"""The acknowledgement of a reply fits one SMS; catalogs complete; billing by segments."""

from pathlib import Path

import pytest

from app.broadcast import sms
from app.gsm import SMS_SINGLE_LIMIT, gsm7_length, sms_segments
from app.i18n import catalog_keys
from app.referral.roles import ResponderRole

CATALOGS = Path(sms.__file__).parent / "translations"


def test_both_catalogs_have_every_key_with_text() -> None:
    sw, en = catalog_keys(CATALOGS, "sw"), catalog_keys(CATALOGS, "en")
    assert set(sw) == set(en) and all(sw.values()) and all(en.values())
    assert {f"page.role.{r.value}" for r in ResponderRole} <= set(sw)


@pytest.mark.parametrize("lang", ["sw", "en"])
def test_reply_acknowledgement_fits_one_sms(lang: str) -> None:
    assert gsm7_length(sms.text(lang, "broadcast.reply")) <= SMS_SINGLE_LIMIT


def test_segments_are_counted_as_operators_bill_them() -> None:
    assert [sms_segments("x" * n) for n in (1, 160, 161, 306, 307, 459)] == [1, 1, 2, 2, 3, 3]
    assert sms_segments("[" * 80) == 1 and sms_segments("[" * 81) == 2  # two septets each
