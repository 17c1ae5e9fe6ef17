"""Scenario edge, tested: seeded mutations of a scenario file for fuzzing the loader.

:func:`mutate` turns the bytes of a valid scenario into a broken (or still valid) one by one
mutation of a named kind: on the data (leaf deletions, type swaps, non-finite and huge numbers,
long, non-ASCII and control-character strings, misspelt keys, repeated list items, hostile
``trajectory_file`` paths) or on the
text (duplicate keys, aliases and alias bombs, deep nesting, other encodings, truncation, byte
noise, YAML tags, integers thousands of digits long). :func:`problems_without_path` states the
promise a fuzzer checks: every problem line names the file and a field path or a line.
:func:`valid_mutants` yields the mutations that still validate, and :func:`cut_duration`
shortens one so that a fuzzer can also run it. The fuzz tests (``tests/scenario/test_fuzz.py``)
and ``benchmarks/fuzz_scenarios.py`` use them all.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import yaml

from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_yaml
from iadsim.scenario.model import Scenario

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

ODD_VALUES: tuple[Any, ...] = (
    True, False, None, "20", "", "1e-6", "nan", 0, -1, 1.5, [], {}, [1, {}], {"a": {"b": 1}},
    [[[]]], "x" * 2_000, "café ☢ 東京 \u202e\u0000\x1b[31m", "[bold]markup[/bold] <img src=x>",
)
NON_FINITE: tuple[float, ...] = (math.nan, math.inf, -math.inf)
HUGE_NUMBERS: tuple[Any, ...] = (1e308, -1e308, 1.7e308, 10**30, 2**63, -(2**63) - 1, 1e-320,
                                 -0.0, 4.9e-324, 10**99)
STRINGS: tuple[str, ...] = ("", " ", "x" * 100_000, "é" * 300, "名前" * 50, "\u202e\u200b",
                            "\x00\x07\x1b[2J", "${HOME} $(rm -rf /) `id`", "a\nb\r\nc",
                            "\ud7ff\ue000\uffff")
PATHS: tuple[str, ...] = ("a\0b.csv", "~nosuchuser-iadsim/x.csv", "x" * 5_000 + ".csv", "/dev/zero",
                          ".", "/proc/self/mem", "missing.parquet", "", "C:\\con\\aux.csv")
TAGS: tuple[str, ...] = ("!!python/object/apply:os.system ['id']", "!!binary 'not base64!'",
                         "!!timestamp 2026-13-45", "!!float abc", "!!int 0xZZ", "!!set {a, b}",
                         "!!omap [a: 1, b: 2]", "!!str", "!custom 3", "!!null x", "!!bool maybe")
ENCODINGS: tuple[str, ...] = ("latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be",
                              "utf-32", "utf-8-sig", "mac-roman")


def _paths(node: Any, out: list[tuple[Any, Any]] | None = None) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a data tree, depth first."""
    out = [] if out is None else out
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, child in list(items):
        out.append((node, key))
        _paths(child, out)
    return out


def _pick(rng: np.random.Generator, seq: Any) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _leaf_pairs(data: Any, want: Callable[[Any], bool]) -> list[tuple[Any, Any]]:
    return [(c, k) for c, k in _paths(data) if want(c[k])] or _paths(data)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _delete(data: Any, rng: np.random.Generator) -> None:
    container, key = _pick(rng, _paths(data))
    del container[key]


def _replace(pool: tuple[Any, ...], want: Callable[[Any], bool]) -> Callable[..., None]:
    def apply(data: Any, rng: np.random.Generator) -> None:
        container, key = _pick(rng, _leaf_pairs(data, want))
        container[key] = copy.deepcopy(_pick(rng, pool))
    return apply


def _rename_key(data: Any, rng: np.random.Generator) -> None:
    pairs = [(c, k) for c, k in _paths(data) if isinstance(c, dict)]
    container, key = _pick(rng, pairs)
    chars = list(str(key))
    at = int(rng.integers(len(chars) + 1))
    how = int(rng.integers(3))
    if how == 0 and len(chars) > 1:
        del chars[min(at, len(chars) - 1)]
    elif how == 1 and len(chars) > 1:
        i = min(at, len(chars) - 2)
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        chars.insert(at, _pick(rng, "abcdefghijklmnopqrstuvwxyz_"))
    container["".join(chars)] = container.pop(key)


