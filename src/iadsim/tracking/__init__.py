"""Tracking stage: radar detections in, a fused multi-target track picture out.

* ``Tracker(spec, geometry).step(detections, time_s)`` -- the stage as the simulation runs it;
* ``track_detections(frame, angle_unit=..., azimuth_from=..., sigmas=...)`` -- the tracker on
  its own, on a table of detections from anywhere (checked by ``detection_table``);
* ``tracking_metrics(truth, tracks)``, ``gospa``, ``ospa`` -- how good a track picture is.

Modules: ``filters`` (KF/IMM, vectorised over tracks), ``association`` (gating, clustered GNN,
JPDA), ``management`` (initiation, confirmation, deletion), ``tracker`` (the loop),
``metrics`` (also per threat type), ``timing`` (first detection, first track, track delay:
defined once), ``standalone``, ``detection_table``.
"""

from __future__ import annotations

from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.metrics import TrackingMetrics, gospa, ospa, tracking_metrics
from iadsim.tracking.standalone import detections_from_frame, track_detections, tracks_frame
from iadsim.tracking.tracker import Tracker, TrackerStep

__all__ = [
    "TrackBatch",
    "Tracker",
    "TrackerStep",
    "TrackingMetrics",
    "detections_from_frame",
    "gospa",
    "ospa",
    "track_detections",
    "tracking_metrics",
    "tracks_frame",
]
