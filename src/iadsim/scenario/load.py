"""Scenario files -> validated ``Scenario``, with errors that name file, field, value and rule."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from iadsim.errors import ScenarioError
from iadsim.scenario.command_spec import command_problems
from iadsim.scenario.model import Scenario
from iadsim.scenario.trajectory_files import resolve_trajectory_files

EXAMPLES_DIR = Path(__file__).parent / "examples"
DEFAULT_SCENARIO = EXAMPLES_DIR / "default.yaml"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file.

    Raises
    ------
    ScenarioError
        One line per problem, e.g. ``raid.yaml: threats[2].speed_mps must be > 0 (got -5.0)``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read the scenario file ({exc.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"{path}: not valid YAML{where}: {problem}"]) from None
    return scenario_from_dict(data, source=str(path))


def scenario_from_dict(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as plain data (as read from YAML or JSON)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [f"{source}: the file must hold a mapping of sections (got {type(data).__name__})"]
        )
    data, file_problems = resolve_trajectory_files(data, source)
    if file_problems:
        raise ScenarioError([f"{source}: {line}" for line in file_problems])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([f"{source}: {line}" for line in _pydantic_problems(exc)]) from None
    problems = list(cross_field_problems(scenario))
    if problems:
        raise ScenarioError([f"{source}: {line}" for line in problems])
    return scenario


def field_path(loc: Iterable[int | str]) -> str:
    """``('threats', 2, 'speed_mps')`` -> ``threats[2].speed_mps``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_RULES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "extra_forbidden": "is not a known field (check the spelling)",
    "literal_error": "must be one of {expected}",
    "too_short": "must have at least {min_length} item(s)",
    "string_too_short": "must not be empty",
}


def _pydantic_problems(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        path = field_path(loc) or "(top level)"
        template = _RULES.get(err["type"])
        ctx = err.get("ctx", {}) or {}
        if template is not None:
            try:
                rule = template.format(**ctx)
            except KeyError:
                rule = err["msg"]
        else:
            rule = err["msg"][0].lower() + err["msg"][1:]
            rule = rule.removeprefix("value error, ")
        if err["type"] == "missing":
            lines.append(f"{path} {rule}")
        else:
            lines.append(f"{path} {rule} (got {err['input']!r})")
    return lines


def cross_field_problems(s: Scenario) -> Iterable[str]:
    """Rules that span fields: names that must exist, min below max, unique names."""
    assets = {a.name for a in s.defended_assets}
    yield from _unique("defended_assets", [a.name for a in s.defended_assets])
    yield from _unique("sensors", [x.name for x in s.sensors])
    yield from _unique("launchers", [x.name for x in s.launchers])
    for i, sen in enumerate(s.sensors):
        yield from _ordered(f"sensors[{i}]", "min_elevation_deg", sen.min_elevation_deg,
                            "max_elevation_deg", sen.max_elevation_deg)
        yield from _ordered(f"sensors[{i}]", "min_range_m", sen.min_range_m,
                            "max_range_m", sen.max_range_m)
    for name, cls in s.interceptors.items():
        where = f"interceptors.{name}"
        yield from _ordered(where, "min_range_m", cls.min_range_m, "max_range_m", cls.max_range_m)
        yield from _ordered(where, "min_altitude_m", cls.min_altitude_m,
                            "max_altitude_m", cls.max_altitude_m)
    for i, launcher in enumerate(s.launchers):
        if launcher.interceptor not in s.interceptors:
            yield (f"launchers[{i}].interceptor names an unknown interceptor class "
                   f"(got {launcher.interceptor!r}; expected one of {sorted(s.interceptors)})")
    for i, group in enumerate(s.threats):
        if group.aim is not None and group.aim not in assets:
            yield (f"threats[{i}].aim names an unknown defended asset "
                   f"(got {group.aim!r}; expected one of {sorted(assets)})")
    yield from command_problems(s)
    if s.simulation.step_s > s.simulation.duration_s:
        yield (f"simulation.step_s must be <= simulation.duration_s "
               f"(got {s.simulation.step_s!r} > {s.simulation.duration_s!r})")


def _ordered(where: str, lo_name: str, lo: float, hi_name: str, hi: float) -> Iterable[str]:
    if lo >= hi:
        yield f"{where}.{lo_name} must be < {where}.{hi_name} (got {lo!r} >= {hi!r})"


def _unique(section: str, names: list[str]) -> Iterable[str]:
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            yield f"{section}[{i}].name must be unique (got {name!r}, also {section}[{seen[name]}])"
        seen.setdefault(name, i)
