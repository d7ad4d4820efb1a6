"""Personal data at rest: AES-256-GCM with the row bound in, and a keyed blind index.

Both keys are derived from ``LINDA_DATA_KEY`` with HKDF under different labels, so the index
key can never decrypt and a leaked index reveals nothing without the master key. The
associated data names the table, column and row purpose, so a ciphertext copied into another
row or column fails to decrypt instead of silently showing someone else's number.

``LINDA_DATA_KEY`` is one secret (key version 1) or a list ``"2:new,1:old"``: the first entry
seals, every entry opens. A ciphertext starts with ``v<version>:``, so the ``v1:`` values
written before versions existed open unchanged. The blind index stays keyed by version 1,
which must stay listed: re-keying it would make every lookup try two keys during a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

MIN_KEY_LENGTH = 16  # anywhere; production asks for 32 random characters (app.config)
_ENTRY = re.compile(r"^(\d+):(.*)$", re.DOTALL)
_TOKEN = re.compile(r"^v(\d+):")


class DecryptionError(Exception):
    """A ciphertext was tampered with, moved to another row, or made with another key."""


class DataKeyError(ValueError):
    """``LINDA_DATA_KEY`` cannot be parsed; the message says what is wrong."""


def parse_data_key(spec: str) -> dict[int, str]:
    """``{version: secret}``, the sealing version first.

    Raises:
        DataKeyError: an empty entry, a version that is not a positive number or is listed
            twice, or a secret shorter than ``MIN_KEY_LENGTH``.
    """
    spec = spec.strip()
    if "," not in spec and not _ENTRY.match(spec):
        entries = [(1, spec)]
    else:
        entries = []
        for n, raw in enumerate(spec.split(","), 1):
            match = _ENTRY.match(raw.strip())
            if match is None:
                raise DataKeyError(f"entry {n} is not VERSION:SECRET (e.g. 2:new,1:old)")
            entries.append((int(match.group(1)), match.group(2)))
    keys: dict[int, str] = {}
    for version, secret in entries:
        if version < 1:
            raise DataKeyError(f"key version {version} must be 1 or more")
        if version in keys:
            raise DataKeyError(f"key version {version} is listed twice")
        if len(secret) < MIN_KEY_LENGTH:
            raise DataKeyError(f"the key of version {version} is too short: "
                               "use at least 32 random characters")
        keys[version] = secret
    if 1 not in keys:
        raise DataKeyError("key version 1 is missing: it keys the blind index of phone "
                           "numbers, keep it listed (e.g. 2:new,1:old)")
    return keys


def _derive(master: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"linda", info=label).derive(
        master.encode()
    )


@dataclass(frozen=True)
class Vault:
    """Encrypts, decrypts and indexes personal data with keys derived from the data key."""

    keys: Mapping[int, bytes]  # version -> AES key
    current: int  # the version that seals
    index_key: bytes

    @classmethod
    def from_secret(cls, spec: str) -> Vault:
        """Raises: DataKeyError (a ValueError) when ``spec`` does not parse."""
        secrets_ = parse_data_key(spec)
        keys = {v: _derive(s, f"encrypt-v{v}".encode()) for v, s in secrets_.items()}
        return cls(keys, next(iter(secrets_)),
                   _derive(secrets_[1], b"blind-index-v1"))

    @property
    def enc_key(self) -> bytes:
        return self.keys[self.current]

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.enc_key).encrypt(nonce, plaintext.encode(), context.encode())
        return f"v{self.current}:" + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, context: str) -> str:
        version = key_version(token)
        if version is None or version not in self.keys:
            raise DecryptionError(f"no key of version {version} to open this ciphertext")
        try:
            raw = base64.urlsafe_b64decode(token.split(":", 1)[1])
            return AESGCM(self.keys[version]).decrypt(raw[:12], raw[12:],
                                                      context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("ciphertext does not open with this key and row") from exc

    def blind_index(self, value: str, kind: str = "phone") -> str:
        digest = hmac.new(self.index_key, f"{kind}:{value}".encode(), hashlib.sha256)
        return digest.hexdigest()


def key_version(token: str) -> int | None:
    """The key version a ciphertext was sealed under, or None when it is not one of ours."""
    match = _TOKEN.match(token)
    return int(match.group(1)) if match else None


_LINE_CHARS = frozenset("\n\t")


def strip_controls(text: str, *, keep_lines: bool = True) -> str:
    """``text`` without control characters (terminal escapes, NUL, bells); newlines and tabs
    stay where a person wrote several lines, unless ``keep_lines`` is false."""
    keep = _LINE_CHARS if keep_lines else frozenset()
    text = text.replace("\r\n", "\n")
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) != "Cc")


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
                 hash_to: str | None = None,
                 new_anchor: Callable[[], object] | None = None) -> None:
        self.anchor = anchor
        self.column = column
        self.hash_to = hash_to
        self.new_anchor = new_anchor  # gives a new row its anchor when the value is first set

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
        if self.new_anchor is not None and getattr(obj, self.anchor) is None:
            setattr(obj, self.anchor, self.new_anchor())
        if self.hash_to is not None:
            setattr(obj, self.hash_to, None if value is None else phone_hash(value))
        if value is not None:
            value = strip_controls(value)  # typed text never carries terminal escapes
        token = None if value is None else vault().encrypt(value, self._context(obj))
        setattr(obj, f"{self.column}_enc", token)
