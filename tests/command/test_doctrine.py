"""The command cycle: doctrine validation, classification, layering, channels, envelopes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from command_fakes import centre, make_tracks

from iadsim.command.threat_evaluation import classify_tracks
from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.engagement.launchers import Launchers
from iadsim.errors import ScenarioError
from iadsim.scenario.command_spec import ClassificationSpec
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.model import THREAT_TYPES
from iadsim.simulation import run
from iadsim.world.frames import Origin, approx_altitude_m, scenario_origin

# ------------------------------------------------------------------ validation


def test_pk_outside_unit_interval_names_the_field(scenario_data):
    scenario_data["interceptors"]["short"]["pk"]["aircraft"] = 1.2
    with pytest.raises(ScenarioError, match=r"interceptors\.short\.pk\.aircraft must be <= 1"):
        scenario_from_dict(scenario_data, "s.yaml")


def test_doctrine_naming_unknown_class_names_the_field(scenario_data):
    scenario_data["command"]["salvo"] = {"medium": {"aircraft": 2}}
    with pytest.raises(ScenarioError, match=r"command\.salvo\.medium names an unknown interceptor"):
        scenario_from_dict(scenario_data, "s.yaml")
    scenario_data["command"]["salvo"] = {}
    scenario_data["command"]["ballistic_reserve"] = {"huge": 2}
    with pytest.raises(ScenarioError, match=r"command\.ballistic_reserve\.huge names an unknown"):
        scenario_from_dict(scenario_data, "s.yaml")


def test_zero_salvo_names_the_field(scenario_data):
    scenario_data["command"]["salvo"] = {"short": {"uav": 0}}
    with pytest.raises(ScenarioError, match=r"command\.salvo\.short\.uav must be >= 1 \(got 0\)"):
        scenario_from_dict(scenario_data, "s.yaml")


def test_confusion_rows_must_sum_to_one(scenario_data):
    scenario_data["command"]["classification"] = {
        "confusion": {"uav": {"uav": 0.5, "aircraft": 0.2}}
    }
    with pytest.raises(ScenarioError, match=r"confusion\.uav must sum to 1"):
        scenario_from_dict(scenario_data, "s.yaml")


# ------------------------------------------------------------------ classification


def test_confusion_matrix_frequencies():
    spec = ClassificationSpec(
        confusion={"uav": {"uav": 0.7, "aircraft": 0.2, "cruise_missile": 0.1}}
    )
    n = 10_000
    tracks = make_tracks(np.tile([0, 0, 800.0], (n, 1)), np.tile([50.0, 0, 0], (n, 1)))
    reported = classify_tracks(tracks, spec, np.random.default_rng(3).random(n),
                               Origin(44.45, 8.75, 0.0))
    freq = np.bincount(reported, minlength=len(THREAT_TYPES)) / n
    assert freq[THREAT_TYPES.index("uav")] == pytest.approx(0.7, abs=0.02)
    assert freq[THREAT_TYPES.index("aircraft")] == pytest.approx(0.2, abs=0.02)
    assert freq[THREAT_TYPES.index("cruise_missile")] == pytest.approx(0.1, abs=0.02)


# ------------------------------------------------------------------ the command cycle


def test_layered_defence_fires_the_longest_reaching_class_first(default_scenario):
    cc, launchers, classes = centre(default_scenario, reaction_time_s=0.0, ballistic_reserve={})
    lau0 = launchers.position_enu_m.mean(axis=0)
    # an aircraft 60 km out at 8 km, heading for the asset at the launchers' centroid
    tracks = make_tracks([[lau0[0] + 60_000, lau0[1], 8_000]], [[-250, 0, 0]])
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    cc.note_confirmed(tracks.track_id, 0.0)
    orders = cc.cycle(0.0, tracks, launchers, InterceptorFlights())
    assert len(orders) == 1
    cls = classes.name[int(launchers.class_index[orders[0].launcher])]
    assert cls == "very_long"
    cc2, launchers2, _ = centre(default_scenario, reaction_time_s=0.0, layered=False)
    cc2.asset_position_enu_m = cc.asset_position_enu_m
    cc2.note_confirmed(tracks.track_id, 0.0)
    assert len(cc2.cycle(0.0, tracks, launchers2, InterceptorFlights())) >= 1


def test_hold_fire_and_weapons_tight(default_scenario):
    lau0 = Launchers(default_scenario, scenario_origin(default_scenario)).position_enu_m.mean(0)
    heading = make_tracks([[lau0[0] + 30_000, lau0[1], 5_000]], [[-250, 0, 0]])
    away = make_tracks([[lau0[0] + 30_000, lau0[1], 5_000]], [[250, 0, 0]])
    for changes, tracks, want in [
        ({"hold_fire_below_value": 1e9}, heading, 0),
        ({"weapons_control": "tight"}, away, 0),
        ({"weapons_control": "free"}, away, 1),
        ({}, heading, 1),
    ]:
        cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, layered=False,
                                  **{"hold_fire_below_value": 0.0, **changes})
        cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
        cc.note_confirmed(tracks.track_id, 0.0)
        assert len(cc.cycle(0.0, tracks, launchers, InterceptorFlights())) == want, changes


def test_salvo_ripples_from_one_launcher(default_scenario):
    cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, doctrine="shoot_shoot_look")
    lau0 = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    tracks = make_tracks([[lau0[0] + 20_000, lau0[1], 3_000]], [[-200, 0, 0]])
    cc.note_confirmed(tracks.track_id, 0.0)
    flights = InterceptorFlights()
    fired = []
    for t in np.arange(0.0, 12.0, 1.0):
        moved = make_tracks(
            tracks.position_enu_m + tracks.velocity_enu_mps * t, tracks.velocity_enu_mps, t
        )
        orders = cc.cycle(float(t), moved, launchers, flights)
        for o in orders:
            launchers.fire(o.launcher, float(t))
        flights.launch(orders, launchers.position_enu_m, launchers.class_index, float(t))
        fired += [(float(t), o.launcher, o.track_id, o.salvo_round, o.salvo_size) for o in orders]
    assert len(fired) == 2
    assert [f[3:] for f in fired] == [(1, 2), (2, 2)]
    assert fired[0][1] == fired[1][1] and fired[0][2] == fired[1][2] == 0
    assert fired[1][0] - fired[0][0] >= launchers.min_interval_s[fired[0][1]]


# ------------------------------------------------------------------ whole runs


def _overlaps(eng: pd.DataFrame) -> int:
    """Largest number of distinct tracks with an interceptor in flight at one time.

    A flight is over in the step its end game runs, whose closest approach may fall a few
    milliseconds after the step's end (hence the 0.5 s, under one step)."""
    times = np.unique(eng["launch_time_s"].to_numpy())
    most = 0
    for t in times:
        live = eng[(eng["launch_time_s"] <= t) & (eng["intercept_time_s"] > t + 0.5)]
        most = max(most, live["track_id"].nunique())
    return most


