"""Building blocks shared by every scenario section: the strict base model and positions.

Numbers are strict: ``count: true`` and ``count: '20'`` are errors, not 1 and 20; an integer
is accepted where a float is asked for. Every number must be finite and of a sane magnitude
(:data:`MAX_ABS_FLOAT`, :data:`MIN_ABS_FLOAT`, :data:`MAX_ABS_INT`), so a field with only
a lower bound cannot take ``.inf``, ``1e308`` or ``5e-324`` and overflow downstream.
"""

from __future__ import annotations

import math
import reprlib
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

MAX_ABS_FLOAT = 1e12
"""Largest magnitude of any float in a scenario (far above every physical field's range)."""
MIN_ABS_FLOAT = 1e-30
"""Smallest magnitude of a non-zero float (no denormals: 1 / x and x**4 stay finite)."""
MAX_ABS_INT = 2**63 - 1
"""Largest magnitude of any integer in a scenario (it must fit an int64 column)."""


SHOW_CHARS = 60
"""At most this many characters of a value are echoed in a message."""


def show_value(value: Any) -> str:
    """A value as echoed in a message: its repr, or its type and first characters.

    ``[0, 1, ..., 499]`` is ``a list: [0, 1, 2, ...]``; the work is bounded even for a huge or
    deeply nested value.
    """
    short = reprlib.Repr()
    short.maxlevel, short.maxdict, short.maxlist, short.maxtuple = 2, 3, 3, 3
    short.maxstring, short.maxother, short.maxlong = SHOW_CHARS, SHOW_CHARS, 40
    try:
        text = short.repr(value)
    except (ValueError, RecursionError):  # an integer too long to print
        return f"a {type(value).__name__}"
    if len(text) > SHOW_CHARS:
        text = text[:SHOW_CHARS] + "..."
    if isinstance(value, dict | list | tuple):
        return f"a {type(value).__name__}: {text}"
    return text


class StrictModel(BaseModel):
    """Frozen, typo-proof base: unknown fields are errors, values never change after load,
    numbers are strict and finite."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """``true`` is not the number 1 where a ``Literal`` of integers is asked for either."""
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            if _has_int_literal(annotation) and not _admits_bool(annotation):
                raise ValueError("must be a number, not true or false")
        return value  # strict int and float fields refuse booleans themselves

    @field_validator("*", mode="after")
    @classmethod
    def _sane_magnitude(cls, value: Any) -> Any:
        """Numbers (also inside plain lists and mappings) within the magnitude limits."""
        bad = _first_out_of_range(value)
        if bad is None:
            return value
        if isinstance(bad, float) and abs(bad) < MIN_ABS_FLOAT:
            raise ValueError(f"must be 0 or a number of magnitude >= {MIN_ABS_FLOAT:g}")
        limit = f"{MAX_ABS_FLOAT:g}" if isinstance(bad, float) else str(MAX_ABS_INT)
        raise ValueError(f"must be a number of magnitude <= {limit}")


def _admits_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return any(isinstance(a, bool) for a in typing.get_args(annotation))
    if origin is typing.Union or origin is types.UnionType:
        return any(_admits_bool(a) for a in typing.get_args(annotation))
    return annotation is Any


def _has_int_literal(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return any(isinstance(a, int) for a in typing.get_args(annotation))
    if origin is typing.Union or origin is types.UnionType:
        return any(_has_int_literal(a) for a in typing.get_args(annotation))
    return False


def _first_out_of_range(value: Any, depth: int = 0) -> float | int | None:
    if isinstance(value, bool) or depth > 8:
        return None
    if isinstance(value, float):
        ok = math.isfinite(value) and (value == 0.0 or MIN_ABS_FLOAT <= abs(value) <= MAX_ABS_FLOAT)
        return None if ok else value
    if isinstance(value, int):
        return value if abs(value) > MAX_ABS_INT else None
    items = value.values() if isinstance(value, dict) else value
    if isinstance(items, list | tuple) or isinstance(value, dict):
        for item in items:
            bad = _first_out_of_range(item, depth + 1)
            if bad is not None:
                return bad
    return None


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
