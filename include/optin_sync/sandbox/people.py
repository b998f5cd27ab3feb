"""Fake Argentine shoppers and the messy ways stores and CRMs write their emails and phones."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass


class Weighted:
    """A fixed weighted choice, precomputed because the generator draws it hundreds of thousands of times."""

    def __init__(self, options: tuple[tuple[str, int], ...]) -> None:
        self.values = [value for value, _ in options]
        self.cumulative = list(itertools.accumulate(weight for _, weight in options))

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


FIRST_NAMES = (
    "Sofía", "Martina", "Valentina", "Camila", "Lucía", "Florencia", "Agustina", "Micaela", "Julieta", "Milagros",
    "Carolina", "Natalia", "Paula", "Romina", "Silvia", "Graciela", "Mariana", "Belén", "Rocío", "Daniela",
    "Santiago", "Mateo", "Juan", "Nicolás", "Lucas", "Martín", "Facundo", "Matías", "Agustín", "Tomás",
    "Diego", "Pablo", "Sebastián", "Federico", "Gonzalo", "Hernán", "Marcelo", "Jorge", "Carlos", "Ezequiel",
)
LAST_NAMES = (
    "González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez", "García", "Sánchez",
    "Romero", "Sosa", "Álvarez", "Torres", "Ruiz", "Ramírez", "Flores", "Acosta", "Benítez", "Medina",
    "Suárez", "Herrera", "Aguirre", "Pereyra", "Gutiérrez", "Giménez", "Molina", "Silva", "Castro", "Rojas",
    "Ortiz", "Núñez", "Luna", "Juárez", "Cabrera", "Ríos", "Ferreyra", "Godoy", "Morales", "Domínguez",
)
EMAIL_DOMAINS = Weighted((
    ("gmail.com", 55), ("hotmail.com", 16), ("hotmail.com.ar", 5), ("yahoo.com.ar", 6), ("outlook.com", 6),
    ("live.com.ar", 3), ("fibertel.com.ar", 3), ("icloud.com", 3), ("arnet.com.ar", 3),
))
# Area code and its local number length (area code + local number = 10 digits).
AREA_CODES = Weighted((
    ("11", 55), ("351", 10), ("341", 8), ("221", 6), ("261", 5), ("223", 4), ("381", 4), ("299", 3), ("2966", 1),
))
PROTECTING_REASONS = (
    "bounce",
    "INVALID_EMAIL",
    "spamreport",
    "smtp; 550 5.7.1 <DATA>: Data command rejected",
    "Amazon SES did not send the message",
)
VTEX_PHONE_FORMATS = Weighted((
    ("0{area} 15-{head}-{tail}", 15),
    ("+54 9 {area} {head}-{tail}", 20),
    ("+54 {area} {head}-{tail}", 5),
    ("(0{area}) {head}-{tail}", 8),
    ("{area} {head} {tail}", 15),
    ("549{area}{number}", 12),
    ("{area}{number}", 10),
    ("15-{head}-{tail}", 4),
    ("0{area} 15 {head} {tail}", 5),
    ("11111111", 2),
))
CRM_PHONE_FORMATS = Weighted((
    ("+549{area}{number}", 40),
    ("{area}{number}", 25),
    ("54{area}{number}", 10),
    ("+54 9 {area} {number}", 8),
    ("0{area}15{number}", 5),
    ("", 12),
))
_ASCII = str.maketrans("áéíóúÁÉÍÓÚñÑü", "aeiouAEIOUnNu")


@dataclass(frozen=True)
class Person:
    """One shopper: a clean mailbox and phone that each side then writes in its own way."""

    index: int
    first_name: str
    last_name: str
    email: str
    area_code: str
    local_number: str
    document: str
    country: str = "AR"


def make_person(rng: random.Random, index: int) -> Person:
    """Create the shopper number `index`; emails, phones and DNIs are unique per index."""
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    local_part = f"{first}.{last}{index}".lower().translate(_ASCII)
    area = AREA_CODES.pick(rng)
    local_length = 10 - len(area)

    # A multiplier coprime with 10 spreads consecutive indexes over distinct numbers.
    serial = (index * 7919 + 1_234_567) % 10 ** (local_length - 1)
    local_number = f"{rng.randint(2, 6)}{serial:0{local_length - 1}d}"
    roll = rng.random()
    country = "AR"
    if roll >= 0.99:
        country = "MX"
    elif roll >= 0.98:
        country = "BR"
    document = str(20_000_000 + (index * 7919) % 25_000_000)
    return Person(index, first, last, f"{local_part}@{EMAIL_DOMAINS.pick(rng)}", area, local_number, document, country)


def _groups(person: Person) -> tuple[str, str]:
    number = person.local_number
    split = len(number) - 4
    return number[:split], number[split:]


def vtex_phone(rng: random.Random, person: Person) -> str:
    """Write the person's phone the way shoppers type it into a VTEX checkout."""
    if person.country != "AR":
        return foreign_phone(rng, person, for_crm=False)
    head, tail = _groups(person)
    template = VTEX_PHONE_FORMATS.pick(rng)
    return template.format(area=person.area_code, number=person.local_number, head=head, tail=tail)


def crm_telephone(rng: random.Random, person: Person) -> str | None:
    """Write the person's phone the way WoowUp stores it (often cleaned to digits)."""
    if person.country != "AR":
        return foreign_phone(rng, person, for_crm=True)
    template = CRM_PHONE_FORMATS.pick(rng)
    return template.format(area=person.area_code, number=person.local_number) or None


def foreign_phone(rng: random.Random, person: Person, for_crm: bool) -> str:
    """Write a Brazilian or Mexican mobile, built from the person's local number."""
    digits = person.local_number.rjust(8, "7")[-8:]
    if person.country == "BR":
        if for_crm:
            return f"+55119{digits}"
        return rng.choice((f"+55 11 9{digits[:4]}-{digits[4:]}", f"(11) {'8' + digits[1:4]}-{digits[4:]}"))
    if for_crm:
        return f"+5255{digits}"
    return rng.choice((f"+52 1 55 {digits[:4]} {digits[4:]}", f"+52 55 {digits[:4]} {digits[4:]}"))


def vtex_email(rng: random.Random, person: Person) -> tuple[str | None, bool]:
    """Write the person's email as VTEX stores it; the flag is True when it still names the mailbox."""
    roll = rng.random()
    email = person.email
    if roll < 0.78:
        return email, True
    if roll < 0.84:
        return (email.upper() if rng.random() < 0.5 else email.capitalize()), True
    if roll < 0.86:
        return f" {email} ", True
    if roll < 0.88:
        return f"{rng.getrandbits(48):012x}@ct.vtex.com.br", False
    if roll < 0.90:
        return f"{email}-{rng.randint(100, 999)}b.ct.vtex.com.br", False
    if roll < 0.93:
        suffix = rng.choice(("com.ar", "com"))
        return f"{rng.getrandbits(40):010x}@mail.mercadolibre.{suffix}", False
    if roll < 0.94:
        return "noemail@noemail.com", False
    if roll < 0.95:
        return None, False
    return email, True


def crm_email(rng: random.Random, person: Person) -> str | None:
    """Write the person's email as WoowUp stores it; some customers left another mailbox or none."""
    roll = rng.random()
    if roll < 0.80:
        return person.email
    if roll < 0.85:
        return person.email.capitalize()
    if roll < 0.92:
        return None
    return f"otro.{person.email}"
