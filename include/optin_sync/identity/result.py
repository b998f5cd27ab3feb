"""The outcome of normalising one raw identifier: a match key, or the cause that rejected it."""

from __future__ import annotations

from dataclasses import dataclass

from optin_sync.identity import causes


@dataclass(frozen=True, slots=True)
class KeyResult:
    """A match key, or the cause that rejected the raw value.

    Exactly one of the two fields is set.

    Args:
        key: the normalised key, or None when the value was rejected.
        cause: None when `key` is set, otherwise one of `causes.ALL_CAUSES`.
    """

    key: str | None
    cause: str | None

    def __post_init__(self) -> None:
        if (self.key is None) == (self.cause is None):
            raise ValueError(f"KeyResult needs exactly one of key and cause, got key={self.key!r} cause={self.cause!r}")
        if self.cause is not None and self.cause not in causes.ALL_CAUSES:
            raise ValueError(f"unknown rejection cause {self.cause!r}: add it to causes.ALL_CAUSES first")

    @classmethod
    def accepted(cls, key: str) -> KeyResult:
        return cls(key=key, cause=None)

    @classmethod
    def rejected(cls, cause: str) -> KeyResult:
        return cls(key=None, cause=cause)


def is_missing(value: object) -> bool:
    """Tell whether `value` is None or a missing-value marker (float NaN, `pandas.NA`, `pandas.NaT`)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return False

    try:
        # NaN and NaT are the only common values that differ from themselves.
        return bool(value != value)
    except (TypeError, ValueError):
        # bool(pandas.NA) raises TypeError, and arrays raise ValueError. Checking the type name
        # keeps pandas out of this module's imports.
        return type(value).__name__ == "NAType"


def reject_non_text(value: object) -> KeyResult | None:
    """Return the rejection for a value that is not a string, or None when `value` is a string."""
    if isinstance(value, str):
        return None
    if is_missing(value):
        return KeyResult.rejected(causes.EMPTY)
    return KeyResult.rejected(causes.NOT_A_STRING)
