"""Scenario section ``tracking``: how the tracker filters, associates and manages tracks.

Every field has a default, so a scenario file may omit the section. Units are in the names;
probabilities are plain fractions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from iadsim.scenario.common import StrictModel

MAX_POSITION_SIGMA_M = 100_000.0
"""Widest track kept: a track of 100 km RMS says nothing, and gates every detection of the
scene, so in clutter tracks that never die would make each scan cost tracks x detections."""


class TrackingSpec(StrictModel):
    """Tracker settings (see ``iadsim.tracking.tracker.Tracker``).

    Motion models (``motion_model``):

    * ``"ncv"``: one nearly-constant-velocity Kalman filter per track;
    * ``"ballistic"``: constant velocity plus gravity (for ballistic targets only);
    * ``"imm"``: an interacting multiple model of nearly-constant velocity, coordinated turns
      left and right at ``turn_accel_mps2`` of lateral acceleration, and (with
      ``imm_ballistic``) the ballistic model.

    Process noise is continuous white acceleration: each model's ``*_accel_mps2`` is the RMS
    velocity change it allows over one second (spectral density ``sigma**2`` in m^2/s^3).
    """

    # filtering
    motion_model: Literal["ncv", "imm", "ballistic"] = "imm"
    process_noise_accel_mps2: float = Field(
        default=3.0, gt=0.0, le=1_000.0, description="the NCV filter's, used alone"
    )
    imm_cv_process_noise_accel_mps2: float = Field(
        default=3.0, gt=0.0, le=1_000.0, description="the IMM's nearly-constant-velocity model"
    )
    turn_accel_mps2: float = Field(
        default=30.0, gt=0.0, le=1_000.0, description="lateral acceleration of the IMM turn models"
    )
    turn_process_noise_accel_mps2: float = Field(default=10.0, gt=0.0, le=1_000.0)
    imm_ballistic: bool = Field(default=True, description="add the gravity model to the IMM")
    ballistic_process_noise_accel_mps2: float = Field(default=2.0, gt=0.0, le=1_000.0)
    imm_switch_rate_per_s: float = Field(
        default=0.05, gt=0.0, le=10.0, description="rate of leaving the current IMM model"
    )
    debias_measurements: bool = Field(
        default=True, description="unbiased converted measurements (multiplicative correction)"
    )
    covariance_at_prediction: bool = Field(
        default=True,
        description="update with the measurement covariance at the predicted position (EKF-like)",
    )

    on_bad_detections: Literal["raise", "drop"] = Field(
        default="raise",
        description="detections with NaN/inf values or times going backwards: raise or skip",
    )

    # association
    association: Literal["gnn", "jpda"] = "gnn"
    gate_probability: float = Field(default=0.999, gt=0.5, lt=1.0)
    detection_probability: float = Field(
        default=0.9, gt=0.0, le=1.0, description="Pd assumed by JPDA and the track score"
    )
    clutter_density_per_m3: float = Field(
        default=1e-12, gt=0.0, description="false-alarm density assumed by JPDA"
    )

    # track management
    confirm_m: int = Field(default=3, ge=1, le=32)
    confirm_n: int = Field(default=4, ge=1, le=32)
    initiation_max_misses: int = Field(
        default=2, ge=1, le=32,
        description="a one-detection track is dropped after this many misses (two-point rule)",
    )
    max_misses: int = Field(
        default=3, ge=1, le=1000, description="consecutive misses by every radar that held it"
    )
    delete_after_total_misses: int | None = Field(
        default=None, ge=1, le=1000,
        description="delete a confirmed track once the radars holding it have missed this many "
                    "scans between them (a track-score drop of this many ln(1 - Pd)); None: off "
                    "(the default: at 4 it broke 20% more real tracks on the default raid)",
    )
    default_revisit_s: float = Field(
        default=10.0, gt=0.0, le=600.0,
        description="revisit interval assumed for a radar until it is learned from the data",
    )
    max_coast_s: float = Field(
        default=30.0, gt=0.0, le=3_600.0, description="delete after this long unseen"
    )
    max_position_sigma_m: float = Field(
        default=5_000.0, gt=0.0, le=MAX_POSITION_SIGMA_M,
        description="delete when the RMS position sigma grows past this",
    )
    max_speed_mps: float = Field(
        default=3_500.0, gt=0.0, le=20_000.0, description="velocity gate of two-point initiation"
    )
    initiation_velocity_sigma_horizontal_mps: float | None = Field(
        default=None, gt=0.0, le=20_000.0,
        description="prior sigma of a new track's east and north velocity (None: max_speed_mps/2)",
    )
    initiation_velocity_sigma_vertical_mps: float | None = Field(
        default=None, gt=0.0, le=20_000.0,
        description="prior sigma of a new track's vertical velocity (None: max_speed_mps/2); "
                    "air targets climb far slower than they fly, so a tighter vertical prior "
                    "keeps young tracks' heights from swinging",
    )
    merge_probability: float = Field(
        default=0.99, gt=0.0, lt=1.0,
        description="confirmed tracks whose states differ within this chi-square gate merge",
    )
    merge_distance_m: float = Field(
        default=5_000.0, gt=0.0, le=MAX_POSITION_SIGMA_M,
        description="only tracks this close are tested for merging",
    )
    merge_after_steps: int = Field(
        default=5, ge=1, le=1000, description="steps a duplicate must persist before it goes"
    )
    quality_memory_scans: float = Field(
        default=5.0, ge=1.0, le=1_000.0, description="memory of the hit-ratio track-quality score"
    )

    @model_validator(mode="after")
    def _m_not_above_n(self) -> TrackingSpec:
        if self.confirm_m > self.confirm_n:
            raise ValueError(
                f"tracking.confirm_m must be <= tracking.confirm_n "
                f"(got confirm_m={self.confirm_m}, confirm_n={self.confirm_n})"
            )
        return self
