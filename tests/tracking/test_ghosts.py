"""Ghost-track rate and the speed-by-altitude plausibility gate (issue 12 item 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iadsim.tracking.ghosts import GHOST_CHI2, ghost_summary
from iadsim.tracking.plausibility import ALTITUDE_EDGES_M, SpeedEnvelope, altitude_m


def _frame(rows: list[tuple[float, int, float, float, float]], key: str) -> pd.DataFrame:
    t, i, e, n, u = zip(*rows, strict=True)
    return pd.DataFrame({"time_s": t, key: i, "east_m": e, "north_m": n, "up_m": u})


def test_ghost_is_a_track_with_no_threat_inside_its_three_sigma_ellipsoid() -> None:
    truth = _frame([(1.0, 0, 0.0, 0.0, 1000.0), (2.0, 0, 100.0, 0.0, 1000.0)], "threat_id")
    # 3-sigma in 3-D: sqrt(14.16) = 3.76 sigmas. Track 1 is 3.5 sigmas off (explained),
    # track 2 is 4 sigmas off (a ghost) at both samples, track 3 is a ghost at one of two.
    sigma = 100.0
    tracks = _frame([(1.0, 1, 350.0, 0.0, 1000.0), (2.0, 1, 450.0, 0.0, 1000.0),
                     (1.0, 2, 0.0, 400.0, 1000.0), (2.0, 2, 100.0, -400.0, 1000.0),
                     (1.0, 3, 0.0, 0.0, 1000.0), (2.0, 3, 100.0, 0.0, 1500.0)], "track_id")
    tracks["position_sigma_m"], tracks["confirmed"] = sigma, True
    assert np.sqrt(GHOST_CHI2) == pytest.approx(3.76, abs=0.01)
    out = ghost_summary(truth, tracks)
    assert out["confirmed_tracks"] == 3 and out["ghost_tracks"] == 1
    assert out["ghost_sample_rate"] == pytest.approx(3 / 6)
    tracks["confirmed"] = False
    assert ghost_summary(truth, tracks)["confirmed_tracks"] == 0


def test_speed_envelope_by_altitude_band() -> None:
    limits = np.array([400.0, 500.0, 600.0, 700.0, 800.0, 900.0, 3000.0])
    env = SpeedEnvelope(limits, min_alt_m=-2000.0)
    assert limits.size == ALTITUDE_EDGES_M.size + 1
    pos = np.array([[0.0, 0.0, 500.0], [0.0, 0.0, 500.0], [0.0, 0.0, 15e3], [0.0, 0.0, -3e3],
                    [300e3, 0.0, -5e3]])  # the last is 2.06 km up: the earth drops 7.06 km
    vel = np.array([[390.0, 0, 0], [0, 0, 410.0], [0, 699.0, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(env.implausible(pos, vel), [False, True, False, True, False])
    assert altitude_m(pos[4:])[0] == pytest.approx(-5e3 + 300e3**2 / (2 * 6_371_008.8), rel=1e-3)


def test_class_limits_by_band_from_the_class_table_not_the_raid() -> None:
    """Hand values: USSA76 density 1.1117 kg/m3 at 1 km and 0.08891 at 20 km (tables);
    ballistic energy v^2 = 2500^2 - 2 g h at the band's floor."""
    from iadsim.scenario.command_spec import FireControlSpec
    from iadsim.tracking.plausibility import SPEED_MARGIN, class_envelope, class_speed_limits_mps

    default = class_speed_limits_mps(FireControlSpec())
    assert default[0] == pytest.approx(2500.0)
    assert default[3] == pytest.approx(np.sqrt(2500.0**2 - 2 * 9.80665 * 10e3), rel=1e-6)
    # Only the aircraft left fast: below 1 km its 130 kPa caps it at sqrt(2 q / rho(1 km)).
    from iadsim.scenario.model import THREAT_TYPES

    slow = {k: 100.0 for k in THREAT_TYPES if k != "aircraft"}  # every other type, ARMs too
    aircraft = class_speed_limits_mps(FireControlSpec(max_speed_mps=slow))
    assert aircraft[0] == pytest.approx(np.sqrt(2 * 130e3 / 1.1117), rel=2e-3)  # 483.6 m/s
    assert aircraft[3] == pytest.approx(800.0)  # 10-20 km: sqrt(2 q / 0.08891) = 1710 > top
    env = class_envelope(FireControlSpec(max_speed_mps=slow))
    assert env.max_speed_mps[0] == pytest.approx(SPEED_MARGIN * aircraft[1])  # next band up
    assert env.min_alt_m == -2000.0


def test_no_confirmed_track_faster_than_its_band_allows_on_the_default_raid() -> None:
    """Default raid, 500 s (ballistic missiles included), two seeds: every confirmed track
    sample within the envelope (with the step's prediction slack of 5%)."""
    from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario
    from iadsim.simulation import run
    from iadsim.tracking.plausibility import class_envelope

    sc = load_scenario(DEFAULT_SCENARIO)
    sc = sc.model_copy(update={"simulation": sc.simulation.model_copy(
        update={"duration_s": 500.0})})
    env = class_envelope(sc.command.fire_control)
    for seed in (1, 2):
        tracks = run(sc, seed=seed).tracks
        c = tracks[tracks["confirmed"].to_numpy(bool)]
        pos = c[["east_m", "north_m", "up_m"]].to_numpy()
        vel = c[["vel_east_mps", "vel_north_mps", "vel_up_mps"]].to_numpy()
        band = np.searchsorted(ALTITUDE_EDGES_M, altitude_m(pos), side="right")
        speed = np.linalg.norm(vel, axis=1)
        assert np.all(speed <= 1.05 * env.max_speed_mps[band])
        assert altitude_m(pos).min() > env.min_alt_m - 1000.0
