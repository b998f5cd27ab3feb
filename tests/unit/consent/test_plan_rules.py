"""Rule families planned end to end in memory: matching, scope, winners, targets, ledger, attribute, budget."""

import pandas as pd
import pytest
from builders import bodies, customer, outcome, plan_for, shopper

from optin_sync.consent import outcomes as o
from optin_sync.consent.ledger import advance, empty_ledger
from optin_sync.settings import load_settings

PHONE = "011 15-2803-4063"
PHONE_AS_WOOWUP = "+5491128034063"


def settings(**overrides):
    return load_settings(data_dir="/nonexistent", **overrides)


def test_email_match_decides_mailing_only():
    result = plan_for([shopper("p1", email="Ana@Gmail.com ", opt_in=False)],
                      [customer(1, email="ana@gmail.com", telephone=PHONE_AS_WOOWUP)])
    assert outcome(result, 1, "mailing") == o.DISABLE
    assert outcome(result, 1, "sms") == "none"


def test_phone_match_decides_sms_and_whatsapp():
    result = plan_for([shopper("p1", phone=PHONE, opt_in=False)],
                      [customer(1, email="other@gmail.com", telephone=PHONE_AS_WOOWUP)])
    assert outcome(result, 1, "mailing") == "none"
    assert outcome(result, 1, "sms") == o.DISABLE
    assert outcome(result, 1, "whatsapp") == o.DISABLE


def test_scope_all_decides_every_channel():
    result = plan_for([shopper("p1", phone=PHONE, opt_in=False)],
                      [customer(1, email="other@gmail.com", telephone=PHONE_AS_WOOWUP)],
                      settings=settings(channel_scope="all"))
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_latest_evidence_wins():
    result = plan_for([
        shopper("p1", email="ana@gmail.com", opt_in=True, updated="2026-12-03T10:00:00Z"),
        shopper("p2", email="ANA@gmail.com", opt_in=False, updated="2026-12-03T11:00:00Z"),
    ], [customer(1, email="ana@gmail.com")])
    decisions = result.plan.decisions
    assert outcome(result, 1, "mailing") == o.DISABLE
    assert decisions.loc[decisions["channel"] == "mailing", "winning_profile_id"].iloc[0] == "p2"
    assert bool(decisions.loc[decisions["channel"] == "mailing", "conflict"].iloc[0]) is True


def test_tie_refusal_beats_consent():
    same = "2026-12-03T10:00:00Z"
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=True, updated=same),
                       shopper("p2", email="ana@gmail.com", opt_in=False, updated=same)],
                      [customer(1, email="ana@gmail.com")])
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_tie_same_value_lowest_id_wins():
    same = "2026-12-03T10:00:00Z"
    result = plan_for([shopper("p9", email="ana@gmail.com", opt_in=False, updated=same),
                       shopper("p2", email="ana@gmail.com", opt_in=False, updated=same)],
                      [customer(1, email="ana@gmail.com")])
    assert result.plan.decisions["winning_profile_id"].iloc[0] == "p2"


def test_unknown_never_beats_known():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False, updated="2026-12-03T10:00:00Z"),
                       shopper("p2", email="ana@gmail.com", opt_in=None, updated="2026-12-03T12:00:00Z")],
                      [customer(1, email="ana@gmail.com")])
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_only_invalid_is_invalid_opt_in():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in="quizás")], [customer(1, email="ana@gmail.com")])
    assert outcome(result, 1, "mailing") == o.INVALID_OPT_IN
    assert "invalid_opt_in" in set(result.quarantine["cause"])


def test_protection_is_per_channel():
    result = plan_for([shopper("p1", email="ana@gmail.com", phone=PHONE, opt_in=False)],
                      [customer(1, email="ana@gmail.com", telephone=PHONE_AS_WOOWUP, reasons={"mailing": "bounce"})])
    assert outcome(result, 1, "mailing") == o.PROTECTED
    assert outcome(result, 1, "sms") == o.DISABLE
    assert "mailing_enabled" not in bodies(result)[1]


