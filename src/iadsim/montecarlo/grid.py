"""Monte Carlo stage: ``--set`` overrides and sweep grids over any scenario field.

``--set PATH=V1,V2,...`` names a field by the same path validation errors use
(``threats[0].count``, ``command.doctrine``, ``interceptors.long.pk.cruise_missile``) and gives
one or more values, each parsed as a YAML scalar (``10`` is an int, ``2.5`` a float, ``true`` a
bool, anything else a string; a YAML flow list ``[1, 2]`` is one value). Several ``--set``
options make the Cartesian grid of their values: sweep point ``p`` is the ``p``-th combination,
the first option varying slowest. A single-valued ``--set`` is a plain override.

Every value and every grid point is validated (``scenario_from_dict``) before any work starts;
problems name the ``--set`` option, the field path, the value and the rule.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.model import Scenario
from iadsim.scenario.yaml_reader import read_yaml_file, read_yaml_text

if TYPE_CHECKING:
    from iadsim.engagement.flyout import EnvelopeTable
    from iadsim.terrain.site_view import TerrainModel

_KEY = r"[A-Za-z_][A-Za-z0-9_\-]*"
_PATH_RE = re.compile(rf"^{_KEY}(\[\d+\])*(\.{_KEY}(\[\d+\])*)*$")
_TOKEN_RE = re.compile(rf"({_KEY})|\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class Override:
    """One ``--set`` option: a field path and the values it takes, in the order given."""

    path: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """One validated point of a sweep grid.

    ``values`` maps each ``--set`` path to this point's value; ``scenario`` is validated.
    """

    index: int
    values: dict[str, Any]
    scenario: Scenario
    envelopes: EnvelopeTable | None = None  # the scenario's fly-out table, built once (sweep)
    terrain: TerrainModel | None = None  # the scenario's terrain, built once (sweep)

    @property
    def seed(self) -> int:
        """The scenario seed of this point (``simulation.seed``)."""
        return int(self.scenario.simulation.seed)


def parse_path(path: str) -> list[str | int]:
    """``'threats[0].count'`` -> ``['threats', 0, 'count']``.

    Raises
    ------
    ScenarioError
        If the path is not ``name``, ``name[i]`` and ``.name`` parts.
    """
    if not _PATH_RE.match(path):
        raise ScenarioError(
            [f"--set {path}: not a field path (expected e.g. threats[0].count or command.doctrine)"]
        )
    return [int(m.group(2)) if m.group(2) is not None else m.group(1)
            for m in _TOKEN_RE.finditer(path)]


def _split_values(text: str) -> list[str]:
    """Split on commas that are outside brackets, braces and quotes."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_override(option: str) -> Override:
    """Parse one ``--set PATH=V1,V2,...`` option.

    Raises
    ------
    ScenarioError
        On a missing ``=``, a malformed path, an empty value or a value that is not YAML.
    """
    path, sep, raw = option.partition("=")
    path = path.strip()
    if not sep:
        raise ScenarioError([f"--set {option}: expected PATH=VALUE[,VALUE...] (no '=' found)"])
    parse_path(path)
    values = []
    for text in _split_values(raw):
        if text == "":
            raise ScenarioError([f"--set {option}: {path} has an empty value"])
        try:
            values.append(read_yaml_text(text, "--set"))
        except ScenarioError:
            raise ScenarioError(
                [f"--set {option}: {path} value {text!r} is not a YAML scalar"]
            ) from None
    if len(set(map(_canonical, values))) != len(values):
        raise ScenarioError([f"--set {option}: {path} lists a value twice (got {raw!r})"])
    return Override(path=path, values=tuple(values))


def parse_overrides(options: Sequence[str]) -> list[Override]:
    """Parse every ``--set`` option; a path given twice is an error."""
    overrides = [parse_override(o) for o in options]
    seen = [o.path for o in overrides]
    dup = sorted({p for p in seen if seen.count(p) > 1})
    if dup:
        raise ScenarioError([f"--set {p}: the same field is set by two --set options" for p in dup])
    return overrides


def apply_override(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a deep copy of raw scenario ``data`` with the field at ``path`` set to ``value``.

    Missing mapping keys on the way are created (a file may omit a section that has defaults);
    a list index must exist. Unknown field names are left for validation to refuse.
    """
    out = copy.deepcopy(data)
    tokens = parse_path(path)
    node: Any = out
    walked = ""
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(token, int):
            if not isinstance(node, list):
                raise ScenarioError([f"--set {path}: {walked} is not a list"])
            if token >= len(node):
                raise ScenarioError(
                    [f"--set {path}: {walked}[{token}] does not exist "
                     f"({walked} has {len(node)} item(s))"]
                )
            walked += f"[{token}]"
            if last:
                node[token] = copy.deepcopy(value)
            else:
                node = node[token]
        else:
            if not isinstance(node, dict):
                raise ScenarioError(
                    [f"--set {path}: {walked} is not a mapping (got {node!r})"]
                )
            walked = f"{walked}.{token}" if walked else token
            if last:
                node[token] = copy.deepcopy(value)
            else:
                if node.get(token) is None and not isinstance(tokens[i + 1], int):
                    node[token] = {}
                elif token not in node:
                    raise ScenarioError([f"--set {path}: {walked} does not exist"])
                node = node[token]
    return out


def read_scenario_data(path: str | Path) -> dict[str, Any]:
    """The raw mapping of a YAML scenario file (validated later, point by point)."""
    path = Path(path)
    data = read_yaml_file(path)  # the scenario reader's limits and messages
    if not isinstance(data, dict):
        scenario_from_dict(data, source=str(path))  # raises the standard message
    return data


def build_grid(data: dict[str, Any], overrides: Sequence[Override],
               source: str = "<scenario>") -> list[SweepPoint]:
    """Validate every value and every grid point; return the points in sweep order.

    Raises
    ------
    ScenarioError
        Listing every bad value (``--set threats[0].count=0: threats[0].count must be >= 1``)
        and every invalid combination, before any replication runs.
    """
    problems: list[str] = []
    for ov in overrides:
        for value in ov.values:
            label = f"{source} with --set {ov.path}={_show(value)}"
            try:
                scenario_from_dict(apply_override(data, ov.path, value), source=label)
            except ScenarioError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_unique_lines(problems))
    points: list[SweepPoint] = []
    columns = column_values(overrides)
    combos = itertools.product(*(range(len(ov.values)) for ov in overrides))
    for index, combo in enumerate(combos):
        point_data = data
        for ov, j in zip(overrides, combo, strict=True):
            point_data = apply_override(point_data, ov.path, ov.values[j])
        values = {ov.path: columns[ov.path][j] for ov, j in zip(overrides, combo, strict=True)}
        label = f"{source} at sweep point {index} ({_describe(values)})" if values else source
        try:
            scenario = scenario_from_dict(point_data, source=label)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        points.append(SweepPoint(index=index, values=values, scenario=scenario))
    if problems:
        raise ScenarioError(_unique_lines(problems))
    return points


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario, to check a resumed sweep runs the same points."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def column_values(overrides: Sequence[Override]) -> dict[str, list[Any]]:
    """Each path's values with one type per column (int, float, bool or str) for tables."""
    out: dict[str, list[Any]] = {}
    for ov in overrides:
        vals = list(ov.values)
        if all(isinstance(v, bool) for v in vals):
            out[ov.path] = vals
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            out[ov.path] = [int(v) for v in vals]
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            out[ov.path] = [float(v) for v in vals]
        else:
            out[ov.path] = [v if isinstance(v, str) else _show(v) for v in vals]
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _describe(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in values.items())


def _unique_lines(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))
