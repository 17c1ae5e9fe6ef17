"""DRFM false targets: on the radar's line of sight to the carrier at the set range offsets,
with the carrier's bearing, a Doppler consistent with the range walk and the set power ratio."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.ew.deception import with_false_targets
from iadsim.world.threats import TruthBatch


def _truth() -> TruthBatch:
    return TruthBatch(
        time_s=50.0, threat_id=np.array([3, 7], np.int64),
        position_enu_m=np.array([[30_000.0, 40_000.0, 5_000.0], [-1e4, 2e4, 100.0]]),
        velocity_enu_mps=np.array([[-200.0, 0.0, 0.0], [0.0, -250.0, 0.0]]),
        rcs_m2=np.array([3.0, 0.1]), threat_type=np.array([0, 2], np.int8))


def test_false_targets_lie_on_the_line_of_sight_at_the_offsets() -> None:
    radar = np.zeros(3)
    t = with_false_targets(_truth(), radar, np.array([0]), np.array([[-4000.0, 5000.0]]),
                           np.array([10.0]), np.array([4.0]), np.array([20.0]))
    assert t.threat_id.tolist() == [3, 7, -1, -1]
    assert t.position_enu_m.shape == t.velocity_enu_mps.shape == (4, 3)
    assert t.rcs_m2.shape == t.threat_type.shape == (4,)
    carrier = _truth().position_enu_m[0]
    r0 = np.linalg.norm(carrier)
    ft = t.position_enu_m[2:]
    # range: offset + pull x (50 - 20) s; bearing and elevation those of the carrier
    np.testing.assert_allclose(np.linalg.norm(ft, axis=1), r0 + np.array([-4000, 5000]) + 300.0)
    np.testing.assert_allclose(np.cross(ft, carrier), 0.0, atol=1e-3)
    # range rate = carrier's + pull
    u = carrier / r0
    np.testing.assert_allclose(t.velocity_enu_mps[2:] @ u, _truth().velocity_enu_mps[0] @ u
                               + 10.0)
    np.testing.assert_allclose(t.rcs_m2[2:], 12.0)
    assert t.threat_type[2:].tolist() == [0, 0]


def test_no_carrier_in_view_leaves_the_truth_as_it_was() -> None:
    truth = _truth()
    assert with_false_targets(truth, np.zeros(3), np.array([], np.intp), np.empty((0, 2)),
                              np.empty(0), np.empty(0), np.empty(0)) is truth


@pytest.mark.parametrize("offset", [-2500.0, 7000.0])
def test_two_radars_see_false_targets_in_different_places(offset: float) -> None:
    args = (np.array([0]), np.array([[offset]]), np.zeros(1), np.ones(1), np.zeros(1))
    a = with_false_targets(_truth(), np.zeros(3), *args).position_enu_m[-1]
    b = with_false_targets(_truth(), np.array([50_000.0, 0.0, 0.0]), *args).position_enu_m[-1]
    assert np.linalg.norm(a - b) > 0.2 * abs(offset)
