"""Parser and evaluator of Master Data `_where` filters.

Grammar (keywords are case-insensitive)::

    expression := term ("OR" term)*
    term       := factor ("AND" factor)*
    factor     := "(" expression ")" | condition
    condition  := FIELD ("=" | "<>" | ">" | "<") VALUE
                | FIELD "between" VALUE "AND" VALUE
                | FIELD "is" ["not"] "null"
    VALUE      := bare word | "double-quoted" | 'single-quoted'

Strict choices, so that a client that gets through here also gets through Master Data:

- Only filterable fields are accepted, and `>=`, `<=`, `!=` and `not` are rejected.
- Date fields compare whole UTC days: the document's UTC date against the date part of the
  value (any time or offset in the value is ignored). `updatedIn>2026-05-26` does not match
  `2026-05-26T20:05:00Z`. `between` is inclusive and `=` means the same day.
- A null field matches only `is null`; every comparison with it, `<>` included, is false.
- `*` is a wildcard in `=` and `<>` values of text fields. Text comparisons are case-sensitive.
- Boolean fields accept `true`/`false`. A stored string "True"/"False" compares like its boolean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from optin_sync.sandbox.masterdata import BOOLEAN_FIELDS, DATE_FIELDS, FILTERABLE_FIELDS, utc_day
from optin_sync.sandbox.messages import BadRequest

Predicate = Callable[[dict[str, Any]], bool]

_OPERATOR_CHARS = "<>=!"
_SUPPORTED_OPERATORS = ("=", "<>", ">", "<")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "quoted", "operator", "(" or ")"
    text: str
    position: int

    def is_keyword(self, keyword: str) -> bool:
        return self.kind == "word" and self.text.lower() == keyword


def tokenize(text: str) -> list[Token]:
    """Split a `_where` string into tokens."""
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in "()":
            tokens.append(Token(char, char, index))
            index += 1
        elif char in "\"'":
            end = text.find(char, index + 1)
            if end < 0:
                raise BadRequest(f"_where: unterminated quoted value starting at position {index}")
            tokens.append(Token("quoted", text[index + 1 : end], index))
            index = end + 1
        elif char in _OPERATOR_CHARS:
            end = index
            while end < len(text) and text[end] in _OPERATOR_CHARS:
                end += 1
            tokens.append(Token("operator", text[index:end], index))
            index = end
        else:
            end = index
            while end < len(text) and not (text[end].isspace() or text[end] in "()" + _OPERATOR_CHARS):
                end += 1
            tokens.append(Token("word", text[index:end], index))
            index = end
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str) -> Token:
        token = self.peek()
        if token is None:
            raise BadRequest(f"_where: unexpected end of filter, expected {expected}")
        self.index += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.expression()
        token = self.peek()
        if token is not None:
            raise BadRequest(f"_where: unexpected {token.text!r} at position {token.position}")
        return predicate

    def expression(self) -> Predicate:
        terms = [self.term()]
        while (token := self.peek()) is not None and token.is_keyword("or"):
            self.index += 1
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else (lambda doc: any(term(doc) for term in terms))

    def term(self) -> Predicate:
        factors = [self.factor()]
        while (token := self.peek()) is not None and token.is_keyword("and"):
            self.index += 1
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else (lambda doc: all(factor(doc) for factor in factors))

    def factor(self) -> Predicate:
        token = self.take("a condition or '('")
        if token.kind == "(":
            inner = self.expression()
            closing = self.take("')'")
            if closing.kind != ")":
                raise BadRequest(f"_where: expected ')' at position {closing.position}, got {closing.text!r}")
            return inner
        return self.condition(token)

    def condition(self, field_token: Token) -> Predicate:
        field = field_token.text
        if field_token.kind != "word" or field.lower() in ("and", "or", "not"):
            raise BadRequest(f"_where: expected a field name at position {field_token.position}, got {field!r}")
        if field not in FILTERABLE_FIELDS:
            raise BadRequest(f"_where: field {field!r} is not filterable; filterable fields are {sorted(FILTERABLE_FIELDS)}")

        token = self.take(f"an operator after {field!r}")
        if token.kind == "operator":
            if token.text not in _SUPPORTED_OPERATORS:
                raise BadRequest(f"_where: unsupported operator {token.text!r}; use =, <>, >, < or between")
            return compare(field, token.text, self.value())
        if token.is_keyword("between"):
            low = self.value()
            if not self.take("AND in between").is_keyword("and"):
                raise BadRequest(f"_where: expected AND in '{field} between A AND B'")
            return between(field, low, self.value())
        if token.is_keyword("is"):
            return self.null_check(field)
        raise BadRequest(f"_where: expected an operator after {field!r} at position {token.position}, got {token.text!r}")

    def null_check(self, field: str) -> Predicate:
        token = self.take("null or not null")
        negate = token.is_keyword("not")
        if negate:
            token = self.take("null")
        if not token.is_keyword("null"):
            raise BadRequest(f"_where: expected 'is null' or 'is not null' after {field!r}")
        if negate:
            return lambda doc: doc.get(field) is not None
        return lambda doc: doc.get(field) is None

    def value(self) -> str:
        token = self.take("a value")
        if token.kind not in ("word", "quoted"):
            raise BadRequest(f"_where: expected a value at position {token.position}, got {token.text!r}")
        return token.text


def parse_where(text: str | None) -> Predicate:
    """Parse a `_where` filter into a predicate over stored documents; empty matches everything."""
    if text is None or text.strip() == "":
        return lambda doc: True
    return _Parser(text).parse()


def _date_of(field: str, value: str) -> date:
    match = _DATE_PREFIX.match(value)
    if match is None:
        raise BadRequest(f"_where: {field} needs a date value like 2026-05-26, got {value!r}")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadRequest(f"_where: {field} value {value!r} is not a valid date") from None


def _boolean_of(field: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise BadRequest(f"_where: {field} needs true or false, got {value!r}")
    return value.lower()


def _ordering(operator: str) -> Callable[[Any, Any], bool]:
    return {
        "=": lambda left, right: left == right,
        "<>": lambda left, right: left != right,
        ">": lambda left, right: left > right,
        "<": lambda left, right: left < right,
    }[operator]


def compare(field: str, operator: str, value: str) -> Predicate:
    """Build the predicate of `field <operator> value`."""
    if field in DATE_FIELDS:
        day = _date_of(field, value)
        check = _ordering(operator)
        return lambda doc: (stored := utc_day(doc.get(field))) is not None and check(stored, day)

    if field in BOOLEAN_FIELDS:
        if operator not in ("=", "<>"):
            raise BadRequest(f"_where: {field} supports only = and <>")
        expected_text = _boolean_of(field, value)
        check = _ordering(operator)
        return lambda doc: doc.get(field) is not None and check(str(doc.get(field)).lower(), expected_text)

    if "*" in value and operator in ("=", "<>"):
        pattern = re.compile("^" + ".*".join(re.escape(part) for part in value.split("*")) + "$", re.DOTALL)
        expected = operator == "="
        return lambda doc: doc.get(field) is not None and bool(pattern.match(str(doc.get(field)))) is expected

    check = _ordering(operator)
    return lambda doc: doc.get(field) is not None and check(str(doc.get(field)), value)


def between(field: str, low: str, high: str) -> Predicate:
    """Build the predicate of `field between low AND high`, inclusive at both ends."""
    if field in DATE_FIELDS:
        first, last = _date_of(field, low), _date_of(field, high)
        return lambda doc: (stored := utc_day(doc.get(field))) is not None and first <= stored <= last
    if field in BOOLEAN_FIELDS:
        raise BadRequest(f"_where: {field} does not support between")
    return lambda doc: doc.get(field) is not None and low <= str(doc.get(field)) <= high
