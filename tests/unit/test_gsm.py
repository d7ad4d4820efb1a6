import pytest

from app.gsm import gsm7_length, is_gsm7, to_gsm7


def test_extension_characters_count_twice() -> None:
    assert gsm7_length("abc") == 3
    assert gsm7_length("[x]") == 5


def test_non_gsm_text_is_rejected_and_foldable() -> None:
    assert not is_gsm7("Habari “rafiki”")
    with pytest.raises(ValueError, match="not GSM-7"):
        gsm7_length("😀")
    assert to_gsm7("Habari “rafiki” – ndiyo") == 'Habari "rafiki" - ndiyo'
