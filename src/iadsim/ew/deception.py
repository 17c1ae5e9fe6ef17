"""EW: DRFM deception. A repeater on a carrier -> false targets in range (and Doppler) per radar.

In: the truth a radar looks at, the rows of the DRFM carriers in it, each repeater's range
offsets (negative: ahead of the carrier, towards the radar; positive: behind), its range pull
rate and its false-target-to-skin power ratio. Out: the truth with one extra row per false
target, *on the radar's line of sight to its carrier* (so a false target shares the carrier's
azimuth and elevation and is seen when the beam is on the carrier), moving with the carrier plus
the pull along the line of sight (a Doppler consistent with the range walk), with an RCS
``carrier RCS x 10^(jsr/10)`` (a repeater holding its output a set ratio above the skin echo).
False targets carry threat id -1, like false alarms: the radar detects them with its own look,
and tracks on them follow no threat. Each radar sees its own false targets (a range offset lies
along each radar's own line of sight), so two radars' false targets do not coincide.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iadsim.world.threats import TruthBatch


def with_false_targets(truth: TruthBatch, radar_enu_m: NDArray[np.float64],
                       carrier_rows: NDArray[np.intp], offsets_m: NDArray[np.float64],
                       pull_mps: NDArray[np.float64], jsr: NDArray[np.float64],
                       on_time_s: NDArray[np.float64]) -> TruthBatch:
    """``truth`` with the false targets of repeaters on rows ``carrier_rows`` (k,) appended.

    ``offsets_m`` (k, f): range offsets of each repeater's false targets at switch-on
    ``on_time_s`` (k,); they walk at ``pull_mps`` (k,); ``jsr`` (k,) linear power ratio.
    """
    if carrier_rows.size == 0 or offsets_m.size == 0:
        return truth
    pos = truth.position_enu_m[carrier_rows]
    los = pos - radar_enu_m
    u = los / np.maximum(np.linalg.norm(los, axis=1, keepdims=True), 1.0)
    walked = offsets_m + (pull_mps * np.maximum(truth.time_s - on_time_s, 0.0))[:, None]
    f = offsets_m.shape[1]
    ft_pos = (pos[:, None, :] + walked[:, :, None] * u[:, None, :]).reshape(-1, 3)
    ft_vel = np.repeat(truth.velocity_enu_mps[carrier_rows] + pull_mps[:, None] * u, f, axis=0)
    rcs = np.repeat(truth.rcs_m2[carrier_rows] * jsr, f)
    kind = np.repeat(truth.threat_type[carrier_rows], f)
    return dataclasses.replace(
        truth,
        threat_id=np.concatenate([truth.threat_id, np.full(ft_pos.shape[0], -1, np.int64)]),
        position_enu_m=np.vstack([truth.position_enu_m, ft_pos]),
        velocity_enu_mps=np.vstack([truth.velocity_enu_mps, ft_vel]),
        rcs_m2=np.concatenate([truth.rcs_m2, rcs]),
        threat_type=np.concatenate([truth.threat_type, kind]),
    )
