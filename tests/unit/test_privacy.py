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


def test_sealed_column_is_bound_to_its_row_and_keeps_its_blind_index(app) -> None:
    from app.privacy import Sealed, phone_hash

    class Row:
        __tablename__ = "rows"
        phone = Sealed("uid", hash_to="phone_hash")

        def __init__(self, uid: str) -> None:
            self.uid = uid

    a, b = Row("a"), Row("b")
    a.phone = "+255712345678"
    assert a.phone == "+255712345678"
    assert a.phone_hash == phone_hash("+255712345678")
    assert "712345678" not in a.phone_enc
    b.phone_enc = a.phone_enc  # a ciphertext copied to another row
    with pytest.raises(DecryptionError):
        _ = b.phone
    a.phone = None
    assert (a.phone, a.phone_hash, a.phone_enc) == (None, None, None)
