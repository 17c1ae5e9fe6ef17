"""Sensors stage: true threat states -> radar detections, and the radar analyses behind them.

* ``radar``: specs -> ``RadarSite``; ``observe`` a pipeline step -> ``DetectionBatch``.
* ``look``: the vectorised kernel of one sweep or dwell (coverage, SNR, Swerling draws,
  merging, SNR-dependent noise, false alarms).
* ``range_equation``: SNR from physical parameters or a reference point.
* ``detection``: exact Swerling 0-4 Pd with non-coherent integration, Albersheim, Shnidman.
* ``resolution``, ``clutter``: unresolved targets; false alarms from Pfa and cells.
* ``multifunction``: the multifunction radar's time and energy budget and scheduler;
  ``track_file`` its own track file (no truth); ``pointed`` its dwells at predictions.
* ``coverage`` (numbers) and ``coverage_views`` (HTML/PNG): horizon and coverage diagrams.
"""

from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.sensors.detection import (
    albersheim_snr_db,
    pd_swerling,
    required_snr_db,
    shnidman_snr_db,
)
from iadsim.sensors.range_equation import snr_1m2_1m_physical, snr_1m2_1m_reference

__all__ = [
    "DetectionBatch",
    "SensorGeometry",
    "albersheim_snr_db",
    "pd_swerling",
    "required_snr_db",
    "shnidman_snr_db",
    "snr_1m2_1m_physical",
    "snr_1m2_1m_reference",
]
