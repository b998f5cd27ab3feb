"""Typed settings read from ``OPTIN_SYNC_*`` environment variables.

Every field below is one variable: ``channel_scope`` is read from ``OPTIN_SYNC_CHANNEL_SCOPE``. Durations take
seconds (``7200``) or ISO 8601 (``PT2H``). Lists are comma-separated. A bad value raises ``SettingsError`` naming
the variable and the accepted values, so a run fails at start instead of half-way.
"""

from __future__ import annotations

import json
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from optin_sync.errors import SettingsError

CHANNELS: tuple[str, ...] = ("mailing", "sms", "whatsapp")
VTEX_PHONE_FIELDS: tuple[str, ...] = ("phone", "homePhone", "cellPhone", "businessPhone")
ENV_PREFIX = "OPTIN_SYNC_"


class ChannelScope(str, Enum):
    """Scope of a match: the channels of the identifier that matched, or all three."""

    MATCHED = "matched"
    ALL = "all"


class PiiMode(str, Enum):
    """Form of emails and phones in analyst-facing datasets."""

    MASKED = "masked"
    CLEAR = "clear"


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """All settings of a sync run, with their defaults."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, extra="ignore")

    # Where and when
    data_dir: Path = Path("./data")
    timezone: str = "America/Argentina/Buenos_Aires"
    schedule_time: str = Field(default="03:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    lookback: timedelta = timedelta(hours=2)
    lang: Literal["es", "en"] = "es"

    # Identity keys
    default_region: str = Field(default="AR", pattern=r"^[A-Z]{2}$")
    default_area_code: str | None = Field(default=None, pattern=r"^0?\d{2,4}$")
    phone_fields: Annotated[list[str], NoDecode] = ["phone", "homePhone", "cellPhone"]
    placeholder_email_domains: Annotated[list[str], NoDecode] = []
    gmail_canonical: bool = False
    max_customers_per_key: int = Field(default=5, ge=1)

    # Consent rules
    channel_scope: ChannelScope = ChannelScope.MATCHED
    consent_channels: Annotated[list[str], NoDecode] = list(CHANNELS)
    crm_timezone: str = "UTC"
    respect_newer_crm_changes: bool = True
    recheck_after: timedelta = timedelta(minutes=10)
    woowup_full_export_every: timedelta = timedelta(days=7)

    # Guards
    max_disable_ratio: float = Field(default=0.05, ge=0.0, le=1.0)
    max_enable_ratio: float = Field(default=0.05, ge=0.0, le=1.0)
    min_guard_count: int = Field(default=50, ge=0)
    max_writes_per_run: int = Field(default=5000, ge=0)

    # Quality checks (Great Expectations) that gate the load
    quality_min_customers: int = Field(default=1, ge=0)
    quality_min_known_opt_in_share: float = Field(default=0.5, ge=0.0, le=1.0)
    quality_min_rows_for_shares: int = Field(default=50, ge=1)

    # Operations
    max_run_duration: timedelta = timedelta(hours=2)
    run_timeout: timedelta = timedelta(hours=20)
    failure_notifier: str = Field(default="log", pattern=r"^(log|[A-Za-z_]\w*(\.[A-Za-z_]\w*)+)$")
    failure_notifier_kwargs: Annotated[dict[str, object], NoDecode] = {}

    # API clients
    woowup_rate_limit_per_minute: int = Field(default=140, ge=1)
    woowup_concurrency: int = Field(default=4, ge=1, le=32)
    vtex_parallel_scrolls: int = Field(default=2, ge=1, le=10)
    vtex_scroll_size: int = Field(default=1000, ge=1, le=1000)
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=6, ge=1, le=20)

    # Scale-out: above this many profiles plus customers, planning splits into `buckets` mapped tasks
    bucket_threshold_rows: int = Field(default=2_000_000, ge=0)
    buckets: int = Field(default=8, ge=1, le=64)

    # Personal data
    pii_mode: PiiMode = PiiMode.MASKED
    pii_conn_id: str = Field(default="optin_sync_pii", min_length=1)
    raw_dir: Path | None = None
    raw_retention_days: int = Field(default=30, ge=1)

    @field_validator("phone_fields", "placeholder_email_domains", "consent_channels", mode="before")
    @classmethod
    def _parse_list(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("lookback", "recheck_after", "max_run_duration", "run_timeout", "woowup_full_export_every",
                     mode="before")
    @classmethod
    def _seconds(cls, value: object) -> object:
        # Plain numbers are seconds; anything else goes to pydantic's ISO 8601 and HH:MM:SS parsing.
        if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
            return timedelta(seconds=float(value))
        return value

    @field_validator("lookback", "recheck_after", "woowup_full_export_every")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("a negative duration would shrink the window and skip changes")
        return value

    @field_validator("failure_notifier_kwargs", mode="before")
    @classmethod
    def _parse_json_object(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON ({exc.msg} at character {exc.pos})") from None
        return value

    @field_validator("max_run_duration", "run_timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the duration must be longer than zero")
        return value

    @field_validator("phone_fields")
    @classmethod
    def _check_phone_fields(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in VTEX_PHONE_FIELDS]
        if unknown:
            raise ValueError(f"unknown CL phone field {unknown[0]!r}")
        return value

    @field_validator("default_region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        import phonenumbers

        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"region {value!r} is not known to libphonenumber")
        return value

    @field_validator("consent_channels")
    @classmethod
    def _check_channels(cls, value: list[str]) -> list[str]:
        unknown = [item for item in value if item not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r}")
        return value

    @field_validator("placeholder_email_domains")
    @classmethod
    def _lower_domains(cls, value: list[str]) -> list[str]:
        return [item.lower() for item in value]

    @field_validator("timezone", "crm_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def crm_tz(self) -> ZoneInfo:
        return ZoneInfo(self.crm_timezone)


# Accepted values per variable, quoted in error messages so the operator can fix the value at once.
_ACCEPTED = {
    "channel_scope": "matched, all",
    "consent_channels": "a comma list of mailing, sms, whatsapp",
    "pii_mode": "masked, clear",
    "lang": "es, en",
    "timezone": "an IANA time zone such as America/Argentina/Buenos_Aires",
    "crm_timezone": "an IANA time zone such as UTC",
    "schedule_time": "HH:MM in 24-hour form",
    "default_region": "an ISO 3166-1 alpha-2 code known to libphonenumber, such as AR",
    "default_area_code": "2 to 4 digits, optionally after a trunk 0",
    "lookback": "zero or more seconds, or an ISO 8601 duration such as PT2H",
    "recheck_after": "zero or more seconds, or an ISO 8601 duration such as PT10M",
    "woowup_full_export_every": "zero or more seconds, or an ISO 8601 duration such as P7D (0: every run)",
    "phone_fields": "a comma list of phone, homePhone, cellPhone, businessPhone",
    "vtex_parallel_scrolls": "an integer from 1 to 10",
    "vtex_scroll_size": "an integer from 1 to 1000",
    "woowup_concurrency": "an integer from 1 to 32",
    "max_disable_ratio": "a number from 0 to 1",
    "max_enable_ratio": "a number from 0 to 1",
    "max_run_duration": "a duration longer than zero, such as PT2H",
    "run_timeout": "a duration longer than zero, such as PT20H",
    "failure_notifier": "log, or the dotted path of a BaseNotifier subclass",
    "failure_notifier_kwargs": "a JSON object of the notifier's keyword arguments",
    "raw_retention_days": "a whole number of days, 1 or more",
    "bucket_threshold_rows": "a whole number of rows, 0 or more (0: always split into buckets)",
    "buckets": "an integer from 1 to 64",
    "quality_min_known_opt_in_share": "a number from 0 to 1",
}


def accepted_values(field: str) -> str:
    """Return the accepted values of a setting as error messages quote them."""
    return _ACCEPTED.get(field, "see docs/settings.md")


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment; ``overrides`` win over it (tests, accounts)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            accepted = _ACCEPTED.get(field, "see docs/settings.md")
            problems.append(
                f"{ENV_PREFIX}{field.upper()}: invalid value {error.get('input')!r} ({error['msg']}); "
                f"accepted: {accepted}"
            )
        raise SettingsError("; ".join(problems)) from None
