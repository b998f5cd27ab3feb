"""libphonenumber's metadata of one country as Arrow string kernels: number validity and the national prefix.

The patterns come from the installed `phonenumbers` package at first use, so they follow its version. Arrow runs
them with RE2, whose leftmost-first matching gives the same matches and groups as Python's `re` for these
patterns, which use only digits, classes, groups, alternation and counted repeats.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata

# The number types that `phonenumbers.is_valid_number` tries after the general description. A number is valid
# when it matches the general description and at least one of these.
_TYPE_FIELDS = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
    "fixed_line", "mobile",
)
# A `(` that opens a capturing group: not escaped and not followed by `?`.
_CAPTURING_GROUP = re.compile(r"(?<!\\)\((?!\?)")


@dataclass(frozen=True, slots=True)
class NumberPattern:
    """A description of numbers: the whole-string RE2 pattern and the allowed lengths (empty: any length)."""

    pattern: str
    lengths: tuple[int, ...]

    def matches(self, national: pa.Array, lengths: np.ndarray) -> np.ndarray:
        """Tell which national numbers match, as `phonenumbers`' `_is_number_matching_desc` does."""
        matched = pc.match_substring_regex(national, self.pattern).to_numpy(zero_copy_only=False)
        matched = matched.astype(bool)
        if self.lengths:
            matched &= np.isin(lengths, self.lengths)
        return matched


@dataclass(frozen=True, slots=True)
class NationalPrefix:
    """The national prefix for parsing: an RE2 pattern anchored at the start, its groups and transform rule.

    `pattern` names the whole prefix `prefix` and the capturing groups `g1`, `g2`, ... in order. A group that
    took no part in the match reads as an empty string in Arrow, and in the supported countries' patterns a
    group that takes part never matches an empty string, so the two cannot be confused.
    """

    pattern: str
    groups: int
    transform_rule: str | None


@dataclass(frozen=True, slots=True)
class CountryNumbering:
    """What the fast path needs of one country's numbering plan."""

    country_code: str
    general: NumberPattern
    types: tuple[NumberPattern, ...]
    national_prefix: NationalPrefix | None
    possible_lengths: tuple[int, ...]
    local_only_lengths: tuple[int, ...]

    def is_viable(self, national: pa.Array) -> np.ndarray:
        """Tell which numbers match the general pattern, without the length check (`_match_national_number`)."""
        return pc.match_substring_regex(national, self.general.pattern).to_numpy(zero_copy_only=False).astype(bool)

    def is_valid(self, national: pa.Array) -> np.ndarray:
        """Tell which national numbers `phonenumbers.is_valid_number` accepts for this country code."""
        lengths = pc.utf8_length(national).to_numpy(zero_copy_only=False)
        valid = self.general.matches(national, lengths)
        if not valid.any():
            return valid

        # Only numbers that passed the general description need the type patterns, the longest ones.
        candidates = np.flatnonzero(valid)
        subset = national.take(pa.array(candidates))
        subset_lengths = lengths[candidates]
        typed = np.zeros(len(candidates), dtype=bool)
        for description in self.types:
            typed |= description.matches(subset, subset_lengths)
        valid[candidates] = typed
        return valid

    def possibility(self, national: pa.Array) -> list[str]:
        """Word `phonenumbers.is_possible_number_with_reason` for each number by its length.

        Returns `too_short`, `too_long`, `local_only` (possible only with the area code dialled locally),
        `possible` or `invalid_length`, checked in the order of `phonenumbers`' `_test_number_length`.
        """
        lengths = pc.utf8_length(national).to_numpy(zero_copy_only=False)
        possible = self.possible_lengths
        reasons = np.full(len(lengths), "invalid_length", dtype=object)
        reasons[np.isin(lengths, possible[1:])] = "possible"
        reasons[lengths > possible[-1]] = "too_long"
        reasons[lengths < possible[0]] = "too_short"
        reasons[lengths == possible[0]] = "possible"
        reasons[np.isin(lengths, self.local_only_lengths)] = "local_only"
        return reasons.tolist()

    def prefix_matches(self, national: pa.Array) -> pa.StructArray | None:
        """Match the national prefix for parsing at the start of each number, or None when the country has none."""
        if self.national_prefix is None:
            return None
        return pc.extract_regex(national, self.national_prefix.pattern)

    def has_national_prefix(self, national: pa.Array) -> np.ndarray:
        """Tell which numbers start with a non-empty match of the national prefix for parsing."""
        matches = self.prefix_matches(national)
        if matches is None:
            return np.zeros(len(national), dtype=bool)
        prefix = pc.fill_null(pc.struct_field(matches, "prefix"), "")
        return (pc.utf8_length(prefix).to_numpy(zero_copy_only=False) > 0)


def _whole(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _number_pattern(description: object) -> NumberPattern | None:
    pattern = getattr(description, "national_number_pattern", None)
    if not pattern:
        return None
    return NumberPattern(_whole(pattern), tuple(description.possible_length or ()))


def _national_prefix(metadata: PhoneMetadata) -> NationalPrefix | None:
    pattern = metadata.national_prefix_for_parsing
    if not pattern:
        return None

    counter = iter(range(1, 100))
    named = _CAPTURING_GROUP.sub(lambda _: f"(?P<g{next(counter)}>", pattern)
    groups = len(_CAPTURING_GROUP.findall(pattern))
    return NationalPrefix(f"^(?P<prefix>{named})", groups, metadata.national_prefix_transform_rule or None)


@functools.cache
def country_numbering(region: str) -> CountryNumbering:
    """Build the numbering plan of `region` (ISO 3166-1 alpha-2) from `phonenumbers`' metadata."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        raise ValueError(f"phonenumbers has no metadata for region {region!r}")

    general = _number_pattern(metadata.general_desc)
    if general is None:
        raise ValueError(f"phonenumbers' metadata for region {region!r} has no general number pattern")
    types = tuple(
        description
        for description in (_number_pattern(getattr(metadata, name)) for name in _TYPE_FIELDS)
        if description is not None
    )
    return CountryNumbering(
        country_code=str(metadata.country_code),
        general=general,
        types=types,
        national_prefix=_national_prefix(metadata),
        possible_lengths=tuple(metadata.general_desc.possible_length or ()),
        local_only_lengths=tuple(metadata.general_desc.possible_length_local_only or ()),
    )
