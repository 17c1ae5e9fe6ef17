"""Building blocks shared by every scenario section: the strict base model and positions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Frozen, typo-proof base: unknown fields are errors, values never change after load."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class GeoPosition(StrictModel):
    """A WGS-84 position; ``alt_m`` is height above the ellipsoid (sea level here)."""

    lat_deg: float = Field(ge=-90.0, le=90.0)
    lon_deg: float = Field(ge=-180.0, le=180.0)
    alt_m: float = Field(default=0.0, ge=-500.0, le=1_000_000.0)


class GeoPoint2D(StrictModel):
    """A waypoint: latitude and longitude, optionally a new altitude for the leg that ends here."""

    lat_deg: float = Field(ge=-90.0, le=90.0)
    lon_deg: float = Field(ge=-180.0, le=180.0)
    alt_m: float | None = Field(default=None, ge=0.0, le=100_000.0)
