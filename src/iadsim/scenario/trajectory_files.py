"""Scenario edge for ``threats[i].trajectory_file``: resolve, read and check recorded tracks.

Runs on the plain scenario data before model validation (``scenario.load``): a relative path is
taken relative to the scenario file, the file is read and checked
(``iadsim.world.recorded.read_trajectory_file``: errors name the file, row and column; a
directory, device or named pipe is reported as what it is, never opened) and
``count`` is set to the number of ids in it when the group does not give one. A group's
``count`` may be smaller than the number of ids: the first ``count`` ids (in file order) fly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iadsim.errors import InputDataError
from iadsim.files import not_regular_reason
from iadsim.scenario.common import show_value
from iadsim.world.recorded import read_trajectory_file


def resolve_trajectory_files(data: Any, source: str) -> tuple[Any, list[str]]:
    """Scenario data with trajectory paths resolved and counts filled, and the problems found."""
    if not isinstance(data, dict) or not isinstance(data.get("threats"), list):
        return data, []
    base = Path(source).parent if not source.startswith("<") else Path.cwd()
    problems: list[str] = []
    groups = []
    for i, group in enumerate(data["threats"]):
        if not isinstance(group, dict) or group.get("trajectory_file") in (None, ""):
            groups.append(group)
            continue
        raw = group["trajectory_file"]
        if not isinstance(raw, str):
            problems.append(f"threats[{i}].trajectory_file must be a path (got {show_value(raw)})")
            groups.append(group)
            continue
        try:
            path = Path(raw).expanduser()
            path = (path if path.is_absolute() else base / path).resolve()
            group = {**group, "trajectory_file": str(path)}
            reason = not_regular_reason(path)  # before opening: a pipe blocks, a device never ends
            if reason is not None:
                where = (f", resolved to {show_value(str(path))}"
                         if reason == "not found" and str(path) != raw else "")
                problems.append(f"threats[{i}].trajectory_file {reason} (got {show_value(raw)}"
                                f"{where})")
                groups.append(group)
                continue
            n_ids = len(read_trajectory_file(path))
        except InputDataError as exc:
            problems.append(f"threats[{i}].trajectory_file: {exc}")
            groups.append(group)
            continue
        except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, ~nobody, name too long
            reason = getattr(exc, "strerror", None) or str(exc)
            problems.append(f"threats[{i}].trajectory_file cannot be read ({reason}) "
                            f"(got {show_value(raw)})")
            groups.append(group)
            continue
        count = group.setdefault("count", n_ids)
        if isinstance(count, int) and count > n_ids:
            problems.append(f"threats[{i}].count must be <= the {n_ids} ids of {path.name} "
                            f"(got {count})")
        groups.append(group)
    return {**data, "threats": groups}, problems
