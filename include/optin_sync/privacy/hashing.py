"""Keyed hashes of personal values, so analysts can find one person without reading anyone's email or phone."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from optin_sync.errors import SettingsError

HASH_HEX_LENGTH = 32
MIN_KEY_LENGTH = 16


def canonical_email(value: str) -> str:
    return value.strip().casefold()


def canonical_phone(value: str) -> str:
    text = value.strip()
    digits = "".join(character for character in text if character.isdigit())
    return f"+{digits}" if text.startswith("+") else digits


def canonical_text(value: str) -> str:
    return value.strip().casefold()


class PiiHasher:
    """HMAC-SHA256 under a secret key, cut to 32 hex characters (128 bits).

    Args:
        key: the secret from the hash-key Connection; at least 16 characters. The same key must be used across
            runs, or a person's hashes from different runs no longer meet.
    """

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        if len(raw) < MIN_KEY_LENGTH:
            raise SettingsError(f"the PII hash key must have at least {MIN_KEY_LENGTH} characters")
        self._key = raw

    def __repr__(self) -> str:
        return "PiiHasher(key=***)"

    def digest(self, canonical: str) -> str:
        return hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:HASH_HEX_LENGTH]

    def series(self, values: pd.Series, canonical) -> pd.Series:
        """Hash every non-empty value after ``canonical``; missing and blank values stay missing."""
        out = pd.Series(pd.NA, index=values.index, dtype="string")
        present = values.notna()
        if not present.any():
            return out
        texts = values[present].astype("string")
        unique = pd.unique(texts)
        table = {}
        for text in unique:
            form = canonical(str(text))
            table[text] = self.digest(form) if form else pd.NA
        out[present] = texts.map(table).astype("string")
        return out
