"""A hand-written world of shoppers and customers, one per rule the nightly run must get right."""

from __future__ import annotations

WINDOW = ("2026-12-03T00:00:00", "2026-12-04T00:00:00")  # local day in America/Argentina/Buenos_Aires
IN_WINDOW = "2026-12-03T15:30:00.1234567Z"
OPT_IN_DEFINITION = {"name": "opt_in_vtex", "label": "Opt-in VTEX", "data_type": "string", "field_type": "text"}


def document(profile_id: str, *, email=None, opt_in=True, phone=None, updated=IN_WINDOW,
             created="2025-02-01T10:00:00Z") -> dict:
    return {"id": profile_id, "email": email, "isNewsletterOptIn": opt_in, "homePhone": phone, "phone": None,
            "cellPhone": None, "businessPhone": None, "document": None, "documentType": None, "firstName": "Test",
            "lastName": "Shopper", "createdIn": created, "updatedIn": updated, "accountId": "acc",
            "accountName": "store", "dataEntityId": "CL", "userId": None}


def user(userapp_id: int, *, email=None, telephone=None, state="enabled", reasons=None, updatetimes=None,
         opt_in_vtex=None, document=None) -> dict:
    record = {"userapp_id": userapp_id, "service_uid": None, "email": email, "telephone": telephone,
              "document": document, "first_name": "Test", "last_name": "Customer",
              "custom_attributes": {} if opt_in_vtex is None else {"opt_in_vtex": opt_in_vtex},
              "createtime": "2024-01-01 00:00:00", "updatetime": "2025-06-01 10:00:00", "tags": []}
    for channel in ("mailing", "sms", "whatsapp"):
        record[f"{channel}_enabled"] = state
        record[f"{channel}_enabled_reason"] = (reasons or {}).get(channel)
        record[f"{channel}_enabled_updatetime"] = (updatetimes or {}).get(channel, "2025-06-01 10:00:00")
    return record


def world(*, define_attribute: bool = False) -> dict:
    documents = [
        document("cl-enable", email="Ana.Perez@Gmail.com ", opt_in=True),
        document("cl-disable", email="bruno@hotmail.com", opt_in="False"),
        document("cl-phone", phone="011 15-2803-4063", opt_in=False),
        document("cl-same", email="carla@yahoo.com.ar", opt_in=True),
        document("cl-protected", email="dario@gmail.com", phone="+54 9 11 5555-6666", opt_in=False),
        document("cl-newer", email="elena@gmail.com", opt_in=True, updated="2026-12-03T12:00:00Z"),
        document("cl-unknown", email="fede@gmail.com", opt_in=None),
        document("cl-invalid", email="gabi@gmail.com", opt_in="maybe"),
        document("cl-masked", email="hugo@gmail.com-123b.ct.vtex.com.br", opt_in=False),
        document("cl-nobody", email="ines@gmail.com", opt_in=False),
        document("cl-old", email="juan@gmail.com", opt_in=False, updated="2026-11-20T10:00:00Z"),
        document("cl-dup-old", email="KARINA@gmail.com", opt_in=True, updated="2026-12-03T10:00:00Z"),
        document("cl-dup-new", email="karina@gmail.com", opt_in=False, updated="2026-12-03T18:00:00Z"),
    ]
    users = [
        user(101, email="ana.perez@gmail.com", state="disabled", reasons={"mailing": "other"}),
        user(102, email="bruno@hotmail.com"),
        user(103, email="lucia@gmail.com", telephone="+5491128034063"),
        user(104, email="carla@yahoo.com.ar", opt_in_vtex="True" if define_attribute else None),
        user(105, email="dario@gmail.com", telephone="1155556666",
             reasons={"mailing": "unsubscribe-2025-10-09 20:55:21"}),
        user(106, email="elena@gmail.com", state="disabled", updatetimes={"mailing": "2026-12-03 13:00:00"}),
        user(107, email="fede@gmail.com", state="disabled"),
        user(108, email="gabi@gmail.com"),
        user(109, email="hugo@gmail.com-123b.ct.vtex.com.br"),
        user(110, email="juan@gmail.com"),
        user(111, email="karina@gmail.com"),
        user(112, email="untouched@gmail.com", state="disabled"),
    ]
    definitions = [OPT_IN_DEFINITION] if define_attribute else []
    return {"vtex": {"CL": documents}, "woowup": {"users": users, "custom_attributes": definitions}, "settings": {}}


# userapp_id -> channel states after the run (protected and untouched channels keep theirs).
EXPECTED_STATES = {
    101: {"mailing": "enabled", "sms": "disabled", "whatsapp": "disabled"},
    102: {"mailing": "disabled", "sms": "enabled", "whatsapp": "enabled"},
    103: {"mailing": "enabled", "sms": "disabled", "whatsapp": "disabled"},
    104: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
    105: {"mailing": "enabled", "sms": "disabled", "whatsapp": "disabled"},
    106: {"mailing": "disabled", "sms": "disabled", "whatsapp": "disabled"},
    107: {"mailing": "disabled", "sms": "disabled", "whatsapp": "disabled"},
    108: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
    109: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
    110: {"mailing": "enabled", "sms": "enabled", "whatsapp": "enabled"},
    111: {"mailing": "disabled", "sms": "enabled", "whatsapp": "enabled"},
    112: {"mailing": "disabled", "sms": "disabled", "whatsapp": "disabled"},
}
