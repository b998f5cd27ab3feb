"""A seeded corpus of stored phone values with a fixed mix of shapes, for the phone key benchmark and tests.

The mix, per 1,000 values (`MIX` below, in this order):

| family | per 1,000 | shapes |
|---|---|---|
| `ar_checkout` | 420 | the sandbox's VTEX checkout shapes (`VTEX_PHONE_FORMATS`) and area codes, with its weights |
| `ar_crm` | 280 | the sandbox's WoowUp shapes (`CRM_PHONE_FORMATS`), 12% of them empty strings |
| `ar_other_forms` | 80 | 40 area codes of 2, 3 and 4 digits, each in mobile, landline, trunk `0`, `15`, `9`, `00`, dotted, bracketed, extension and full-width forms |
| `br` | 30 | Brazilian mobiles and landlines, with and without `+55`, the ninth digit, the trunk `0` |
| `mx` | 30 | Mexican numbers with `+52`, with and without the mobile `1`, and the old `044`/`01` prefixes |
| `cl`, `co`, `uy`, `pe` | 15 each | Chile, Colombia, Uruguay and Peru in international form, some without `+` |
| `placeholders` | 20 | repeated digits and runs such as `11111111`, `+54 9 11 0000-0000`, `1234-5678` |
| `local` | 20 | Argentine local numbers without an area code (`15-4444-5555`, `4444-5555`) |
| `garbage` | 60 | None, blanks, punctuation, words, labels, letters, two numbers, too short or long, `+` inside |

Numbers are built from a serial per value, so most values are distinct, as in a customer base.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from optin_sync.sandbox.people import AREA_CODES, CRM_PHONE_FORMATS, VTEX_PHONE_FORMATS, Weighted

# Argentine area codes of 2, 3 and 4 digits across the country, from Buenos Aires to Tierra del Fuego.
AREA_CODES_BY_LENGTH = (
    "11", "220", "221", "223", "230", "236", "237", "249", "260", "261", "263", "264", "266", "280", "291", "294",
    "297", "298", "299", "336", "341", "342", "343", "351", "358", "362", "376", "379", "381", "387", "388",
    "2202", "2254", "2266", "2302", "2392", "2657", "2901", "2966", "3327", "3543", "3755",
)
AR_OTHER_FORMS = (
    "+54 9 {area} 15 {head}-{tail}",
    "+54 {area} 15 {head} {tail}",
    "{area} 15 {head}-{tail}",
    "0054 9 {area} {number}",
    "+54 (0) {area} {head}-{tail}",
    "{area}.{head}.{tail}",
    "0{area}-{head}-{tail}",
    "9{area}{number}",
    "+54 0{area} 15 {head}-{tail}",
    "0{area} {head}-{tail} int. 12",
    "0{area}/{head}-{tail}",
    "+54-9-{area}-{head}-{tail}",
    "(0{area}) 15-{head}-{tail}",
    "  {area} {number}  ",
    "54 9 {area} {head} {tail}",
    "{fullwidth}",
)
BR_FORMS = (
    "+55 {area} 9{head}-{tail}", "({area}) 9{head}-{tail}", "+55{area}9{head}{tail}", "+55 {area} {landline}",
    "+55 {area} {head}-{tail}", "55 {area} 9{head} {tail}", "0 {area} 9{head}-{tail}",
)
BR_AREA_CODES = ("11", "21", "31", "41", "51", "61", "71", "81", "85", "92", "48", "19")
MX_FORMS = (
    "+52 1 {area} {head} {tail}", "+52 {area} {head} {tail}", "+52{area}{head}{tail}", "044 {area} {head} {tail}",
    "01 {area} {head} {tail}", "521{area}{head}{tail}",
)
MX_AREA_CODES = ("55", "33", "81")
PLACEHOLDERS = (
    "11111111", "+54 9 11 0000-0000", "1234-5678", "00000000", "011 15 8765-4321", "5411987654321",
    "99999999", "11 1111-1111", "+54 9 351 1234-5678",
)
LOCAL_FORMS = ("15-{head}-{tail}", "{head}-{tail}", "{short}-{tail}", "15 {short} {tail}")
GARBAGE = (
    None, "", "  ", "-", "( )", "sin telefono", "11-CASA-123", "Cel: 11 {head}-{tail}", "11 {head}-{tail} / 11 5555-6666",
    "123", "1128034063{tail}", "10{head}{tail}", "11+54911{head}{tail}", "fax 11 {head}-{tail}", "no tiene",
    "11 {head}-{tail}; 15 5555-6666", "+", "0", "011 {head}", "tel. 011 {head}-{tail}",
)
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _local_number(rng: random.Random, serial: int, length: int) -> str:
    """Return a local number of `length` digits that starts with 2 to 6, unique per serial as in the sandbox."""
    return f"{rng.randint(2, 6)}{(serial * 7919 + 1_234_567) % 10 ** (length - 1):0{length - 1}d}"


def _groups(number: str) -> tuple[str, str]:
    return number[:-4], number[-4:]


def _ar_checkout(rng: random.Random, serial: int) -> str:
    area = AREA_CODES.pick(rng)
    number = _local_number(rng, serial, 10 - len(area))
    head, tail = _groups(number)
    return VTEX_PHONE_FORMATS.pick(rng).format(area=area, number=number, head=head, tail=tail)


def _ar_crm(rng: random.Random, serial: int) -> str:
    area = AREA_CODES.pick(rng)
    number = _local_number(rng, serial, 10 - len(area))
    return CRM_PHONE_FORMATS.pick(rng).format(area=area, number=number)


def _ar_other_form(rng: random.Random, serial: int) -> str:
    area = rng.choice(AREA_CODES_BY_LENGTH)
    number = _local_number(rng, serial, 10 - len(area))
    head, tail = _groups(number)
    fullwidth = f"{area} {head} {tail}".translate(_FULL_WIDTH)
    return rng.choice(AR_OTHER_FORMS).format(area=area, number=number, head=head, tail=tail, fullwidth=fullwidth)


def _brazil(rng: random.Random, serial: int) -> str:
    area = rng.choice(BR_AREA_CODES)
    head, tail = _groups(f"{rng.randint(6, 9)}{serial % 10 ** 7:07d}")
    landline = f"{rng.randint(2, 5)}{serial % 1000:03d}-{tail}"
    return rng.choice(BR_FORMS).format(area=area, head=head, tail=tail, landline=landline)


def _mexico(rng: random.Random, serial: int) -> str:
    area = rng.choice(MX_AREA_CODES)
    head, tail = _groups(f"{rng.randint(1, 9)}{serial % 10 ** 7:07d}")
    return rng.choice(MX_FORMS).format(area=area, head=head, tail=tail)


def _chile(rng: random.Random, serial: int) -> str:
    body = f"{serial % 10 ** 8:08d}"
    return rng.choice((f"+56 9 {body[:4]} {body[4:]}", f"+569{body}", f"+56 2 2{body[1:4]} {body[4:]}",
                       f"56 9 {body[:4]} {body[4:]}"))


def _colombia(rng: random.Random, serial: int) -> str:
    body = f"{serial % 10 ** 7:07d}"
    return rng.choice((f"+57 3{rng.choice('012')}{rng.randint(0, 9)} {body[:3]} {body[3:]}",
                       f"+57 601 {body[:3]} {body[3:]}", f"+573{rng.choice('012')}{rng.randint(0, 9)}{body}",
                       f"57 310 {body[:3]} {body[3:]}"))


def _uruguay(rng: random.Random, serial: int) -> str:
    body = f"{serial % 10 ** 6:06d}"
    return rng.choice((f"+598 9{rng.randint(1, 9)} {body[:3]} {body[3:]}", f"+598 2{rng.randint(0, 9)}{body[:2]} {body[2:]}",
                       f"+5989{rng.randint(1, 9)}{body}", f"598 99 {body[:3]} {body[3:]}"))


def _peru(rng: random.Random, serial: int) -> str:
    body = f"{serial % 10 ** 8:08d}"
    return rng.choice((f"+51 9{body[:2]} {body[2:5]} {body[5:]}", f"+51 1 {body[1:4]} {body[4:]}",
                       f"+519{body}", f"51 9{body[:2]} {body[2:5]} {body[5:]}"))


def _placeholder(rng: random.Random, serial: int) -> str:
    return rng.choice(PLACEHOLDERS)


def _local(rng: random.Random, serial: int) -> str:
    head, tail = _groups(_local_number(rng, serial, 8))
    return rng.choice(LOCAL_FORMS).format(head=head, tail=tail, short=head[:3])


def _garbage(rng: random.Random, serial: int) -> str | None:
    template = rng.choice(GARBAGE)
    if template is None:
        return None
    head, tail = _groups(_local_number(rng, serial, 8))
    return template.format(head=head, tail=tail)


MIX: tuple[tuple[str, int, Callable[[random.Random, int], str | None]], ...] = (
    ("ar_checkout", 420, _ar_checkout),
    ("ar_crm", 280, _ar_crm),
    ("ar_other_forms", 80, _ar_other_form),
    ("br", 30, _brazil),
    ("mx", 30, _mexico),
    ("cl", 15, _chile),
    ("co", 15, _colombia),
    ("uy", 15, _uruguay),
    ("pe", 15, _peru),
    ("placeholders", 20, _placeholder),
    ("local", 20, _local),
    ("garbage", 60, _garbage),
)
FAMILIES = Weighted(tuple((name, weight) for name, weight, _ in MIX))
_BUILDERS = {name: builder for name, _, builder in MIX}


def phone_corpus(rows: int, seed: int = 7) -> tuple[list[str | None], list[str]]:
    """Return `rows` stored phone values and the family of each; the same arguments give the same corpus."""
    rng = random.Random(seed)
    values: list[str | None] = []
    families: list[str] = []
    for serial in range(rows):
        family = FAMILIES.pick(rng)
        values.append(_BUILDERS[family](rng, serial))
        families.append(family)
    return values, families
