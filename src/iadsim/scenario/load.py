"""Scenario files -> validated ``Scenario``, with errors that name file, field, value and rule."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from iadsim.errors import ScenarioError
from iadsim.scenario.command_spec import InterceptorClassSpec, command_problems
from iadsim.scenario.common import show_value as _show
from iadsim.scenario.ew_spec import ew_problems
from iadsim.scenario.model import Scenario
from iadsim.scenario.network_spec import network_problems
from iadsim.scenario.sensor_spec import SensorSpec, sensor_problems
from iadsim.scenario.terrain_spec import resolve_dem_file, terrain_problems
from iadsim.scenario.threat_spec import threat_problems
from iadsim.scenario.trajectory_files import resolve_trajectory_files
from iadsim.scenario.yaml_reader import (
    key_segment,
    read_yaml_bytes,
    read_yaml_file,
    read_yaml_text,
)

EXAMPLES_DIR = Path(__file__).parent / "examples"
DEFAULT_SCENARIO = EXAMPLES_DIR / "default.yaml"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a YAML scenario file (any file at all: see ``yaml_reader``).

    Raises
    ------
    ScenarioError
        One line per problem, e.g. ``raid.yaml: threats[2].speed_mps must be > 0 (got -5.0)``.
    """
    path = Path(path)
    data = read_yaml_file(path)
    return scenario_from_dict(data, source=str(path))


