"""Personal data at rest: AES-256-GCM with the row bound in, and a keyed blind index.

Both keys are derived from ``LINDA_DATA_KEY`` with HKDF under different labels, so the index
key can never decrypt and a leaked index reveals nothing without the master key. The
associated data names the table, column and row purpose, so a ciphertext copied into another
row or column fails to decrypt instead of silently showing someone else's number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

VERSION = b"v1"


class DecryptionError(Exception):
    """A ciphertext was tampered with, moved to another row, or made with another key."""


def _derive(master: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"linda", info=label).derive(
        master.encode()
    )


@dataclass(frozen=True)
class Vault:
    """Encrypts, decrypts and indexes personal data with keys derived from one secret."""

    enc_key: bytes
    index_key: bytes

    @classmethod
    def from_secret(cls, master: str) -> Vault:
        if len(master) < 16:
            raise ValueError("LINDA_DATA_KEY is too short: use at least 32 random characters")
        return cls(_derive(master, b"encrypt-v1"), _derive(master, b"blind-index-v1"))

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.enc_key).encrypt(nonce, plaintext.encode(), context.encode())
        return (VERSION + b":" + base64.urlsafe_b64encode(nonce + sealed)).decode()

    def decrypt(self, token: str, context: str) -> str:
        try:
            version, body = token.encode().split(b":", 1)
            if version != VERSION:
                raise DecryptionError(f"unknown ciphertext version {version!r}")
            raw = base64.urlsafe_b64decode(body)
            return AESGCM(self.enc_key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("ciphertext does not open with this key and row") from exc

    def blind_index(self, value: str, kind: str = "phone") -> str:
        digest = hmac.new(self.index_key, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()


def vault() -> Vault:
    """The vault of the current app, built once per app."""
    ext = current_app.extensions
    if "linda_vault" not in ext:
        ext["linda_vault"] = Vault.from_secret(current_app.config["LINDA_DATA_KEY"])
    return ext["linda_vault"]  # type: ignore[no-any-return]


def phone_hash(e164: str) -> str:
    """Blind index of a phone number: the only form in which numbers are looked up."""
    return vault().blind_index(e164, "phone")


def mask_phone(e164: str) -> str:
    """A form safe for logs and staff lists: country code and last two digits."""
    if len(e164) < 6:
        return "***"
    return f"{e164[:4]}*******{e164[-2:]}"


class Sealed:
    """The plaintext face of an encrypted column, sealed to its table, column and row.

    Declared on a model as ``landmark = Sealed("reference")``, it reads and writes
    ``landmark_enc``; the associated data is ``"<table>.<column>:<anchor>"``, where the anchor is
    an attribute that identifies the row before it has an id (a case number, a random uid, the
    creation instant). ``hash_to`` names a blind-index column kept in step with the value, set
    before sealing so that an anchor may be the hash itself.
    """

    def __init__(self, anchor: str, *, column: str | None = None,
                 hash_to: str | None = None) -> None:
        self.anchor = anchor
        self.column = column
        self.hash_to = hash_to

    def __set_name__(self, owner: type, name: str) -> None:
        self.column = self.column or name

    def _context(self, obj: object) -> str:
        anchor = getattr(obj, self.anchor)
        if hasattr(anchor, "isoformat"):
            anchor = anchor.isoformat()
        return f"{obj.__tablename__}.{self.column}:{anchor}"  # type: ignore[attr-defined]

    def __get__(self, obj: object | None, owner: type | None = None) -> str | Sealed | None:
        if obj is None:
            return self
        token = getattr(obj, f"{self.column}_enc")
        return None if token is None else vault().decrypt(token, self._context(obj))

    def __set__(self, obj: object, value: str | None) -> None:
        if self.hash_to is not None:
            setattr(obj, self.hash_to, None if value is None else phone_hash(value))
        token = None if value is None else vault().encrypt(value, self._context(obj))
        setattr(obj, f"{self.column}_enc", token)