def _repeat_item(data: Any, rng: np.random.Generator) -> None:
    lists = [(c, k) for c, k in _paths(data) if isinstance(c[k], list) and c[k]]
    container, key = _pick(rng, lists)
    items = container[key]
    items.append(copy.deepcopy(_pick(rng, items)))


def _trajectory_file(data: Any, rng: np.random.Generator) -> None:
    groups = data.get("threats") if isinstance(data, dict) else None
    if isinstance(groups, list) and groups and isinstance(groups[0], dict):
        _pick(rng, groups)["trajectory_file"] = _pick(rng, PATHS)


DATA_MUTATIONS: dict[str, Callable[[Any, np.random.Generator], None]] = {
    "delete": _delete,
    "type_swap": _replace(ODD_VALUES, lambda v: not isinstance(v, dict | list)),
    "non_finite": _replace(NON_FINITE, _is_number),
    "huge_number": _replace(HUGE_NUMBERS, _is_number),
    "string": _replace(STRINGS, lambda v: isinstance(v, str | int | float)),
    "rename_key": _rename_key,
    "repeat_item": _repeat_item,
    "trajectory_file": _trajectory_file,
}


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _key_lines(lines: list[str]) -> list[int]:
    keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[A-Za-z_]+:", line)]
    return keyed or [0]


def _duplicate_key(text: str, rng: np.random.Generator) -> str:
    lines = _lines(text)
    i = _pick(rng, _key_lines(lines))
    line = lines[i].replace("- ", "  ", 1)
    lines.insert(i + 1 + int(rng.integers(3)), line if line.endswith("\n") else line + "\n")
    return "".join(lines)


def _alias(text: str, rng: np.random.Generator) -> str:
    section = _pick(rng, ("tracking", "command", "dis", "simulation", "sensors", "threats",
                          "name", "defended_assets", "interceptors"))
    width, depth = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    lines = [f"x0: &x0 [{', '.join(['lol'] * width)}]"]
    for k in range(1, depth):
        lines.append(f"x{k}: &x{k} [{', '.join([f'*x{k - 1}'] * width)}]")
    ref = _pick(rng, (f"*x{depth - 1}", f"[*x{depth - 1}, *x0]", f"{{<<: *x{depth - 1}}}",
                      "*undefined", "&self [*self]"))
    body = re.sub(rf"(?m)^{section}:.*(\n[ \-].*)*\n?", "", text)
    return "\n".join(lines) + "\n" + body + f"\n{section}: {ref}\n"


def _nesting(text: str, rng: np.random.Generator) -> str:
    depth = int(rng.integers(10, 6_000))
    lines = _lines(text)
    i = _pick(rng, _key_lines(lines))
    key = lines[i].split(":", 1)[0]
    if rng.random() < 0.5:
        deep = "[" * depth + "]" * depth
    else:
        deep = "{a: " * depth + "1" + "}" * depth
    lines[i] = f"{key}: {deep}\n"
    return "".join(lines)


def _tag(text: str, rng: np.random.Generator) -> str:
    lines = _lines(text)
    i = _pick(rng, _key_lines(lines))
    key = lines[i].split(":", 1)[0]
    lines[i] = f"{key}: {_pick(rng, TAGS)}\n"
    return "".join(lines)


def _huge_int(text: str, rng: np.random.Generator) -> str:
    digits = "9" * int(rng.integers(20, 20_000))
    return re.sub(r"(?<=: )\d+(\.\d+)?\b", digits, text, count=int(rng.integers(1, 4)))


TEXT_MUTATIONS: dict[str, Callable[[str, np.random.Generator], str]] = {
    "duplicate_key": _duplicate_key,
    "alias": _alias,
    "nesting": _nesting,
    "yaml_tag": _tag,
    "huge_int_text": _huge_int,
}