def test_protected_customer_still_gets_opt_in_attribute():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)],
                      [customer(1, email="ana@gmail.com", reasons={"mailing": "unsubscribe"})])
    assert bodies(result)[1] == {"email": "ana@gmail.com", "custom_attributes": {"opt_in_vtex": "False"}}


def test_disable_body_carries_reason_other():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")])
    assert bodies(result)[1] == {"email": "ana@gmail.com", "mailing_enabled": "disabled",
                                 "mailing_enabled_reason": "other", "custom_attributes": {"opt_in_vtex": "False"}}


def test_enable_body_has_no_reason():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=True)],
                      [customer(1, email="ana@gmail.com", state="disabled", opt_in_vtex="True")])
    assert bodies(result)[1] == {"email": "ana@gmail.com", "mailing_enabled": "enabled"}


def test_customer_in_desired_state_gets_no_write():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=True)],
                      [customer(1, email="ana@gmail.com", opt_in_vtex="True")])
    assert bodies(result) == {}
    assert outcome(result, 1, "mailing") == o.UNCHANGED


def test_target_prefers_service_uid():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)],
                      [customer(1, email="ana@gmail.com", service_uid="ext-1")])
    assert bodies(result)[1]["service_uid"] == "ext-1"
    assert "email" not in bodies(result)[1]


def test_target_skips_shared_email():
    result = plan_for([shopper("p1", phone=PHONE, opt_in=False)], [
        customer(1, email="family@gmail.com", telephone=PHONE_AS_WOOWUP, document="30111222"),
        customer(2, email="family@gmail.com", telephone="+5491155556666"),
    ])
    assert bodies(result)[1]["document"] == "30111222"


def test_no_unique_identifier_is_ambiguous():
    result = plan_for([shopper("p1", phone=PHONE, opt_in=False)], [
        customer(1, email="family@gmail.com", telephone=PHONE_AS_WOOWUP),
        customer(2, email="family@gmail.com", telephone=PHONE_AS_WOOWUP),
    ])
    assert outcome(result, 1, "sms") == o.AMBIGUOUS_IDENTIFIER
    assert bodies(result) == {}


def test_digit_plus_digit_telephone_is_no_target():
    result = plan_for([shopper("p1", phone="11 2803-4063", opt_in=False)],
                      [customer(1, telephone="11+5491128034063")])
    assert bodies(result) == {}


def test_target_sent_byte_for_byte():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email=" Ana@Gmail.com")])
    assert bodies(result)[1]["email"] == " Ana@Gmail.com"


def test_shared_key_is_not_used():
    shoppers = [shopper("p1", phone=PHONE, opt_in=False)]
    customers = [customer(n, email=f"c{n}@gmail.com", telephone=PHONE_AS_WOOWUP) for n in range(1, 7)]
    result = plan_for(shoppers, customers)
    assert result.pairs.empty
    assert "shared_key" in set(result.quarantine["cause"])


def test_same_opt_in_resaved_is_no_new_evidence():
    ledger = advance(empty_ledger(), pd.DataFrame({
        "profile_id": ["p1"], "evidence_time": [pd.Timestamp("2026-11-01T00:00:00Z")], "status": ["refusal"]}),
        "earlier")
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")],
                      ledger=ledger)
    assert outcome(result, 1, "mailing") == o.NO_NEW_EVIDENCE


def test_older_observation_is_no_new_evidence():
    ledger = advance(empty_ledger(), pd.DataFrame({
        "profile_id": ["p1"], "evidence_time": [pd.Timestamp("2026-12-04T00:00:00Z")], "status": ["consent"]}),
        "newer")
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")],
                      ledger=ledger)
    assert outcome(result, 1, "mailing") == o.NO_NEW_EVIDENCE