def scenario_from_yaml(text: bytes | str, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as YAML bytes or text (the checks of :func:`load_scenario`)."""
    data = (read_yaml_bytes(text, source) if isinstance(text, bytes)
            else read_yaml_text(text, source))
    return scenario_from_dict(data, source=source)


def scenario_from_dict(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as plain data (as read from YAML or JSON)."""
    if not isinstance(data, dict):
        got = ("an empty file" if data is None else _show(data)
               if isinstance(data, list | tuple) else f"{type(data).__name__} {_show(data)}")
        raise ScenarioError([f"{source}: (top level) must be a mapping of sections (got {got})"])
    data, file_problems = resolve_trajectory_files(resolve_dem_file(data, source), source)
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
        elif part == "[key]":
            out += " (a key)"
        else:
            segment = key_segment(part)
            out += segment if out or segment.startswith("[") else part
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
    "too_long": "must have at most {max_length} item(s)",
    "string_too_short": "must not be empty",
    "finite_number": "must be a finite number",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping of fields",
    "list_type": "must be a list",
    "invalid_key": "keys must be strings",
}
def _pydantic_problems(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        if err["type"] == "invalid_key" and loc:
            loc = loc[:-1]  # the last part is the key itself, shown as the value
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
            lines.append(f"{path} {rule} (got {_show(err['input'])})")
    return lines


def cross_field_problems(s: Scenario) -> Iterable[str]:
    """Rules that span fields: names that must exist, min below max, unique names."""
    yield from data_cross_field_problems(s.model_dump())
    yield from command_problems(s)
    yield from sensor_problems(s)
    yield from terrain_problems(s)
    yield from threat_problems(s)  # threats (issue 19): boost reach, stand-off, time on target
    yield from ew_problems(s)
    yield from network_problems(s)
    if s.simulation.step_s > s.simulation.duration_s:
        yield (f"simulation.step_s must be <= simulation.duration_s "
               f"(got {s.simulation.step_s!r} > {s.simulation.duration_s!r})")


def data_cross_field_problems(d: Any) -> Iterable[str]:
    """The name, min/max and radar rules on plain scenario data, valid or not.

    Run on the raw file too when single-field rules fail, so that a user sees every problem at
    once; values that are missing, not numbers or names that are not strings are left to the
    single-field rules.
    """
    if not isinstance(d, dict):
        return
    assets_raw, sensors, launchers = _list(d, "defended_assets"), _list(d, "sensors"), _list(
        d, "launchers")
    interceptors: dict[str, Any] = (
        d["interceptors"] if isinstance(d.get("interceptors"), dict) else {})
    assets = {a["name"] for a in assets_raw if isinstance(a.get("name"), str)}
    yield from _unique("defended_assets", [a.get("name") for a in assets_raw])
    yield from _unique("sensors", [x.get("name") for x in sensors])
    yield from _unique("launchers", [x.get("name") for x in launchers])
    yield from _threat_names_unique(_list(d, "threats"))
    sensor_fields = SensorSpec.model_fields
    for i, sen in enumerate(sensors):
        for lo, hi in (("min_elevation_deg", "max_elevation_deg"), ("min_range_m", "max_range_m")):
            yield from _ordered(f"sensors[{i}]", lo, _num(sen, lo, sensor_fields[lo].default),
                                hi, _num(sen, hi, sensor_fields[hi].default))
        yield from _radar_problems(f"sensors[{i}]", sen)
    class_fields = InterceptorClassSpec.model_fields
    for name, cls in interceptors.items():
        if isinstance(cls, dict):
            for lo, hi in (("min_range_m", "max_range_m"), ("min_altitude_m", "max_altitude_m")):
                yield from _ordered(f"interceptors.{name}", lo,
                                    _num(cls, lo, class_fields[lo].default), hi,
                                    _num(cls, hi, class_fields[hi].default))
    known = sorted(k for k in interceptors if isinstance(k, str))
    for i, launcher in enumerate(launchers):
        wanted = launcher.get("interceptor")
        if isinstance(wanted, str) and known and len(known) == len(interceptors) and (
                wanted not in known):
            yield (f"launchers[{i}].interceptor names an unknown interceptor class "
                   f"(got {_show(wanted)}; expected one of {known})")
    names_known = all(isinstance(a.get("name"), str) for a in assets_raw)
    for i, group in enumerate(_list(d, "threats")):
        aim = group.get("aim")
        if isinstance(aim, str) and names_known and aim not in assets:
            yield (f"threats[{i}].aim names an unknown defended asset "
                   f"(got {_show(aim)}; expected one of {sorted(assets)})")


MAX_RANGE_SIGMA_FRACTION = 0.01
"""A radar's ``range_sigma_m`` floor may be at most this fraction of its ``max_range_m``."""


def _radar_problems(where: str, sen: dict[str, Any]) -> Iterable[str]:
    """A reference-point radar's Pd above its Pfa; a range noise floor sane for its range."""
    fields = SensorSpec.model_fields
    pfa = _num(sen, "pfa", fields["pfa"].default)
    pd = _num(sen, "reference_pd", fields["reference_pd"].default)
    reference_form = sen.get("peak_power_w") is None
    if reference_form and pfa is not None and pd is not None and 0 < pfa < 1 and pd <= pfa:
        yield (f"{where}.reference_pd must be > {where}.pfa: the reference point needs a Pd "
               f"above the false-alarm probability (got reference_pd={pd!r} <= pfa={pfa!r})")
    sigma, top = _num(sen, "range_sigma_m", None), _num(sen, "max_range_m", None)
    if sigma is not None and top is not None and top > 0 and sigma > (
            MAX_RANGE_SIGMA_FRACTION * top):
        yield (f"{where}.range_sigma_m must be <= {MAX_RANGE_SIGMA_FRACTION:.0%} of "
               f"{where}.max_range_m (got {sigma!r} > {MAX_RANGE_SIGMA_FRACTION * top!r})")


def _list(d: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = d.get(key)
    return [x if isinstance(x, dict) else {} for x in value] if isinstance(value, list) else []


def _num(d: dict[str, Any], key: str, default: Any) -> float | None:
    value = d.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) else None


def _ordered(where: str, lo_name: str, lo: float | None, hi_name: str,
             hi: float | None) -> Iterable[str]:
    if lo is not None and hi is not None and lo >= hi:
        yield f"{where}.{lo_name} must be < {where}.{hi_name} (got {lo!r} >= {hi!r})"


def _threat_names_unique(groups: list[dict[str, Any]]) -> Iterable[str]:
    """Group names label every threat of a run: unique, and none the default label
    (``{type}-{index}``, ``iadsim.world.threats``) of an unnamed group."""
    named = [g.get("name", "") for g in groups]
    yield from _unique("threats", [n if n != "" else None for n in named])
    defaults = {f"{g['type']}-{i}": i for i, g in enumerate(groups)
                if named[i] == "" and isinstance(g.get("type"), str)}
    for i, name in enumerate(named):
        if isinstance(name, str) and name in defaults:
            yield (f"threats[{i}].name must be unique (got {_show(name)}, the default label of "
                   f"the unnamed threats[{defaults[name]}]: its type and index)")


def _unique(section: str, names: list[Any]) -> Iterable[str]:
    """Repeated names; names that are not strings are left to the single-field rules."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in seen:
            yield (f"{section}[{i}].name must be unique (got {_show(name)}, also "
                   f"{section}[{seen[name]}])")
        seen.setdefault(name, i)
