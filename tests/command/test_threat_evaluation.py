"""Threat evaluation: kinematic classification against the default scenario's truth."""

from __future__ import annotations

import numpy as np

from iadsim.command.threat_evaluation import classify_kinematics, evaluate_threats
from iadsim.scenario.command_spec import ClassificationSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin, scenario_origin, surface_point_to_enu
from iadsim.world.threats import build_threats


def make_tracks(pos, vel):
    pos = np.asarray(pos, float)
    n = pos.shape[0]
    return TrackBatch(
        time_s=np.zeros(n),
        track_id=np.arange(n, dtype=np.int64),
        position_enu_m=pos,
        velocity_enu_mps=np.asarray(vel, float),
        covariance=np.zeros((n, 6, 6)),
        confirmed=np.ones(n, bool),
        quality=np.ones(n),
        truth_id=np.arange(n, dtype=np.int64),
    )


def test_kinematic_classification():
    spec = ClassificationSpec()
    tracks = make_tracks(
        [[0, 0, 8000], [0, 0, 12000], [0, 0, 50], [0, 0, 800], [0, 0, 40000], [0, 0, 9000]],
        [[250, 0, 0], [200, 0, 0], [240, 0, 0], [50, 0, 0], [1500, 0, -800], [900, 0, -700]],
    )
    want = [
        "aircraft",
        "recon_aircraft",
        "cruise_missile",
        "uav",
        "ballistic_missile",
        "ballistic_missile",
    ]
    got = [THREAT_TYPES[k] for k in classify_kinematics(tracks, spec, ORIGIN)]
    assert got == want


ORIGIN = Origin(44.45, 8.75, 0.0)


def test_classification_uses_height_above_the_earth_not_enu_up():
    """A recon aircraft at 12 km, 250 km from the origin, has ENU up of about 7.1 km: a
    tangent-plane altitude would call it an aircraft; a sea-skimmer 133 km out is at up
    -1.4 km and still a cruise missile."""
    e, n = np.array([250_000.0, 0.0]), np.array([0.0, -133_000.0])
    pos = surface_point_to_enu(e, n, np.array([12_000.0, 30.0]), ORIGIN)
    assert pos[0, 2] < 7_500.0 and pos[1, 2] < -1_300.0  # what "up" would have said
    tracks = make_tracks(pos, [[200.0, 0, 0], [0, 240.0, 0]])
    got = [THREAT_TYPES[k] for k in classify_kinematics(tracks, ClassificationSpec(), ORIGIN)]
    assert got == ["recon_aircraft", "cruise_missile"]


def truth_as_tracks(threats, time_s):
    pos, vel = threats.state(time_s)
    ok = threats.in_air(time_s)
    n = int(ok.sum())
    batch = TrackBatch(
        time_s=np.full(n, time_s),
        track_id=np.arange(n, dtype=np.int64),
        position_enu_m=pos[ok],
        velocity_enu_mps=vel[ok],
        covariance=np.zeros((n, 6, 6)),
        confirmed=np.ones(n, bool),
        quality=np.ones(n),
        truth_id=np.flatnonzero(ok),
    )
    return batch, threats.threat_type[ok]


def test_kinematic_classes_match_the_default_raid(default_scenario):
    threats = build_threats(default_scenario, scenario_origin(default_scenario))
    right = total = 0
    for t in np.arange(0.0, 900.0, 20.0):
        tracks, truth_type = truth_as_tracks(threats, float(t))
        got = classify_kinematics(tracks, default_scenario.command.classification,
                                  scenario_origin(default_scenario))
        # (#19) separated boosters and debris are objects, not threat types to classify
        real = np.array(["-booster" not in threats.name[i] and "-debris-" not in
                         threats.name[i] for i in tracks.truth_id], bool)
        right += int(np.sum((got == truth_type) & real))
        total += int(real.sum())
    assert total > 500
    assert right / total > 0.97


def test_threat_ranking_prefers_the_nearer_threat_to_the_dearer_asset():
    tracks = TrackBatch(
        time_s=np.zeros(3),
        track_id=np.arange(3, dtype=np.int64),
        position_enu_m=np.array([[50_000.0, 0, 1000], [20_000.0, 0, 1000], [0, 80_000.0, 1000]]),
        velocity_enu_mps=np.array([[-250.0, 0, 0], [-250.0, 0, 0], [250.0, 0, 0]]),
        covariance=np.zeros((3, 6, 6)),
        confirmed=np.ones(3, bool),
        quality=np.ones(3),
        truth_id=np.arange(3, dtype=np.int64),
    )
    a = evaluate_threats(tracks, np.zeros((1, 3)), np.array([100.0]), np.array([5_000.0]))
    assert a.heading_for_asset.tolist() == [True, True, False]
    # time to the asset's radius: (distance - radius) / speed
    np.testing.assert_allclose(
        a.time_to_asset_s[:2], [(50_000 - 5_000) / 250, (20_000 - 5_000) / 250]
    )
    assert a.rank.tolist() == [1, 0, 2]