def test_changed_opt_in_is_new_evidence():
    ledger = advance(empty_ledger(), pd.DataFrame({
        "profile_id": ["p1"], "evidence_time": [pd.Timestamp("2026-11-01T00:00:00Z")], "status": ["consent"]}),
        "earlier")
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")],
                      ledger=ledger)
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_full_refresh_repairs_drift():
    ledger = advance(empty_ledger(), pd.DataFrame({
        "profile_id": ["p1"], "evidence_time": [pd.Timestamp("2026-11-01T00:00:00Z")], "status": ["refusal"]}),
        "earlier")
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")],
                      ledger=ledger, full_refresh=True)
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_newer_change_in_crm_wins():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=True, updated="2026-12-03T12:00:00Z")],
                      [customer(1, email="ana@gmail.com", state="disabled",
                                updatetimes={"mailing": "2026-12-03 13:00:00"})])
    assert outcome(result, 1, "mailing") == o.NEWER_IN_CRM


def test_crm_time_read_in_crm_timezone():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=True, updated="2026-12-03T12:00:00Z")],
                      [customer(1, email="ana@gmail.com", state="disabled",
                                updatetimes={"mailing": "2026-12-03 10:00:00"})],
                      settings=settings(crm_timezone="America/Argentina/Buenos_Aires"))
    assert outcome(result, 1, "mailing") == o.NEWER_IN_CRM


def test_write_budget_defers_rest_disables_first():
    shoppers = [shopper("p1", email="a@gmail.com", opt_in=True), shopper("p2", email="b@gmail.com", opt_in=False)]
    customers = [customer(1, email="a@gmail.com", state="disabled"), customer(2, email="b@gmail.com")]
    result = plan_for(shoppers, customers, settings=settings(max_writes_per_run=1))
    assert outcome(result, 2, "mailing") == o.DISABLE
    assert outcome(result, 1, "mailing") == o.DEFERRED


def test_unmatched_profile_plans_nothing():
    result = plan_for([shopper("p1", email="nobody@gmail.com", opt_in=False)], [customer(1, email="ana@gmail.com")])
    assert result.plan.writes.empty


@pytest.mark.parametrize("email", ["x@ct.vtex.com.br", "ana@gmail.com-123b.ct.vtex.com.br",
                                   "abc@mail.mercadolibre.com.ar", "noemail@noemail.com"])
def test_unusable_emails_never_match(email):
    result = plan_for([shopper("p1", email=email, opt_in=False)], [customer(1, email=email)])
    assert result.pairs.empty


def test_profile_outside_window_is_ignored():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False, updated="2026-11-20T00:00:00Z")],
                      [customer(1, email="ana@gmail.com")])
    assert result.pairs.empty


def test_never_updated_profile_uses_created_in():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=False, updated=None,
                               created="2026-12-03T20:00:00Z")], [customer(1, email="ana@gmail.com")])
    assert outcome(result, 1, "mailing") == o.DISABLE


def test_guard_trips_on_mass_disable():
    shoppers = [shopper(f"p{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(60)]
    customers = [customer(n, email=f"c{n}@gmail.com") for n in range(60)]
    assert plan_for(shoppers, customers).verdict.tripped is True
    assert plan_for(shoppers, customers, allow_mass_change=True).verdict.tripped is False


def test_guard_ignores_small_counts():
    shoppers = [shopper(f"p{n}", email=f"c{n}@gmail.com", opt_in=False) for n in range(10)]
    customers = [customer(n, email=f"c{n}@gmail.com") for n in range(10)]
    assert plan_for(shoppers, customers).verdict.tripped is False


def test_attribute_falls_back_when_mailing_winner_unknown():
    result = plan_for([shopper("p1", email="ana@gmail.com", opt_in=None),
                       shopper("p2", phone=PHONE, opt_in=False)],
                      [customer(1, email="ana@gmail.com", telephone=PHONE_AS_WOOWUP)])
    assert bodies(result)[1]["custom_attributes"] == {"opt_in_vtex": "False"}
