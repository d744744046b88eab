"""Reading one content file: its text, its data, and the line where each field was written."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from service.content.markdown import body_problems
from service.errors import ContentError, ContentErrors

KeyPath = tuple[str | int, ...]
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER_FENCE = "---"
# Far above any article, and a bound on what one file can cost a build in memory and time.
MAX_FILE_BYTES = 2 * 1024 * 1024
# C0 and C1 controls other than tab and line feed, DEL, lone surrogates (which TOML or YAML
# escapes could make) and the noncharacters U+FFFE and U+FFFF: never part of an article, and
# no feed could carry them, since XML forbids them.
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
CHARACTER_KINDS = {"Cc": "control character", "Cs": "lone surrogate"}
# What TOML and untagged YAML make, besides lists and mappings; YAML's !!binary, !!set, !!omap
# and !!pairs make bytes, sets and tuples, which no field takes (a set has no fixed order).
PLAIN_VALUES = (str, int, float, dt.date, dt.time, type(None))
YAML_INTEGER = "tag:yaml.org,2002:int"


class NumberTooLong(Exception):
    """An integer with more digits than Python reads (its guard against int()'s quadratic
    cost, sys.get_int_max_str_digits()): far past anything a field takes."""

    def __init__(self, key_path: KeyPath, line: int) -> None:
        super().__init__(key_path, line)
        self.key_path = key_path
        self.line = line


def number_too_long() -> str:
    return f"A number of more than {sys.get_int_max_str_digits()} digits."


def too_many_digits(text: str) -> bool:
    limit = sys.get_int_max_str_digits()
    return 0 < limit < sum(character.isdigit() for character in text)


@dataclass
class ContentFile:
    """A parsed file and where its fields stand, so that errors can name a line."""

    path: Path
    data: dict[str, Any]
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: KeyPath) -> int:
        """The line of the longest prefix of key_path that the file names; else line 1."""
        for end in range(len(key_path), 0, -1):
            line = self.lines.get(key_path[:end])
            if line is not None:
                return line
        return 1

    def error(self, key_path: KeyPath, message: str) -> ContentError:
        return ContentError(str(self.path), self.line_of(key_path), field_name(key_path), message)


def field_name(key_path: KeyPath) -> str:
    """('sources', 0, 'url') -> 'sources[0].url'; a key with unprintable characters escaped,
    so that an error stays one line and shows what it names."""
    name = ""
    for key in key_path:
        text = str(key) if str(key).isprintable() else ascii(str(key))
        name += f"[{key}]" if isinstance(key, int) else (f".{text}" if name else text)
    return name or "file"


def read_text(path: Path) -> str:
    """The file's text as UTF-8 with Unix line ends and no byte-order mark."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ContentErrors(
            [ContentError(str(path), 1, "file", f"Larger than {MAX_FILE_BYTES // 2**20} MiB.")]
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContentErrors(
            [ContentError(str(path), line, "file", f"Not valid UTF-8 (byte {exc.start}).")]
        ) from exc
    return checked_text(path, text)


def checked_text(path: Path, text: str) -> str:
    """Text read from path with Unix line ends; refused at its line if it holds a character
    that no content may."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if forbidden := FORBIDDEN_CHARACTER.search(text):
        line = text.count("\n", 0, forbidden.start()) + 1
        raise ContentErrors(
            [ContentError(str(path), line, "file", forbidden_character(forbidden.group()))]
        )
    return text


def forbidden_character(character: str) -> str:
    kind = CHARACTER_KINDS.get(unicodedata.category(character), "noncharacter")
    return f"Contains the {kind} U+{ord(character):04X}."


def check_values(source: ContentFile) -> ContentFile:
    """Refuse values of no plain type, and forbidden characters that escapes put into text."""
    errors = [source.error(key_path, message) for key_path, message in value_problems(source.data)]
    if errors:
        raise ContentErrors(sorted(errors, key=lambda error: error.line))
    return source


def value_problems(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """(key path, message) for every key and value that no field may hold, at any depth."""
    pending: list[tuple[KeyPath, Any]] = [((), data)]
    while pending:
        key_path, value = pending.pop()
        if isinstance(value, dict):
            for key, nested in value.items():
                pending.append(((*key_path, str(key)), nested))
                if problem := text_problem(str(key)):
                    yield (*key_path, str(key)), problem
        elif isinstance(value, list):
            pending.extend(((*key_path, index), nested) for index, nested in enumerate(value))
        elif not isinstance(value, PLAIN_VALUES):
            yield key_path, "Not plain text, a number, a date, a list or a mapping."
        elif isinstance(value, str) and (problem := text_problem(value)):
            yield key_path, problem


def text_problem(text: str) -> str | None:
    forbidden = FORBIDDEN_CHARACTER.search(text)
    return forbidden_character(forbidden.group()) if forbidden else None


def read_toml(path: Path) -> ContentFile:
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentErrors([ContentError(str(path), line, "toml", f"{message}.")]) from exc
    except RecursionError as exc:  # tomllib recurses once for each array or table in another
        raise ContentErrors([ContentError(str(path), 1, "toml", "Nested too deeply.")]) from exc
    except ValueError as exc:  # tomllib's int() refused an integer of too many digits
        raise ContentErrors([long_toml_number(path, text)]) from exc
    return check_values(ContentFile(path, data, dict(toml_key_lines(text))))


def long_toml_number(path: Path, text: str) -> ContentError:
    """Where the first integer too long to read stands, and the key it is the value of."""
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"(?:^|[=\[,{{])[ \t]*[+-]?[0-9](?:_?[0-9]){{{limit},}}", text, re.M)
    line = text.count("\n", 0, found.start()) + 1 if found else 1
    keys = {number: key for key, number in toml_key_lines(text)}
    return ContentError(str(path), line, field_name(keys.get(line, ("toml",))), number_too_long())


def toml_key_lines(text: str) -> Iterator[tuple[KeyPath, int]]:
    """Where each key and table of a TOML document is written (multi-line strings skipped)."""
    table: KeyPath = ()
    array_counts: dict[KeyPath, int] = {}
    in_string: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if in_string:
            if stripped.count(in_string) % 2 == 1:
                in_string = None
            continue
        if header := re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", stripped):
            name = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            index = array_counts.get(name, -1) + 1
            array_counts[name] = index
            table = (*name, index)
            yield name, number
            yield table, number
        elif header := re.match(r"^\[\s*([^\]]+?)\s*\]", stripped):
            table = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            yield table, number
        elif key := re.match(r"^(\"[^\"]+\"|'[^']+'|[A-Za-z0-9_-]+)\s*=(.*)$", stripped):
            yield (*table, key.group(1).strip("\"'")), number
            for quote in ('"""', "'''"):
                if key.group(2).count(quote) % 2 == 1:
                    in_string = quote


