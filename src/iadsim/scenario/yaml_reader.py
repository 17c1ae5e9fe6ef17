"""Scenario edge, first step: bytes of a YAML file -> plain data, safely, for any input at all.

A hardened PyYAML ``SafeLoader``: libyaml's parser (when installed) feeds a composer that
enforces limits *while the node graph is built*, before any Python object is constructed, so an
alias bomb ("billion laughs") or a 5,000-deep flow sequence fails in milliseconds instead of
hanging or raising ``RecursionError``. The limits (:class:`ReaderLimits`) are on the file's size,
the nesting depth, the number of aliases and the number of values once aliases are expanded.

Every problem is one line naming the field path (where one is known) and the line and column:
non-UTF-8 bytes (with their byte offset), duplicate keys (both lines), YAML syntax errors,
control characters, integers too long to be numbers and values no constructor can build.
Floats are read as YAML 1.2 writes them too: ``1e-6`` is a number, not the string ``'1e-6'``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from iadsim.errors import ScenarioError

try:  # libyaml's parser is about 4x faster than the pure-Python one
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
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


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _HardenedLoader(Composer, _Parser, SafeConstructor, Resolver):  # type: ignore[misc,valid-type]
    """SafeLoader with limits enforced at composition, paths on nodes and no duplicate keys."""

    def __init__(self, text: str, limits: ReaderLimits) -> None:
        _Parser.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)
        self.limits = limits
        self._segments: list[str] = []
        self._open_anchors: set[str] = set()
        self._aliases = 0
        self._stats: dict[int, tuple[int, int]] = {}  # id(node) -> (values, height), expanded

    # -- composition: the node graph, with limits -------------------------------------------

    def _path(self) -> str:
        return "".join(self._segments).lstrip(".")

    def _fail(self, rule: str, mark: Any) -> _LimitError:
        path = _shorten(self._path()) or "(top level)"
        return _LimitError(problem=f"{path}: {rule} ({_where(mark)})", problem_mark=mark)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node, checking depth, aliases and expanded size before going on."""
        if isinstance(parent, SequenceNode):
            self._segments.append(f"[{index}]")
        elif isinstance(parent, MappingNode) and isinstance(index, ScalarNode):
            self._segments.append(f".{index.value}")
        else:  # the root, or a mapping key (named by its mapping's path)
            self._segments.append("")
        try:
            return self._compose_checked(parent, index)
        finally:
            self._segments.pop()

    def _compose_checked(self, parent: Node | None, index: Any) -> Node:
        lim = self.limits
        event = self.peek_event()
        depth = len(self._segments) - 1
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > lim.max_aliases:
                raise self._fail(f"more than {lim.max_aliases} aliases (limit of the scenario "
                                 "reader)", event.start_mark)
            if event.anchor in self._open_anchors:
                raise self._fail(f"alias *{event.anchor} refers to a node that contains it",
                                 event.start_mark)
            node = super().compose_node(parent, index)
            _, height = self._stats.get(id(node), (1, 0))
            if depth + height > lim.max_depth:
                raise self._fail(f"nested deeper than {lim.max_depth} levels once alias "
                                 f"*{event.anchor} is expanded (limit of the scenario reader)",
                                 event.start_mark)
            return node
        if depth > lim.max_depth:
            raise self._fail(f"nested deeper than {lim.max_depth} levels (limit of the scenario "
                             "reader)", event.start_mark)
        collection = isinstance(event, SequenceStartEvent | MappingStartEvent)
        if collection and event.anchor is not None:
            self._open_anchors.add(event.anchor)
        node = super().compose_node(parent, index)
        if collection and event.anchor is not None:
            self._open_anchors.discard(event.anchor)
        node.iadsim_path = self._path()  # type: ignore[attr-defined]
        self._record_stats(node)
        return node

    def _record_stats(self, node: Node) -> None:
        lim = self.limits
        if isinstance(node, ScalarNode):
            if node.tag == _INT_TAG and len(node.value) > lim.max_int_digits:
                raise self._fail(f"an integer of {len(node.value)} characters is too large "
                                 "to be a number here", node.start_mark)
            self._stats[id(node)] = (1, 0)
            return
        if isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        stats = [self._stats.get(id(c), (1, 0)) for c in children]
        values = 1 + sum(s[0] for s in stats)
        height = 1 + max((s[1] for s in stats), default=0)
        if values > lim.max_values:
            raise self._fail(f"holds more than {lim.max_values} values once aliases are "
                             "expanded (limit of the scenario reader; an alias bomb?)",
                             node.start_mark)
        self._stats[id(node)] = (values, height)

    # -- construction: plain data, duplicate keys refused ---------------------------------

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
                where = getattr(node, "iadsim_path", "")
                name = f"{where}.{key}" if where else str(key)
                raise _LimitError(
                    problem=f"{_shorten(name)} is given twice (line {first.line + 1} and line "
                            f"{key_node.start_mark.line + 1}); a key may appear once",
                    problem_mark=key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Any value error of a constructor (a 13th month, a bad ``!!float``) names the node."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            path = getattr(node, "iadsim_path", "") or "(top level)"
            raise _LimitError(
                problem=f"{_shorten(path)}: cannot read the value {_shorten(repr(node.value), 60)}"
                        f" ({exc}; {_where(node.start_mark)})",
                problem_mark=node.start_mark) from None


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
    loader = _HardenedLoader(text, limits)
    try:
        return loader.get_single_data()
    except _LimitError as exc:
        raise ScenarioError([f"{source}: {exc.problem}"]) from None
    except yaml.reader.ReaderError as exc:
        raise ScenarioError([f"{source}: {_reader_problem(text, exc)}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" ({_where(mark)})" if mark is not None else ""
        problem = ", ".join(str(x) for x in (exc.context, exc.problem) if x) or "unreadable"
        raise ScenarioError([f"{source}: not valid YAML{where}: {problem}"]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error carries a mark
        raise ScenarioError([f"{source}: not valid YAML: {_shorten(str(exc), 200)}"]) from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path, *, limits: ReaderLimits | None = None) -> Any:
    """Plain data from a YAML file, reading at most the size limit (``/dev/zero`` is fine)."""
    limits = limits or ReaderLimits()
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError([f"{path}: cannot read the scenario file ({reason})"]) from None
    except ValueError as exc:  # an embedded NUL in the path
        raise ScenarioError([f"{path!r}: cannot read the scenario file ({exc})"]) from None
    if len(data) > limits.max_bytes:
        raise ScenarioError([f"{path}: the file is over the {limits.max_bytes:,}-byte limit of "
                             "a scenario file (recorded tracks go in a trajectory_file)"])
    return read_yaml_bytes(data, str(path), limits=limits)


def _decode(data: bytes, source: str) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ScenarioError([f"{source}: the file is {name} text (byte-order mark at byte "
                                 "offset 0); save it as UTF-8"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
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
