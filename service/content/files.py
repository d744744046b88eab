"""Reading one content file: its text, its data, and the line where each field was written."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from service.errors import ContentError, ContentErrors

KeyPath = tuple[str | int, ...]
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FRONT_MATTER_FENCE = "---"
# C0 and C1 controls other than tab and line feed, and DEL: never part of an article.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    """('sources', 0, 'url') -> 'sources[0].url'."""
    name = ""
    for key in key_path:
        name += f"[{key}]" if isinstance(key, int) else (f".{key}" if name else key)
    return name or "file"


def read_text(path: Path) -> str:
    """The file's text as UTF-8 with Unix line ends and no byte-order mark."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContentErrors(
            [ContentError(str(path), line, "file", f"Not valid UTF-8 (byte {exc.start}).")]
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if control := CONTROL_CHARACTER.search(text):
        line = text.count("\n", 0, control.start()) + 1
        code = f"U+{ord(control.group()):04X}"
        raise ContentErrors(
            [ContentError(str(path), line, "file", f"Contains the control character {code}.")]
        )
    return text


def read_toml(path: Path) -> ContentFile:
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentErrors([ContentError(str(path), line, "toml", f"{message}.")]) from exc
    return ContentFile(path, data, dict(toml_key_lines(text)))


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
    data["body"] = "\n".join(lines[end + 1 :]).strip("\n")
    return ContentFile(path, data, key_lines)


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
    """Fill `lines` with where each key stands; refuse aliases, which only serve to blow up."""
    if id(node) in seen:
        raise yaml.MarkedYAMLError(
            problem="Aliases (*name) are not allowed in front matter", problem_mark=node.start_mark
        )
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*key_path, str(key_node.value))
            lines[key] = first_line + key_node.start_mark.line
            record_lines(value_node, key, lines, first_line, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*key_path, index)] = first_line + item.start_mark.line
            record_lines(item, (*key_path, index), lines, first_line, seen)