def _encoding(raw: bytes, rng: np.random.Generator) -> bytes:
    text = raw.decode("utf-8")
    text = text.replace("name: ", "name: café ", 1) if rng.random() < 0.7 else text
    return text.encode(_pick(rng, ENCODINGS), errors="replace")


def _truncate(raw: bytes, rng: np.random.Generator) -> bytes:
    return raw[: int(rng.integers(len(raw) + 1))]


def _byte_noise(raw: bytes, rng: np.random.Generator) -> bytes:
    out = bytearray(raw)
    for _ in range(int(rng.integers(1, 4))):
        at = int(rng.integers(len(out) + 1))
        how = int(rng.integers(3))
        if how == 0 and at < len(out):
            out[at] ^= 1 << int(rng.integers(8))
        elif how == 1:
            out[at:at] = bytes([_pick(rng, (0, 7, 9, 13, 0x1B, 0x7F, 0x80, 0xC3, 0xE9, 0xFF))])
        elif at < len(out):
            del out[at]
    return bytes(out)


BYTE_MUTATIONS: dict[str, Callable[[bytes, np.random.Generator], bytes]] = {
    "encoding": _encoding,
    "truncate": _truncate,
    "byte_noise": _byte_noise,
}

KINDS: tuple[str, ...] = (*DATA_MUTATIONS, *TEXT_MUTATIONS, *BYTE_MUTATIONS)
"""Every mutation kind, in a fixed order."""


def mutate(raw: bytes, kind: str, *, rng: np.random.Generator, data: Any = None) -> bytes:
    """One mutation of kind ``kind`` (see :data:`KINDS`) of the UTF-8 scenario file ``raw``.

    ``data``, the file already parsed, saves parsing it again (it is copied, not changed).
    """
    if kind in BYTE_MUTATIONS:
        return BYTE_MUTATIONS[kind](raw, rng)
    text = raw.decode("utf-8")
    if kind in TEXT_MUTATIONS:
        return TEXT_MUTATIONS[kind](text, rng).encode("utf-8", errors="surrogatepass")
    data = copy.deepcopy(data) if data is not None else yaml.load(
        text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    DATA_MUTATIONS[kind](data, rng)
    dumped = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    return dumped.encode("utf-8", errors="surrogatepass")


# a path segment: [2] [...] ['odd key'] .key
_SEGMENT = r"""(\[(\d+|\.\.\.|'([^'\\]|\\.)*'|"([^"\\]|\\.)*")\]|\.[A-Za-z_][\w\-]*)"""
_PATH_OR_LINE = re.compile(
    rf"^(\(top level\)|([A-Za-z_][\w\-]*|{_SEGMENT})({_SEGMENT})*)( \(a key\))?[ :]"  # a path
    r"|\bline \d+"  # or a line of the file
)


def problems_without_path(problems: list[str], source: str) -> list[str]:
    """The problem lines that break the promise: each starts ``source: `` and names a field
    path or a line, on one line."""
    prefix = f"{source}: "
    return [p for p in problems if not p.startswith(prefix) or "\n" in p
            or not _PATH_OR_LINE.search(p[len(prefix):])]


def valid_mutants(raw: bytes, data: Any, *, rng: np.random.Generator,
                  source: str = "fuzz.yaml") -> Iterator[tuple[str, Scenario]]:
    """Endless (kind, scenario) pairs: mutations of ``raw`` (kinds in turn) that still validate.

    ``data`` is ``raw`` already parsed. Stop when enough: ``itertools.islice``.
    """
    for i in itertools.count():
        kind = KINDS[i % len(KINDS)]
        try:
            yield kind, scenario_from_yaml(mutate(raw, kind, rng=rng, data=data), source)
        except ScenarioError:
            continue


def cut_duration(scenario: Scenario, duration_s: float) -> Scenario:
    """``scenario`` simulated for at most ``duration_s`` (never below one step)."""
    sim = scenario.simulation
    cut = max(min(sim.duration_s, duration_s), sim.step_s)
    return scenario.model_copy(update={"simulation": sim.model_copy(update={"duration_s": cut})})
