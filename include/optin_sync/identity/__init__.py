"""Match keys: normalised emails and phones that identify one person across VTEX and WoowUp.

The pandas column versions (`email_keys`, `phone_keys` and their `_by_shape` forms) are imported on first use,
so importing this package does not import pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optin_sync.identity.causes import ALL_CAUSES
from optin_sync.identity.emails import email_key
from optin_sync.identity.phones import phone_key, phone_keys_from_fields
from optin_sync.identity.result import KeyResult

if TYPE_CHECKING:
    from optin_sync.identity.vectorised import email_keys, email_keys_by_shape, phone_keys, phone_keys_by_shape

__all__ = [
    "ALL_CAUSES",
    "KeyResult",
    "email_key",
    "email_keys",
    "email_keys_by_shape",
    "phone_key",
    "phone_keys",
    "phone_keys_by_shape",
    "phone_keys_from_fields",
]

_VECTORISED = frozenset({"email_keys", "email_keys_by_shape", "phone_keys", "phone_keys_by_shape"})


def __getattr__(name: str) -> Any:
    if name in _VECTORISED:
        from optin_sync.identity import vectorised

        return getattr(vectorised, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
