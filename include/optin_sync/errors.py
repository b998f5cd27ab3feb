"""Exceptions raised by the library, one family per boundary so callers can catch by meaning."""

from __future__ import annotations


class OptInSyncError(Exception):
    """Base class of every error this package raises on purpose."""


class SettingsError(OptInSyncError):
    """A setting has an invalid value; the message names the variable and the accepted values."""


class AccountsError(SettingsError):
    """The accounts file is missing or invalid; the message names the file, the account and the field."""


class WindowError(OptInSyncError):
    """A run window could not be resolved from the Params or the data interval."""


class SourceError(OptInSyncError):
    """An API call failed in a way that retrying will not fix."""


class VtexError(SourceError):
    """VTEX Master Data rejected a request or kept failing after the retry budget."""


class WoowUpError(SourceError):
    """WoowUp rejected a request or kept failing after the retry budget."""


class RateLimited(SourceError):
    """The retry budget ran out while the API kept returning 429."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SnapshotError(OptInSyncError):
    """A snapshot is missing, unreadable or would overwrite another run's files."""


class QualityGateFailed(OptInSyncError):
    """The quality checks or the mass-change guard stopped the run before any write."""

    def __init__(self, message: str, failures: list[str] | None = None) -> None:
        super().__init__(message)
        self.failures = failures or []


class LoadError(OptInSyncError):
    """The load finished with writes that failed; they are retried by the next run."""
