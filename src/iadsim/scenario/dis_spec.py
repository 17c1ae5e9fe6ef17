"""Scenario section ``dis:``: how this simulation appears in a DIS (IEEE 1278.1) federation.

Every field has a default, so a scenario may omit the section. The defaults follow the
IEEE 1278.1 recommended thresholds (1 m position, 3 deg orientation, 5 s heartbeat, entity
timeout 2.4 heartbeats).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from iadsim.scenario.common import StrictModel


class DisSpec(StrictModel):
    """DIS identity, update policy and the DIS-in rules of a scenario."""

    exercise_id: int = Field(default=1, ge=1, le=255)
    site_id: int = Field(default=1, ge=1, le=65_534)
    application_id: int = Field(default=1, ge=1, le=65_534)
    send_mode: Literal["dead_reckoning", "rate"] = Field(
        default="dead_reckoning",
        description="dead_reckoning: send when the dead-reckoning prediction (DRM F-P-W; F-V-W "
        "with the acceleration for ballistic missiles) drifts past a threshold "
        "or the heartbeat expires; rate: send every entity at rate_hz",
    )
    rate_hz: float = Field(default=1.0, gt=0.0, le=1_000.0)
    position_threshold_m: float = Field(default=1.0, gt=0.0)
    orientation_threshold_deg: float = Field(default=3.0, gt=0.0, le=180.0)
    heartbeat_s: float = Field(default=5.0, gt=0.0, le=3_600.0)
    entity_timeout_s: float = Field(
        default=12.0, gt=0.0, le=3_600.0,
        description="DIS in: an external entity not updated for this long is dropped",
    )
    hostile_force_ids: list[int] = Field(
        default_factory=lambda: [2],
        description="DIS in: force ids whose entities become threats (2 = Opposing)",
    )
    default_threat_type: str | None = Field(
        default="aircraft",
        description="DIS in: threat type for an entity type that maps to none; null: ignore it",
    )
    default_rcs_m2: float = Field(default=5.0, gt=0.0, le=10_000.0,
                                  description="DIS in: radar cross-section of external threats")
    max_external_entities: int = Field(
        default=64, ge=1, le=10_000,
        description="DIS in: threat slots kept for external entities (later ones are ignored)",
    )
    entity_types: dict[str, list[int]] = Field(
        default_factory=dict,
        description="override of the notional entity type (kind, domain, country, category, "
        "subcategory, specific, extra) per threat type or interceptor class",
    )

    @field_validator("hostile_force_ids")
    @classmethod
    def _force_ids(cls, v: list[int]) -> list[int]:
        bad = [f for f in v if not 0 <= f <= 255]
        if bad:
            raise ValueError(f"force ids must be in [0, 255] (got {bad})")
        return v

    @field_validator("entity_types")
    @classmethod
    def _seven_fields(cls, v: dict[str, list[int]]) -> dict[str, list[int]]:
        limits = (255, 255, 65_535, 255, 255, 255, 255)
        for name, fields in v.items():
            if len(fields) != 7 or any(not 0 <= f <= hi for f, hi in zip(fields, limits,
                                                                          strict=False)):
                raise ValueError(f"entity_types[{name!r}] must be 7 integers (kind, domain, "
                                 f"country 0-65535, category, subcategory, specific, extra "
                                 f"0-255) (got {fields})")
        return v
