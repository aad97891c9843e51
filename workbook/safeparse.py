"""Reading YAML and JSON that nobody vouched for: bounded before it is parsed, refused in words.

Homework files, worksheets, `config.yaml`, `settings.yaml`, share bundles' manifests and imported
exports all come through here. Three things can make a small file expensive, and each is stopped
before it costs anything:

- size: the caller says how many bytes the file may have; more is refused unread;
- nesting: YAML and JSON nested more than `MAX_DEPTH` levels are refused. For YAML the depth is
  counted on the parser's event stream, which stops at the first level too many (PyYAML's pure
  Python scanner is quadratic in the depth of `[[[[`, and its composer recurses; libyaml's
  composer recurses in C). Without libyaml the pure Python scanner itself is stopped at the
  limit. For JSON, Python's decoder refuses past its recursion limit (a RecursionError, turned
  into a sentence here) and the depth of what it built is checked against `MAX_DEPTH`;
- aliases: YAML anchors and aliases (`&a`, `*a`, the "billion laughs") are refused: nothing the
  workbook reads needs them, and `settings.yaml` is written without them.

Every refusal is a `Refused` (a ValueError) whose text is a plain sentence for the person; the
caller puts the file's name in front.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from typing import Any

import yaml

MAX_DEPTH = 32
"""Deepest nesting any file the workbook reads needs (a homework file with a worksheet: 7)."""


class Refused(ValueError):
    """A file refused before (or while) parsing, with why in plain words and the line if known."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line
        super().__init__(reason)


class _LimitedScanner(yaml.SafeLoader):
    """PyYAML's pure Python loader, with its scanner stopped at `MAX_DEPTH` levels.

    Used only when libyaml is not installed: the C parser is fast and has its own limit.
    """

    max_depth = MAX_DEPTH

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803 - PyYAML's name
        if self.flow_level >= self.max_depth:
            raise Refused(_too_deep(self.max_depth), self.line + 1)
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= self.max_depth:
            raise Refused(_too_deep(self.max_depth), self.line + 1)
        return super().add_indent(column)


def loader() -> type:
    """The fastest safe YAML loader here: libyaml's when PyYAML was built with it."""
    return getattr(yaml, "CSafeLoader", None) or _LimitedScanner


def _too_deep(limit: int) -> str:
    return (f"it is nested more than {limit} levels deep, which no file of the workbook needs "
            "(it may have been made to slow the computer down)")


def check_size(data: bytes | str, max_bytes: int, what: str = "the file") -> None:
    """Refuse more than `max_bytes` (UTF-8) before anything reads it."""
    size = len(data.encode("utf-8", errors="replace") if isinstance(data, str) else data)
    if size > max_bytes:
        raise Refused(f"{what} is {size:,} bytes, more than the {_size(max_bytes)} such a file "
                      "can be")


def _size(count: int) -> str:
    return f"{count // 1_000_000} MB" if count >= 1_000_000 else f"{count // 1000} kB"


def check_yaml(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Walk the YAML's events once: refuse aliases and nesting deeper than `max_depth`.

    Stops at the first offending event, so a hostile file costs only what was read up to it.
    Syntax errors are raised as PyYAML's own (`yaml.YAMLError`, with their line).
    """
    depth = 0
    stream = yaml.parse(text, Loader=loader())
    try:
        for event in stream:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise Refused(_too_deep(max_depth), event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                raise Refused("it uses YAML anchors or aliases (&name, *name), which the workbook "
                              "does not read; write each value out in full", event.start_mark.line + 1)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit
            mark = getattr(exc, "problem_mark", None)
            raise Refused(_too_deep(max_depth), mark.line + 1 if mark else None) from None
        raise
    finally:
        stream.close()


def load_yaml(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Plain data from YAML after `check_yaml` (safe types only)."""
    check_yaml(text, max_depth)
    return yaml.load(text, Loader=loader())  # noqa: S506 - a safe loader (CSafeLoader/SafeLoader)


def compose_yaml(text: str, max_depth: int = MAX_DEPTH) -> yaml.Node | None:
    """The YAML's node tree (with line marks) after `check_yaml`."""
    check_yaml(text, max_depth)
    return yaml.compose(text, Loader=loader())


def depth(value: Any) -> int:
    """How deeply lists and mappings nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def load_json(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Plain data from JSON; too deep is `Refused`, bad syntax is json's own JSONDecodeError."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise Refused(_too_deep(max_depth)) from None
    if depth(data) > max_depth:
        raise Refused(_too_deep(max_depth))
    return data


class NoAliasDumper(yaml.SafeDumper):
    """Writes the same value twice in full rather than as an anchor and an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# -- zips --------------------------------------------------------------------------------------------
def check_zip(archive: zipfile.ZipFile, what: str, *, max_members: int, max_member_bytes: int,
              max_total_bytes: int, max_ratio: int) -> list[zipfile.ZipInfo]:
    """Refuse anything `what` (a bundle, a backup) never holds, before a byte is decompressed.

    Member count, unsafe names (`..`, absolute, drive letters, backslashes), folders, duplicates,
    symbolic links, encryption, unusual compression, size per member and in total (as the zip's
    headers claim them; `read_member` makes sure the data agrees), and compression ratio.
    """
    members = archive.infolist()
    if len(members) > max_members:
        raise Refused(f"the zip holds {len(members)} files; {what} holds at most {max_members}")
    seen: set[str] = set()
    total = 0
    for info in members:
        name = info.filename
        if (not name or "\\" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name)
                or ".." in name or "\x00" in name):
            raise Refused(f"the zip holds a file with an unsafe name ({name!r})")
        if "/" in name or info.is_dir():
            raise Refused(f"the zip holds a folder ({name!r}); {what} has none")
        if name in seen:
            raise Refused(f"the zip holds {name!r} twice")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Refused(f"{name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise Refused(f"{name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"{name!r} uses a compression {what} never uses")
        if info.file_size > max_member_bytes:
            raise Refused(f"{name!r} would be {info.file_size:,} bytes unpacked; a file in {what} may "
                          f"be at most {max_member_bytes // 2**20} MB")
        total += info.file_size
        if total > max_total_bytes:
            raise Refused(f"the files would be more than {max_total_bytes // 2**20} MB unpacked")
        if info.file_size > max_ratio * max(info.compress_size, 1):
            raise Refused(f"{name!r} is compressed more than {max_ratio} to 1, like a zip bomb")
    return members


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """A member's bytes, never more than `max_bytes` whatever its header says."""
    with archive.open(info) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes or len(data) != info.file_size:
        raise Refused(f"{info.filename!r} is not the size its zip entry claims")
    return data
