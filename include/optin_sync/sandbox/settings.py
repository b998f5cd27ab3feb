"""Fault and behaviour settings, validated strictly from the `settings` object of a reset.

Schema (every key optional; every rate is a number in [0, 1]; all faults are off by default)::

    {
      "fault_seed": 0,                     # int: makes every random fault decision reproducible
      "crash_after_writes": null,          # int >= 1: stop serving after N successful PUT /multiusers

      # Fault keys. At the top level they apply to both APIs, inside "vtex"/"woowup"
      # they apply to that API only and win over the top-level value.
      "latency_ms": 0,                     # added delay per API request, in milliseconds
      "error_500_rate": 0, "error_502_rate": 0, "error_503_rate": 0, "error_408_rate": 0,
      "burst_429_rate": 0,                 # share of requests that start a burst of 429 responses
      "burst_429_seconds": 5,              # length of one burst, in real seconds
      "connection_reset_rate": 0,          # socket closed with a TCP RST instead of a response
      "truncated_body_rate": 0,            # full Content-Length announced, part of the body sent
      "fault_after_write_rate": 0,         # PUT/POST applied, then the connection is reset

      # VTEX-only keys (top level or inside "vtex")
      "vtex_read_permission": true,        # false: valid keys get 403 (no Dynamic Storage read)
      "scroll_token_ttl_seconds": 1200,    # scroll token expiry after inactivity, in seconds
      "max_simultaneous_scrolls": 10,
      "omit_content_total_rate": 0,        # share of first scroll pages without REST-Content-Total
      "vtex_500_not_found": false,         # unknown document id: 500 "não encontrado" instead of 404

      # WoowUp-only keys (top level or inside "woowup")
      "rate_limit_per_minute": 140,
      "time_scale": 1.0,                   # > 1 shortens the 30 s rate-limit segment (10 gives 3 s);
                                           # Retry-After stays whole real seconds, at least 1
      "boolean_channels_rate": 0,          # share of customers whose channels read as true/false

      "vtex": {...}, "woowup": {...}
    }

Unknown keys, a key of one API inside the other API's block, and values of the wrong type
or range are rejected with `BadRequest`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from optin_sync.sandbox.messages import BadRequest

APIS = ("vtex", "woowup")

RATE_KEYS = (
    "error_500_rate",
    "error_502_rate",
    "error_503_rate",
    "error_408_rate",
    "burst_429_rate",
    "connection_reset_rate",
    "truncated_body_rate",
    "fault_after_write_rate",
)
VTEX_KEYS = (
    "vtex_read_permission",
    "scroll_token_ttl_seconds",
    "max_simultaneous_scrolls",
    "omit_content_total_rate",
    "vtex_500_not_found",
)
WOOWUP_KEYS = ("rate_limit_per_minute", "time_scale", "boolean_channels_rate")
FAULT_KEYS = ("latency_ms", "burst_429_seconds", *RATE_KEYS)
GLOBAL_ONLY_KEYS = ("fault_seed", "crash_after_writes")


@dataclass(frozen=True)
class ApiFaults:
    """Fault settings of one API."""

    latency_ms: float = 0.0
    error_500_rate: float = 0.0
    error_502_rate: float = 0.0
    error_503_rate: float = 0.0
    error_408_rate: float = 0.0
    burst_429_rate: float = 0.0
    burst_429_seconds: float = 5.0
    connection_reset_rate: float = 0.0
    truncated_body_rate: float = 0.0
    fault_after_write_rate: float = 0.0


@dataclass(frozen=True)
class VtexSettings:
    """Master Data behaviour settings."""

    vtex_read_permission: bool = True
    scroll_token_ttl_seconds: float = 1200.0
    max_simultaneous_scrolls: int = 10
    omit_content_total_rate: float = 0.0
    vtex_500_not_found: bool = False


@dataclass(frozen=True)
class WoowUpSettings:
    """WoowUp behaviour settings."""

    rate_limit_per_minute: int = 140
    time_scale: float = 1.0
    boolean_channels_rate: float = 0.0


@dataclass(frozen=True)
class Settings:
    """All sandbox settings after validation."""

    fault_seed: int = 0
    crash_after_writes: int | None = None
    faults: dict[str, ApiFaults] = field(default_factory=lambda: {api: ApiFaults() for api in APIS})
    vtex: VtexSettings = VtexSettings()
    woowup: WoowUpSettings = WoowUpSettings()


def _number(key: str, value: Any, minimum: float, maximum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"setting {key} must be a number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise BadRequest(f"setting {key} must be at least {minimum}{upper}, got {value!r}")
    return float(value)


def _integer(key: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"setting {key} must be an integer, got {value!r}")
    if value < minimum:
        raise BadRequest(f"setting {key} must be at least {minimum}, got {value!r}")
    return value


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"setting {key} must be true or false, got {value!r}")
    return value


def _convert(key: str, value: Any) -> Any:
    """Validate one setting value and convert it to its stored type."""
    if key in RATE_KEYS or key in ("omit_content_total_rate", "boolean_channels_rate"):
        return _number(key, value, 0.0, 1.0)
    if key in ("latency_ms", "burst_429_seconds"):
        return _number(key, value, 0.0)
    if key == "scroll_token_ttl_seconds":
        return _number(key, value, 0.001)
    if key == "time_scale":
        return _number(key, value, 0.001)
    if key in ("vtex_read_permission", "vtex_500_not_found"):
        return _boolean(key, value)
    if key in ("max_simultaneous_scrolls", "rate_limit_per_minute"):
        return _integer(key, value, 1)
    if key == "fault_seed":
        return _integer(key, value, 0)
    if key == "crash_after_writes":
        return None if value is None else _integer(key, value, 1)
    raise BadRequest(f"unknown setting {key!r}")


def _split_block(block: dict[str, Any], api: str | None) -> tuple[dict, dict, dict]:
    """Sort one block's keys into fault, VTEX-only and WoowUp-only values."""
    faults: dict[str, Any] = {}
    vtex: dict[str, Any] = {}
    woowup: dict[str, Any] = {}
    for key, value in block.items():
        if key in FAULT_KEYS:
            faults[key] = _convert(key, value)
        elif key in VTEX_KEYS and api in (None, "vtex"):
            vtex[key] = _convert(key, value)
        elif key in WOOWUP_KEYS and api in (None, "woowup"):
            woowup[key] = _convert(key, value)
        elif key in (*VTEX_KEYS, *WOOWUP_KEYS):
            raise BadRequest(f"setting {key!r} does not belong to the {api} API")
        else:
            where = "" if api is None else f" in the {api!r} block"
            raise BadRequest(f"unknown setting {key!r}{where}")
    return faults, vtex, woowup


def parse_settings(raw: Any) -> Settings:
    """Validate a reset's `settings` object (see the module docstring) and build `Settings`."""
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        raise BadRequest("settings must be a JSON object")

    top = {key: value for key, value in raw.items() if key not in (*APIS, *GLOBAL_ONLY_KEYS)}
    shared_faults, vtex_values, woowup_values = _split_block(top, None)

    faults: dict[str, ApiFaults] = {}
    for api in APIS:
        block = raw.get(api, {})
        if not isinstance(block, dict):
            raise BadRequest(f"settings.{api} must be a JSON object")
        api_faults, api_vtex, api_woowup = _split_block(block, api)
        faults[api] = ApiFaults(**{**shared_faults, **api_faults})
        vtex_values.update(api_vtex)
        woowup_values.update(api_woowup)

    return Settings(
        fault_seed=_convert("fault_seed", raw.get("fault_seed", 0)),
        crash_after_writes=_convert("crash_after_writes", raw.get("crash_after_writes")),
        faults=faults,
        vtex=replace(VtexSettings(), **vtex_values),
        woowup=replace(WoowUpSettings(), **woowup_values),
    )