def read_article(path: Path) -> ContentFile:
    """An article file: YAML front matter between '---' lines, then the Markdown body."""
    text = read_text(path)
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ContentErrors(
            [
                ContentError(
                    str(path), 1, "front matter", "Missing: start the file with a '---' line."
                )
            ]
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise ContentErrors(
            [ContentError(str(path), 1, "front matter", "Not closed: end it with a '---' line.")]
        ) from None
    data, key_lines = parse_front_matter(path, "\n".join(lines[1:end]), first_line=2)
    if "body" in data:
        raise ContentErrors(
            [
                ContentError(
                    str(path),
                    key_lines[("body",)],
                    "body",
                    "The body goes below the front matter, not in it.",
                )
            ]
        )
    below = "\n".join(lines[end + 1 :])
    data["body"] = below.strip("\n")
    body_line = end + 2 + len(below) - len(below.lstrip("\n"))
    problems = [
        ContentError(str(path), body_line + line, "body", message)
        for line, message in body_problems(data["body"])
    ]
    if problems:
        raise ContentErrors(problems)
    return check_values(ContentFile(path, data, key_lines))


def parse_front_matter(
    path: Path, text: str, first_line: int
) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        key_lines: dict[KeyPath, int] = {}
        record_lines(node, (), key_lines, first_line, seen=set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        raise ContentErrors(
            [ContentError(str(path), line, "front matter", f"{exc.problem or exc.context}.")]
        ) from exc
    except yaml.YAMLError as exc:
        raise ContentErrors(
            [ContentError(str(path), first_line, "front matter", str(exc))]
        ) from exc
    except RecursionError as exc:  # record_lines recurses once for each level of nesting
        raise ContentErrors(
            [ContentError(str(path), first_line, "front matter", "Nested too deeply.")]
        ) from exc
    except NumberTooLong as exc:
        raise ContentErrors(
            [ContentError(str(path), exc.line, field_name(exc.key_path), number_too_long())]
        ) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ContentErrors(
            [ContentError(str(path), first_line, "front matter", "Not a mapping of field: value.")]
        )
    return data, key_lines


def record_lines(
    node: yaml.Node, key_path: KeyPath, lines: dict[KeyPath, int], first_line: int, seen: set[int]
) -> None:
    """Fill `lines` with where each key stands; refuse aliases, which only serve to blow up,
    and integers too long to read."""
    if id(node) in seen:
        raise yaml.MarkedYAMLError(
            problem="Aliases (*name) are not allowed in front matter", problem_mark=node.start_mark
        )
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            refuse_long_number(key_node, key_path, first_line)
            key = (*key_path, str(key_node.value))
            lines[key] = first_line + key_node.start_mark.line
            record_lines(value_node, key, lines, first_line, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*key_path, index)] = first_line + item.start_mark.line
            record_lines(item, (*key_path, index), lines, first_line, seen)
    else:
        refuse_long_number(node, key_path, first_line)


def refuse_long_number(node: yaml.Node, key_path: KeyPath, first_line: int) -> None:
    if node.tag == YAML_INTEGER and too_many_digits(str(node.value)):
        raise NumberTooLong(key_path, first_line + node.start_mark.line)