def test_no_launch_outside_the_envelope(default_result, default_scenario):
    eng = default_result.engagements
    assert len(eng) > 0
    origin = Origin(**default_result.scenario["origin"])
    spec = default_scenario.interceptors
    for cls, rows in eng.groupby("interceptor_class"):
        c = spec[str(cls)]
        assert (rows["planned_range_m"] <= c.max_range_m + 1.0).all()
        assert (rows["planned_range_m"] >= c.min_range_m - 1.0).all()
        # altitude above the curved earth, as the command stage computes it (not ENU "up")
        alt = approx_altitude_m(
            rows[["planned_east_m", "planned_north_m", "planned_up_m"]].to_numpy(), origin)
        assert (alt <= c.max_altitude_m + 1.0).all()
        assert (alt >= c.min_altitude_m - 1.0).all()


def _in_flight(eng: pd.DataFrame, step_s: float = 1.0) -> int:
    """Largest number of interceptors in flight (guided) at one time. The end game resolves an
    interceptor (freeing its channel) in the step of its closest approach, which can fall up to
    a step before the intercept time recorded (as in tests/sensors/test_multifunction.py)."""
    launch = eng["launch_time_s"].to_numpy()
    end = eng["intercept_time_s"].to_numpy()
    return int(max(np.sum((launch <= t) & (end > t + step_s)) for t in np.unique(launch)))


@pytest.mark.parametrize("assignment", ["auto", "greedy"])
def test_channel_limits_hold(scenario_data, assignment):
    scenario_data["simulation"]["duration_s"] = 300
    scenario_data["command"]["assignment"] = assignment
    scenario_data["command"]["fire_control_channels"] = 1
    result = run(scenario_from_dict(scenario_data, "s.yaml"), keep_trajectories=False)
    eng = result.engagements
    assert len(eng) > 0
    assert _overlaps(eng) <= 1
    # guidance channels of the radars: interceptors in flight at once
    scenario_data["command"]["fire_control_channels"] = None
    for sensor in scenario_data["sensors"]:
        sensor["guidance_channels"] = 1
    result = run(scenario_from_dict(scenario_data, "s.yaml"), keep_trajectories=False)
    eng = result.engagements
    assert len(eng) > 0
    assert _in_flight(eng) <= 2 * 1  # one per radar


def test_ballistic_reserve_keeps_rounds_for_ballistic_missiles(default_scenario):
    lau = Launchers(default_scenario, scenario_origin(default_scenario))
    vl = int(np.flatnonzero(np.array(lau.name) == "very-long-1")[0])
    site = lau.position_enu_m[vl]
    # a fast, high aircraft 120 km out: layered defence sends the very-long-range class,
    # unless its rounds are held for ballistic missiles: then the next layer engages
    aircraft = make_tracks([[site[0] + 120_000, site[1], 20_000]], [[-600, 0, 0]])
    held = int(lau.ready_rounds[vl])
    for reserve, want in [(0, "very_long"), (held, "long")]:
        cc, launchers, classes = centre(
            default_scenario, reaction_time_s=0.0, ballistic_reserve={"very_long": reserve}
        )
        cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
        cc.note_confirmed(aircraft.track_id, 0.0)
        orders = cc.cycle(0.0, aircraft, launchers, InterceptorFlights())
        assert [classes.name[int(launchers.class_index[o.launcher])] for o in orders] == [want]
    # a ballistic missile may still draw on the reserve
    cc, launchers, classes = centre(
        default_scenario, reaction_time_s=0.0, ballistic_reserve={"very_long": held}
    )
    cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
    missile = make_tracks([[site[0] + 150_000, site[1], 40_000]], [[-1_500, 0, -300]])
    cc.note_confirmed(missile.track_id, 0.0)
    orders = cc.cycle(0.0, missile, launchers, InterceptorFlights())
    assert len(orders) == 1
    assert classes.name[int(launchers.class_index[orders[0].launcher])] == "very_long"
