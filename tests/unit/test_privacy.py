import pytest

from app.privacy import DecryptionError, Vault, mask_phone


def test_ciphertext_is_bound_to_its_row() -> None:
    v = Vault.from_secret("k" * 40)
    token = v.encrypt("+255712345678", "cases.reporter_phone:1234567")
    assert "255712345678" not in token
    assert v.decrypt(token, "cases.reporter_phone:1234567") == "+255712345678"
    with pytest.raises(DecryptionError):
        v.decrypt(token, "cases.reporter_phone:7654321")


def test_other_key_cannot_decrypt_and_index_differs() -> None:
    a, b = Vault.from_secret("a" * 40), Vault.from_secret("b" * 40)
    with pytest.raises(DecryptionError):
        b.decrypt(a.encrypt("x", "c"), "c")
    assert a.blind_index("+255712345678") == a.blind_index("+255712345678")
    assert a.blind_index("+255712345678") != b.blind_index("+255712345678")
    assert a.index_key != a.enc_key


def test_mask_phone_hides_the_middle() -> None:
    assert mask_phone("+255712345678") == "+255*******78"
