"""Decoys released with a ballistic missile's re-entry vehicle (``world.raid``, ``world.threats``).

Expectations from the scenario's own numbers and physics: each decoy is an object of its own
RCS and role, released at cut-off next to the vehicle (a spread of a few m/s), and, lighter,
braked harder on re-entry: it reaches the ground later and slower than the vehicle.
"""

from __future__ import annotations

import numpy as np
import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.scenario.threat_spec import ROLES
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats


def test_decoys_fly_with_the_vehicle_and_are_braked_harder_on_reentry() -> None:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text())
    bm = next(g for g in data["threats"] if g["type"] == "ballistic_missile")
    bm.update(count=1)
    bm["ballistic"].update(decoy_count=3, decoy_rcs_m2=0.25,
                           decoy_ballistic_coefficient_kg_m2=300.0)
    data["threats"] = [bm]
    s = scenario_from_dict(data)
    th = build_threats(s, scenario_origin(s))
    roles = [ROLES[r] for r in th.role]
    assert roles == ["threat", "booster", "decoy", "decoy", "decoy"]
    decoys = np.flatnonzero(th.role == ROLES.index("decoy"))
    rv = 0
    assert np.allclose(th.rcs_m2[decoys], 0.25)
    assert np.allclose(th.ballistic_coefficient_kg_m2[decoys], 300.0)
    assert th.ballistic_coefficient_kg_m2[rv] == bm["ballistic"]["ballistic_coefficient_kg_m2"]
    t_sep = th.launch_time_s[decoys[0]]
    assert np.allclose(th.launch_time_s[decoys], t_sep) and t_sep > th.launch_time_s[rv]
    # released where the vehicle is, then left behind it along its path (braked harder) ...
    p = th.positions(t_sep)
    assert np.max(np.linalg.norm(p[decoys] - p[rv], axis=1)) < 1.0
    p, v = th.state(t_sep + 2.0)
    behind = (p[decoys] - p[rv]) @ (v[rv] / np.linalg.norm(v[rv]))
    assert np.all(behind < -10.0)
    # ... at the vehicle's impact they are still in the air, and slower
    t_imp = th.end_time_s[rv]
    assert np.all(th.end_time_s[decoys] > t_imp + 5.0)
    _pos, vel = th.state(t_imp - 1.0)
    v_rv = np.linalg.norm(vel[rv])
    assert np.all(np.linalg.norm(vel[decoys], axis=1) < 0.6 * v_rv)
