"""Validation of reset settings and the fault decisions they drive."""

import pytest

from optin_sync.sandbox.faults import FaultInjector
from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.settings import parse_settings


def test_settings_defaults():
    settings = parse_settings(None)

    assert settings.woowup.rate_limit_per_minute == 140
    assert settings.vtex.scroll_token_ttl_seconds == 1200
    assert settings.vtex.max_simultaneous_scrolls == 10
    assert settings.faults["vtex"].error_500_rate == 0
    assert settings.crash_after_writes is None


def test_settings_global_fault_applies_to_both_apis():
    settings = parse_settings({"error_503_rate": 0.5})

    assert settings.faults["vtex"].error_503_rate == 0.5
    assert settings.faults["woowup"].error_503_rate == 0.5


def test_settings_api_block_overrides_global():
    settings = parse_settings({"latency_ms": 10, "woowup": {"latency_ms": 50}})

    assert settings.faults["vtex"].latency_ms == 10
    assert settings.faults["woowup"].latency_ms == 50


def test_settings_api_keys_at_top_level():
    settings = parse_settings({"rate_limit_per_minute": 20, "scroll_token_ttl_seconds": 0.5})

    assert settings.woowup.rate_limit_per_minute == 20
    assert settings.vtex.scroll_token_ttl_seconds == 0.5


@pytest.mark.parametrize(
    "raw",
    [
        {"error_500_rte": 0.1},
        {"error_500_rate": 1.5},
        {"error_500_rate": "0.1"},
        {"latency_ms": -1},
        {"vtex": {"rate_limit_per_minute": 10}},
        {"woowup": {"max_simultaneous_scrolls": 2}},
        {"vtex": {"fault_seed": 1}},
        {"vtex_read_permission": "no"},
        {"rate_limit_per_minute": 0},
        {"rate_limit_per_minute": True},
        {"crash_after_writes": 0},
        {"vtex": []},
        [],
    ],
)
def test_settings_rejects_invalid(raw):
    with pytest.raises(BadRequest):
        parse_settings(raw)


def decisions(settings, api, count):
    injector = FaultInjector(settings, clock=lambda: 0.0)
    return [injector.decide(api).name for _ in range(count)]


def test_faults_same_seed_same_decisions():
    settings = parse_settings({"fault_seed": 5, "error_500_rate": 0.3, "connection_reset_rate": 0.2})

    assert decisions(settings, "woowup", 200) == decisions(settings, "woowup", 200)


def test_faults_other_seed_other_decisions():
    first = parse_settings({"fault_seed": 5, "error_500_rate": 0.3})
    second = parse_settings({"fault_seed": 6, "error_500_rate": 0.3})

    assert decisions(first, "woowup", 200) != decisions(second, "woowup", 200)


def test_faults_rate_is_close_to_setting():
    settings = parse_settings({"error_502_rate": 0.25})
    names = decisions(settings, "vtex", 2000)

    assert 0.21 <= names.count("error_502") / 2000 <= 0.29


def test_faults_off_by_default():
    assert set(decisions(parse_settings(None), "vtex", 500)) == {None}


def test_faults_api_block_limits_scope():
    settings = parse_settings({"vtex": {"error_500_rate": 1.0}})

    assert set(decisions(settings, "vtex", 20)) == {"error_500"}
    assert set(decisions(settings, "woowup", 20)) == {None}


def test_faults_burst_lasts_its_seconds():
    clock = {"now": 0.0}
    settings = parse_settings({"fault_seed": 1, "burst_429_rate": 1.0, "burst_429_seconds": 4})
    injector = FaultInjector(settings, clock=lambda: clock["now"])

    first = injector.decide("woowup")
    clock["now"] = 2.5
    second = injector.decide("woowup")

    assert first.burst_retry_after == 4
    assert second.burst_retry_after == 2
