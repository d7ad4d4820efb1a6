"""The delivery-status and send-answer mappers on any input: a known value maps, anything
else is refused with a reason naming the expected values; nothing else escapes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.sms.status import (
    DELIVERY_STATUS,
    SendDecision,
    SmsStatus,
    UnknownDeliveryStatusError,
    decide_http,
    decide_send,
    map_delivery_status,
)

ANY = st.characters(exclude_categories=("Cs",))
RAW = st.one_of(st.text(ANY, max_size=40), st.sampled_from(sorted(DELIVERY_STATUS)),
                st.sampled_from(sorted(DELIVERY_STATUS)).map(str.lower),
                st.sampled_from(sorted(DELIVERY_STATUS)).map(lambda s: f" {s} "))


@settings(max_examples=300, deadline=None)
@given(raws=st.lists(RAW, min_size=10, max_size=10))  # 3,000 per run
def test_any_status_maps_or_is_refused_with_the_expected_values(raws: list[str]) -> None:
    for raw in raws:
        check(raw)


def check(raw: str) -> None:
    try:
        status = map_delivery_status(raw)
    except UnknownDeliveryStatusError as exc:
        assert raw not in DELIVERY_STATUS
        assert str(exc).startswith("unknown status") and "Success" in str(exc)
    else:
        assert raw in DELIVERY_STATUS and isinstance(status, SmsStatus)
        assert status is DELIVERY_STATUS[raw]


ANSWER = st.tuples(st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(ANY, max_size=10)),
                   st.one_of(st.none(), st.text(ANY, max_size=20)), st.integers(100, 599))


@settings(max_examples=200, deadline=None)
@given(answers=st.lists(ANSWER, min_size=5, max_size=5))  # 1,000 per run
def test_any_send_answer_is_a_decision(answers: list[tuple]) -> None:
    for code, status, http in answers:
        assert isinstance(decide_send(code, status), SendDecision)
        decision = decide_http(http)
        assert decision in (SendDecision.RETRY, SendDecision.FAIL)
        assert (decision is SendDecision.RETRY) == (http in (408, 429) or http >= 500)
