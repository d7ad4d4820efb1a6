"""Whatever AT or a phone sends, the webhook answers a screen that fits, never an error."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.gsm import is_gsm7
from app.i18n import LANGUAGES
from app.ussd.engine import pick_layout, render, walk
from app.ussd.lists import numbered
from app.ussd.menu import MESSAGES, graph
from app.ussd.screens import Item, Pick
from app.ussd.services import DbProvider
from app.web.security import MULTILINE_FIELDS
from tests.integration.ussd.ussd_helpers import TOKEN, keys_for

KEYS = st.sampled_from(["", "0", "00", "1", "2", "3", "4", "5", "6", "7", "8", "9", "98",
                        "ka", "Kariakoo", "#", "1234566"])
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
TEXTS = st.one_of(
    st.lists(st.one_of(KEYS, ANY_TEXT), max_size=25).map("*".join),
    ANY_TEXT,
)
FIELD = st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=30))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=TEXTS, session=st.sampled_from(["p-1", "p-2", "p-3"]),
       phone=st.sampled_from(["+255712345678", "0754000111", "255620000001"]))
def test_any_text_gets_a_screen_that_fits(client: FlaskClient, text: str, session: str,
                                          phone: str) -> None:
    reply = client.post(f"/at/{TOKEN}/ussd", data={
        "sessionId": session, "serviceCode": "*149*46#", "phoneNumber": phone, "text": text})
    assert reply.status_code == 200
    assert reply.text.startswith(("CON ", "END "))
    assert len(reply.text) <= 160


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(session=FIELD, code=st.one_of(FIELD, st.just("*149*46#")), phone=FIELD, text=FIELD,
       network=FIELD)
def test_any_fields_never_make_a_server_error(client: FlaskClient, session: str | None,
                                             code: str | None, phone: str | None,
                                             text: str | None, network: str | None) -> None:
    data = {k: v for k, v in {"sessionId": session, "serviceCode": code, "phoneNumber": phone,
                              "text": text, "networkCode": network}.items() if v is not None}
    reply = client.post(f"/at/{TOKEN}/ussd", data=data)
    assert reply.status_code == 200
    assert reply.text.startswith(("CON ", "END ")) and len(reply.text) <= 160
    event = client.post(f"/at/{TOKEN}/ussd/events", data=data)
    def refused(name: str, ch: str) -> bool:  # line breaks and tabs belong in text fields
        return unicodedata.category(ch) == "Cc" and not (
            name in MULTILINE_FIELDS and ch in "\n\r\t")

    if any(refused(name, ch) for name, value in data.items() for ch in value):
        assert event.status_code == 400  # a control character: refused, naming the field
        assert event.get_json()["field"] in data
    else:
        assert event.status_code == 200


def test_every_list_page_of_the_real_gazetteer_fits(client: FlaskClient) -> None:
    """Every region, council and ward page with the real names, and the summary with the
    longest ward name of each council, in both languages."""
    provider = DbProvider()
    g = graph()

    checked: list[str] = []

    def check(path: list[str], screen: str) -> None:
        checked.append(screen)
        pos = walk(g, path, provider)
        assert pos.screen.id == screen and pos.error is None, path
        for lang in LANGUAGES:
            text = render(g, pos, MESSAGES.get, lang, provider).text
            assert len(text) <= 160 and is_gsm7(text), text

    def every_page(prefix: list[str], items: Sequence[Item], screen: str,
                   index_shown: bool = True) -> None:
        """The list as it arrives (whole, or its index), then each page of its index."""
        pick = g.screens[screen]
        assert isinstance(pick, Pick)
        if index_shown:
            check(prefix, screen)
        lay = pick_layout(pick, items)
        if lay.indexed:
            for key in numbered(len(lay.pages), ["8"] if pick.skip_label else []):
                check([*prefix, key], screen)

    start = ["1", "1", "5"]  # danger now, 112 seen, "promised a job" (longest label)
    regions = provider.items("regions", None)
    check(start, "report.place")  # the regions' index is on the place question
    every_page(start, regions, "report.region", index_shown=False)
    for region in regions:
        at_region = [*start, *keys_for(regions, region.id, "report.region")]
        councils = provider.items("councils", region.id)
        every_page(at_region, councils, "report.council")
        for council in councils:
            at_council = [*at_region, *keys_for(councils, council.id, "report.council")]
            wards = provider.items("wards", council.id)
            every_page(at_council, wards, "report.ward")
            if wards:
                ward = max(wards, key=lambda w: len(w.label))
                check([*at_council, *keys_for(wards, ward.id, "report.ward")], "report.confirm")
    councils_with_wards = sum(
        1 for r in regions for c in provider.items("councils", r.id)
        if provider.items("wards", c.id))
    assert checked.count("report.confirm") == councils_with_wards > 0
    assert checked.count("report.ward") >= councils_with_wards
