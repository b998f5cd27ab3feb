"""The docs against the code: dataset columns in both data dictionaries, Spanish twins, links, and CLI commands."""

from __future__ import annotations

import argparse
import inspect
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from optin_sync.cli.main import build_parser
from optin_sync.settings import VTEX_PHONE_FIELDS
from optin_sync.snapshots import schemas

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
SPANISH = DOCS / "es"
READMES = (ROOT / "README.md", ROOT / "README.es.md")
DICTIONARIES = {"en": DOCS / "data-dictionary.md", "es": SPANISH / "diccionario-de-datos.md"}
# Written by `make bench` from measured numbers, in English only.
GENERATED_PAGES = frozenset({"benchmarks.md"})
PARTITION_COLUMNS = ("run_date", "run_id")
# Written with the `quarantine` schema, so schemas.py has no entry of its own for it.
DATASETS_WITHOUT_SCHEMA = ("vtex_quarantine",)

FENCED_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
TWIN_LINK = re.compile(r"\]\(es/([^)#]+\.md)\)")
COMMAND_WORD = re.compile(r"^[a-z][a-z-]*$")


def dataset_schemas() -> dict[str, pa.Schema]:
    """Every schema of ``schemas.py`` by its ``dataset`` metadata; VTEX profiles with every possible phone field."""
    found = {}
    for name, value in vars(schemas).items():
        if isinstance(value, pa.Schema):
            schema = value
        elif inspect.isfunction(value) and value.__module__ == schemas.__name__ and not name.startswith("_"):
            takes_phone_fields = bool(inspect.signature(value).parameters)
            schema = value(VTEX_PHONE_FIELDS) if takes_phone_fields else value()
        else:
            continue
        found[schema.metadata[b"dataset"].decode()] = schema
    return found


SCHEMAS = dataset_schemas()


def without_code_blocks(text: str) -> str:
    return FENCED_BLOCK.sub("", text)


def sections(text: str) -> dict[str, str]:
    """Return the text under each heading, up to the next heading, keyed by the heading's text."""
    prose = without_code_blocks(text)
    headings = list(HEADING.finditer(prose))
    result = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(prose)
        result[heading.group(1)] = prose[heading.end():end]
    return result


def slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(heading) for heading in HEADING.findall(without_code_blocks(path.read_text(encoding="utf-8")))}


def english_pages() -> list[Path]:
    return sorted(path for path in DOCS.glob("*.md") if path.name not in GENERATED_PAGES)


def all_pages() -> list[Path]:
    return [*READMES, *sorted(DOCS.glob("*.md")), *sorted(SPANISH.glob("*.md"))]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# Data dictionaries

def test_schemas_found():
    assert {"vtex_profiles", "woowup_customers", "decisions", "consent_ledger"} <= set(SCHEMAS), sorted(SCHEMAS)


@pytest.mark.parametrize("lang", sorted(DICTIONARIES))
@pytest.mark.parametrize("dataset", sorted([*SCHEMAS, *DATASETS_WITHOUT_SCHEMA]))
def test_dictionary_has_dataset_section(lang, dataset):
    page = sections(DICTIONARIES[lang].read_text(encoding="utf-8"))
    assert f"`{dataset}`" in page, f"{relative(DICTIONARIES[lang])} has no heading `{dataset}`"


@pytest.mark.parametrize("lang", sorted(DICTIONARIES))
@pytest.mark.parametrize("dataset", sorted(SCHEMAS))
def test_dictionary_lists_every_column(lang, dataset):
    section = sections(DICTIONARIES[lang].read_text(encoding="utf-8")).get(f"`{dataset}`", "")
    missing = [field.name for field in SCHEMAS[dataset] if f"`{field.name}`" not in section]
    assert not missing, f"{relative(DICTIONARIES[lang])}, section `{dataset}`, does not name {missing}"


@pytest.mark.parametrize("lang", sorted(DICTIONARIES))
def test_dictionary_names_partition_columns(lang):
    text = DICTIONARIES[lang].read_text(encoding="utf-8")
    for column in PARTITION_COLUMNS:
        assert f"`{column}`" in text, column


