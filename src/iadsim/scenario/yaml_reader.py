"""Scenario edge, first step: bytes of a YAML file -> plain data, safely, for any input at all.

A hardened PyYAML ``SafeLoader`` (libyaml's when installed): one pass over the parser's events
enforces limits *before any node is built*, so an alias bomb ("billion laughs") or a
5,000-deep flow sequence fails in milliseconds instead of hanging or raising
``RecursionError``. The limits (:class:`ReaderLimits`) are on the file's size,
the nesting depth, the number of aliases and the number of values once aliases are expanded.

Every problem is one line naming the field path (where one is known) and the line and column:
non-UTF-8 bytes (with their byte offset), duplicate keys (both lines), YAML syntax errors,
control characters, integers too long to be numbers and values no constructor can build.
Floats are read as YAML 1.2 writes them too: ``1e-6`` is a number, not the string ``'1e-6'``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode

from iadsim.errors import ScenarioError
from iadsim.files import not_regular_reason

# libyaml's parser and composer are about 4x faster than the pure-Python ones
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_INT = re.compile(r"[-+]?[0-9][0-9_:]*")
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    """Limits of the scenario reader (a scenario is a few kB; recorded tracks go in files)."""

    max_bytes: int = 1 << 20        # 1 MiB of YAML
    max_depth: int = 32             # nested mappings and sequences, aliases expanded
    max_aliases: int = 1_000        # ``*name`` references
    max_values: int = 250_000       # nodes once aliases are expanded
    max_int_digits: int = 100       # longer integers are nonsense for every field


class _LimitError(yaml.MarkedYAMLError):
    """A reader limit or rule was broken; ``problem`` is the whole line (path included)."""


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def key_segment(key: object) -> str:
    """``.name`` for a plain key, ``['odd key']`` (its repr) for any other."""
    text = str(key)
    if _KEY.fullmatch(text):
        return f".{text}"
    return f"[{_shorten(key, 40)!r}]" if isinstance(key, str) else f"[{_shorten(repr(key), 40)}]"


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_path(path: str, limit: int = 80) -> str:
    """A path cut after whole segments, ending ``[...]`` when cut."""
    path = path.lstrip(".")
    if len(path) <= limit:
        return path
    cut = max(path.rfind("[", 0, limit), path.rfind(".", 0, limit))
    return (path[:cut] if cut > 0 else path[:limit]) + "[...]"


def _fail(path: str, rule: str, mark: Any) -> _LimitError:
    where = _short_path(path) or "(top level)"
    return _LimitError(problem=f"{where}: {rule} ({_where(mark)})", problem_mark=mark)


@dataclass(slots=True)
class _Open:
    """A collection being scanned: its path segment, expanded size and height so far."""

    segment: str
    anchor: str | None
    mark: Any
    mapping: bool
    values: int = 1
    height: int = 1
    index: int = 0
    key_next: bool = True
    pending: str = field(default="")


def _scan_events(text: str, limits: ReaderLimits) -> None:
    """Walk the parser's events once, enforcing the limits before any node is built.

    Sizes and heights are those of the document with every alias expanded; an alias bomb
    fails at the first collection over ``max_values``, in milliseconds.
    """
    parser = _BaseLoader(text)
    stack: list[_Open] = []
    done: dict[str, tuple[int, int]] = {}  # anchor -> (values, height) of its node
    aliases = 0

    def path(segment: str = "") -> str:
        return "".join(o.segment for o in stack) + segment

    def child_segment() -> str:
        if not stack:
            return ""
        top = stack[-1]
        if not top.mapping:
            top.index += 1
            return f"[{top.index - 1}]"
        return "" if top.key_next else top.pending

    def child_done(values: int, height: int, key_text: str | None) -> None:
        if not stack:
            return
        top = stack[-1]
        top.values += values
        top.height = max(top.height, height + 1)
        if top.values > limits.max_values:
            raise _fail(path(), f"holds more than {limits.max_values} values once aliases are "
                        "expanded (limit of the scenario reader; an alias bomb?)", top.mark)
        if top.mapping:
            if top.key_next:
                top.pending = key_segment(key_text) if key_text is not None else "[?]"
            top.key_next = not top.key_next

    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            if isinstance(event, AliasEvent):
                segment = child_segment()
                aliases += 1
                if aliases > limits.max_aliases:
                    raise _fail(path(segment), f"more than {limits.max_aliases} aliases (limit "
                                "of the scenario reader)", event.start_mark)
                if any(o.anchor == event.anchor for o in stack):
                    raise _fail(path(segment), f"alias *{event.anchor} refers to a node that "
                                "contains it", event.start_mark)
                values, height = done.get(event.anchor or "", (1, 0))
                if len(stack) + height > limits.max_depth:
                    raise _fail(path(segment), f"nested deeper than {limits.max_depth} levels "
                                f"once alias *{event.anchor} is expanded (limit of the "
                                "scenario reader)", event.start_mark)
                child_done(values, height, None)
            elif isinstance(event, ScalarEvent):
                segment = child_segment()
                value = event.value
                if len(value) > limits.max_int_digits and (
                        event.tag == _INT_TAG
                        or (event.implicit[0] and _PLAIN_INT.fullmatch(value))):
                    raise _fail(path(segment), f"an integer of {len(value)} characters is too "
                                "large to be a number here", event.start_mark)
                if event.anchor is not None:
                    done[event.anchor] = (1, 0)
                child_done(1, 0, value)
            elif isinstance(event, SequenceStartEvent | MappingStartEvent):
                segment = child_segment()
                if len(stack) >= limits.max_depth:
                    raise _fail(path(segment), f"nested deeper than {limits.max_depth} levels "
                                "(limit of the scenario reader)", event.start_mark)
                stack.append(_Open(segment, event.anchor, event.start_mark,
                                   isinstance(event, MappingStartEvent)))
            elif isinstance(event, CollectionEndEvent):
                closed = stack.pop()
                if closed.anchor is not None:
                    done[closed.anchor] = (closed.values, closed.height)
                child_done(closed.values, closed.height, None)
    finally:
        parser.dispose()


class _HardenedLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader whose mappings refuse duplicate keys and whose value errors name the node."""

    root: Node | None = None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping whose keys are unique; a repeated key names its path and both lines."""
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable: SafeConstructor reports it with its line
            if first is not None:
                name = self._path_of(node) + key_segment(key)
                raise _LimitError(
                    problem=f"{_short_path(name)} is given twice (line {first.line + 1} and line "
                            f"{key_node.start_mark.line + 1}); a key may appear once",
                    problem_mark=key_node.start_mark)
            seen[key] = key_node.start_mark
        return SafeConstructor.construct_mapping(self, node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Any value error of a constructor (a 13th month, a bad ``!!float``) names the node."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, KeyError, TypeError, IndexError) as exc:
            raise _fail(self._path_of(node), f"cannot read the value "
                        f"{_shorten(repr(node.value), 60)} ({_shorten(str(exc), 80)})",
                        node.start_mark) from None

    def _path_of(self, target: Node) -> str:
        """The field path of a node, found from the root (only when reporting a problem)."""
        todo: list[tuple[Node, str]] = [(self.root, "")] if self.root is not None else []
        seen: set[int] = set()
        while todo:
            node, at = todo.pop()
            if node is target:
                return at
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                todo.extend((v, at + (key_segment(k.value) if isinstance(k, ScalarNode)
                                      else "[?]")) for k, v in node.value)
                todo.extend((k, at) for k, _ in node.value)
            elif not isinstance(node, ScalarNode):
                todo.extend((v, f"{at}[{i}]") for i, v in enumerate(node.value))
        return ""


# YAML 1.2 floats (1e-6, 2E+3, 1.0e6): YAML 1.1 reads them as strings.
_HardenedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def read_yaml_bytes(data: bytes, source: str, *, limits: ReaderLimits | None = None) -> Any:
    """Plain data from the bytes of a YAML document.

    Raises
    ------
    ScenarioError
        One line naming ``source``, the limit or rule broken, the field path and the line.
    """
    limits = limits or ReaderLimits()
    if len(data) > limits.max_bytes:
        raise ScenarioError([f"{source}: the file is {len(data):,} bytes, over the "
                             f"{limits.max_bytes:,}-byte limit of a scenario file (recorded "
                             "tracks go in a trajectory_file)"])
    return read_yaml_text(_decode(data, source), source, limits=limits)


def read_yaml_text(text: str, source: str, *, limits: ReaderLimits | None = None) -> Any:
    """Plain data from YAML text (see :func:`read_yaml_bytes`)."""
    limits = limits or ReaderLimits()
    if len(text) > limits.max_bytes:
        raise ScenarioError([f"{source}: the text is {len(text):,} characters, over the "
                             f"{limits.max_bytes:,} limit of a scenario file"])
    loader = None
    try:
        _scan_events(text, limits)
        loader = _HardenedLoader(text)
        loader.root = loader.get_single_node()
        return None if loader.root is None else loader.construct_document(loader.root)
    except _LimitError as exc:
        raise ScenarioError([f"{source}: {exc.problem}"]) from None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError([f"{source}: {_reader_problem(text, exc)}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" ({_where(mark)})" if mark is not None else ""
        problem = ", ".join(str(x) for x in (exc.context, exc.problem) if x) or "unreadable"
        if "maximum nesting depth" in problem:  # PyYAML >= 6.0.4 stops deep flows first
            raise ScenarioError([f"{source}: nested deeper than {limits.max_depth} levels "
                                 f"(limit of the scenario reader){where}"]) from None
        raise ScenarioError([f"{source}: not valid YAML{where}: {problem}"]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error carries a mark
        raise ScenarioError([f"{source}: not valid YAML: {_shorten(str(exc), 200)}"]) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml_file(path: str | Path, *, limits: ReaderLimits | None = None) -> Any:
    """Plain data from a YAML file, reading at most the size limit.

    Only a regular file is opened (a named pipe with no writer would block, ``/dev/zero``
    never ends): a directory, device, pipe or socket is reported as what it is.
    """
    limits = limits or ReaderLimits()
    path = Path(path)
    reason = not_regular_reason(path)
    if reason is not None:
        shown = str(path) if "\0" not in str(path) else repr(str(path))
        raise ScenarioError([f"{shown}: scenario file {reason}"])
    try:
        with path.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except OSError as exc:  # removed or made unreadable since the check
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError([f"{path}: scenario file cannot be read ({reason})"]) from None
    if len(data) > limits.max_bytes:
        raise ScenarioError([f"{path}: the file is over the {limits.max_bytes:,}-byte limit of "
                             "a scenario file (recorded tracks go in a trajectory_file)"])
    return read_yaml_bytes(data, str(path), limits=limits)


def _decode(data: bytes, source: str) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ScenarioError([f"{source}: the file is {name} text (line 1, column 1, byte "
                                 "offset 0: a byte-order mark); save it as UTF-8"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, start) + 1
        line_start = max(data.rfind(b"\n", 0, start) + 1, 3 if line == 1 and exc.start < start
                         else 0)
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        bad = data[start:start + max(1, exc.end - exc.start)].hex()
        raise ScenarioError([f"{source}: not UTF-8 text (line {line}, column {column}, byte "
                             f"offset {start}: 0x{bad}); save the file as UTF-8 (a Latin-1 or "
                             "Windows editor may have written it)"]) from None


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> str:
    pos = int(exc.position) if isinstance(exc.position, int) else -1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    if 0 <= pos <= len(text):
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        where = f"line {line}, column {column}"
    else:
        where = f"character offset {pos}"
    return (f"not valid YAML ({where}): the character U+{code:04X} is not allowed "
            "(a control character; was a binary file given?)")
