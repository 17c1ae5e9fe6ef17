"""Scenario files -> validated ``Scenario``, with errors that name file, field, value and rule."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from iadsim.errors import ScenarioError
from iadsim.scenario.command_spec import InterceptorClassSpec, command_problems
from iadsim.scenario.model import Scenario
from iadsim.scenario.sensor_spec import SensorSpec, sensor_problems
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
        bad = [field_path(e["loc"]) for e in exc.errors(include_url=False)]
        lines = _pydantic_problems(exc) + [  # cross-field rules not already implied by those
            line for line in data_cross_field_problems(data)
            if not any(f"{path} " in line or f"{path}:" in line for path in bad)
        ]
        raise ScenarioError([f"{source}: {line}" for line in lines]) from None
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
    yield from data_cross_field_problems(s.model_dump())
    yield from command_problems(s)
    yield from sensor_problems(s)
    if s.simulation.step_s > s.simulation.duration_s:
        yield (f"simulation.step_s must be <= simulation.duration_s "
               f"(got {s.simulation.step_s!r} > {s.simulation.duration_s!r})")


def data_cross_field_problems(d: Any) -> Iterable[str]:
    """The name and min/max rules on plain scenario data, valid or not.

    Run on the raw file too when single-field rules fail, so that a user sees every problem at
    once; values that are missing or not numbers are left to the single-field rules.
    """
    if not isinstance(d, dict):
        return
    assets_raw, sensors, launchers = _list(d, "defended_assets"), _list(d, "sensors"), _list(
        d, "launchers")
    interceptors: dict[str, Any] = (
        d["interceptors"] if isinstance(d.get("interceptors"), dict) else {})
    assets = {a.get("name") for a in assets_raw}
    yield from _unique("defended_assets", [a.get("name") for a in assets_raw])
    yield from _unique("sensors", [x.get("name") for x in sensors])
    yield from _unique("launchers", [x.get("name") for x in launchers])
    sensor_fields = SensorSpec.model_fields
    for i, sen in enumerate(sensors):
        for lo, hi in (("min_elevation_deg", "max_elevation_deg"), ("min_range_m", "max_range_m")):
            yield from _ordered(f"sensors[{i}]", lo, _num(sen, lo, sensor_fields[lo].default),
                                hi, _num(sen, hi, sensor_fields[hi].default))
    class_fields = InterceptorClassSpec.model_fields
    for name, cls in interceptors.items():
        if isinstance(cls, dict):
            for lo, hi in (("min_range_m", "max_range_m"), ("min_altitude_m", "max_altitude_m")):
                yield from _ordered(f"interceptors.{name}", lo,
                                    _num(cls, lo, class_fields[lo].default), hi,
                                    _num(cls, hi, class_fields[hi].default))
    for i, launcher in enumerate(launchers):
        wanted = launcher.get("interceptor")
        if isinstance(wanted, str) and interceptors and wanted not in interceptors:
            yield (f"launchers[{i}].interceptor names an unknown interceptor class "
                   f"(got {wanted!r}; expected one of {sorted(interceptors)})")
    for i, group in enumerate(_list(d, "threats")):
        aim = group.get("aim")
        if isinstance(aim, str) and aim not in assets:
            yield (f"threats[{i}].aim names an unknown defended asset "
                   f"(got {aim!r}; expected one of {sorted(a for a in assets if a)})")


def _list(d: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = d.get(key)
    return [x if isinstance(x, dict) else {} for x in value] if isinstance(value, list) else []


def _num(d: dict[str, Any], key: str, default: Any) -> float | None:
    value = d.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else None


def _ordered(where: str, lo_name: str, lo: float | None, hi_name: str,
             hi: float | None) -> Iterable[str]:
    if lo is not None and hi is not None and lo >= hi:
        yield f"{where}.{lo_name} must be < {where}.{hi_name} (got {lo!r} >= {hi!r})"


def _unique(section: str, names: list[Any]) -> Iterable[str]:
    seen: dict[Any, int] = {}
    for i, name in enumerate(names):
        if name is not None and name in seen:
            yield f"{section}[{i}].name must be unique (got {name!r}, also {section}[{seen[name]}])"
        seen.setdefault(name, i)