# Spanish twins

def test_generated_pages_exist():
    for name in GENERATED_PAGES:
        assert (DOCS / name).exists(), name


@pytest.mark.parametrize("page", english_pages(), ids=lambda path: path.name)
def test_english_page_has_spanish_twin(page):
    links = TWIN_LINK.findall(page.read_text(encoding="utf-8"))
    assert links, f"{relative(page)} links to no page under docs/es/"
    twin = SPANISH / links[0]
    assert twin.exists(), f"{relative(page)} links to {relative(twin)}, which does not exist"
    assert f"](../{page.name})" in twin.read_text(encoding="utf-8"), f"{relative(twin)} does not link back"


def test_every_spanish_page_is_a_twin():
    twins = {TWIN_LINK.findall(page.read_text(encoding="utf-8"))[:1][0]
             for page in english_pages() if TWIN_LINK.search(page.read_text(encoding="utf-8"))}
    orphans = sorted(page.name for page in SPANISH.glob("*.md") if page.name not in twins)
    assert not orphans, f"Spanish pages without an English page: {orphans}"


# Links

@pytest.mark.parametrize("page", all_pages(), ids=relative)
def test_relative_links_resolve(page):
    broken = []
    for target in LINK.findall(without_code_blocks(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z]+:", target):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{relative(page)}: {broken}"


# Command line

@dataclass(frozen=True)
class Mention:
    """One `optin-sync <command> [options]` found in the code of a page."""

    page: str
    command: str
    options: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: optin-sync {self.command}"


def code_lines(text: str) -> list[str]:
    """Lines of fenced code blocks and inline code spans: the places where a command is written to be run."""
    lines = [line for block in FENCED_BLOCK.findall(text) for line in block.splitlines()]
    lines += INLINE_CODE.findall(without_code_blocks(text))
    return lines


def global_options_with_values(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions if action.option_strings and action.nargs != 0
            for option in action.option_strings}


def find_mentions() -> list[Mention]:
    valued = global_options_with_values(build_parser())
    mentions = []
    for page in all_pages():
        for line in code_lines(page.read_text(encoding="utf-8")):
            for found in re.finditer(r"(?<![\w-])optin-sync(?![\w-])", line):
                try:
                    tokens = shlex.split(line[found.end():], comments=True)
                except ValueError:
                    tokens = line[found.end():].split()
                while tokens and tokens[0].startswith("-"):
                    option = tokens.pop(0)
                    if "=" not in option and option in valued and tokens:
                        tokens.pop(0)
                if tokens and COMMAND_WORD.match(tokens[0]):
                    options = tuple(token.split("=")[0] for token in tokens[1:] if token.startswith("--"))
                    mentions.append(Mention(relative(page), tokens[0], options))
    return mentions


MENTIONS = find_mentions()


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    return dict(action.choices)


def test_docs_mention_commands():
    assert {mention.command for mention in MENTIONS} >= {"summary", "sandbox"}


@pytest.mark.parametrize("mention", MENTIONS, ids=str)
def test_mentioned_command_exists(mention):
    available = subcommands()
    assert mention.command in available, (
        f"{mention.page} mentions `optin-sync {mention.command}`, but the parser has only {sorted(available)}"
    )


@pytest.mark.parametrize("mention", [mention for mention in MENTIONS if mention.options], ids=str)
def test_mentioned_options_exist(mention):
    parser = subcommands().get(mention.command)
    if parser is None:
        pytest.fail(f"{mention.page} mentions `optin-sync {mention.command}`, which the parser does not have")
    if not parser.add_help:
        pytest.skip(f"`optin-sync {mention.command}` parses its own options")
    accepted = {option for action in parser._actions for option in action.option_strings}
    unknown = sorted(set(mention.options) - accepted)
    assert not unknown, f"{mention.page}: `optin-sync {mention.command}` has no option {unknown}"
