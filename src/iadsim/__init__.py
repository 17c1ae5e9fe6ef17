"""iadsim: open, fast, reproducible simulation of integrated air defence.

Every parameter is notional and every model a textbook one; the package holds no real-world
performance data. The public API::

    import iadsim
    scenario = iadsim.load_scenario("raid.yaml")      # or iadsim.default_scenario()
    result = iadsim.run(scenario, seed=1)             # -> Result with pandas DataFrames
    result.threats, result.events, result.summary
    tracks = iadsim.track_detections(detections_df, angle_unit="deg",  # the tracker alone,
                                     azimuth_from="north_clockwise",   # on any detections
                                     sigmas=(30.0, 0.1, 0.1))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from iadsim.errors import InputDataError, RunInterrupted, ScenarioError

if TYPE_CHECKING:
    from iadsim.outcomes.result import Result
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario, scenario_from_dict
    from iadsim.scenario.model import Scenario
    from iadsim.simulation import run
    from iadsim.tracking.standalone import track_detections

__version__ = "0.1.0"

# The pipeline is imported on first use (PEP 562), so `import iadsim.errors` or `iadsim --help`
# do not pay for numpy/scipy/pandas and every stage.
_LAZY = {
    "DEFAULT_SCENARIO": "iadsim.scenario.load",
    "Result": "iadsim.outcomes.result",
    "Scenario": "iadsim.scenario.model",
    "load_scenario": "iadsim.scenario.load",
    "run": "iadsim.simulation",
    "scenario_from_dict": "iadsim.scenario.load",
    "track_detections": "iadsim.tracking.standalone",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'iadsim' has no attribute {name!r}")


def default_scenario() -> Scenario:
    """The bundled default scenario (a battalion against a mixed raid of 61 threats)."""
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario

    return load_scenario(DEFAULT_SCENARIO)


__all__ = [
    "DEFAULT_SCENARIO",
    "InputDataError",
    "Result",
    "RunInterrupted",
    "Scenario",
    "ScenarioError",
    "default_scenario",
    "load_scenario",
    "run",
    "scenario_from_dict",
    "track_detections",
]
