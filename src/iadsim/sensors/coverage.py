"""Sensors stage, analysis side: radar horizon and coverage (pure numpy, no plotting).

In: a radar's detection model (SNR constant, Pfa, pulses, Swerling case) and geometry (antenna
height, elevation limits, blind and instrumented range, azimuth sectors); a target RCS and the
Pd wanted. Out: the free-space detection range, the vertical coverage (detection range against
altitude, horizon included) and the network's horizontal coverage at one altitude.

Geometry is the smooth 4/3-earth model, stated once: heights are above the sea-level sphere;
rays are straight over an earth of effective radius ``a_e = k R0`` (k = 4/3), so the elevation
of a target at slant range ``R`` and altitude ``h`` seen from an antenna at ``h_a`` is::

    sin(e) = ((a_e + h)^2 - (a_e + h_a)^2 - R^2) / (2 R (a_e + h_a))

and the horizon (grazing ray) is at slant range
``sqrt((a_e + h_a)^2 - a_e^2) + sqrt((a_e + h)^2 - a_e^2)`` ~ 4.12 (sqrt(h_a) + sqrt(h)) km.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.sensors.clutter import in_sectors
from iadsim.sensors.detection import required_snr_db
from iadsim.sensors.range_equation import db_to_linear, range_for_snr_m
from iadsim.world.frames import EARTH_RADIUS_M, EFFECTIVE_EARTH_FACTOR

EFFECTIVE_EARTH_RADIUS_M = EFFECTIVE_EARTH_FACTOR * EARTH_RADIUS_M


class CoverageSite(Protocol):
    """What coverage needs to know of a radar (``iadsim.sensors.radar.RadarSite`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def position_enu_m(self) -> NDArray[np.float64]: ...  # (3,)
    @property
    def antenna_alt_m(self) -> float: ...
    @property
    def snr_1m2_1m(self) -> float: ...
    @property
    def pfa(self) -> float: ...
    @property
    def n_pulses(self) -> int: ...
    @property
    def swerling(self) -> int: ...
    @property
    def min_range_m(self) -> float: ...
    @property
    def max_range_m(self) -> float: ...
    @property
    def min_elevation_rad(self) -> float: ...
    @property
    def max_elevation_rad(self) -> float: ...
    @property
    def sectors_rad(self) -> NDArray[np.float64]: ...  # (k, 2)


def horizon_slant_range_m(antenna_alt_m: ArrayLike, target_alt_m: ArrayLike) -> NDArray[np.float64]:
    """Slant range (m) of the grazing ray over the 4/3 earth (exact form of the 4.12 km rule)."""
    a = EFFECTIVE_EARTH_RADIUS_M
    h1 = np.maximum(np.asarray(antenna_alt_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(target_alt_m, dtype=float), 0.0)
    return np.sqrt((a + h1) ** 2 - a**2) + np.sqrt((a + h2) ** 2 - a**2)


def target_elevation_rad(
    slant_range_m: ArrayLike, antenna_alt_m: ArrayLike, target_alt_m: ArrayLike
) -> NDArray[np.float64]:
    """Apparent elevation (rad) of a target at a slant range and altitude, 4/3 earth."""
    a = EFFECTIVE_EARTH_RADIUS_M
    r = np.maximum(np.asarray(slant_range_m, dtype=float), 1e-9)
    ra = a + np.asarray(antenna_alt_m, dtype=float)
    rt = a + np.asarray(target_alt_m, dtype=float)
    return np.arcsin(np.clip((rt**2 - ra**2 - r**2) / (2.0 * r * ra), -1.0, 1.0))


def ground_range_m(
    slant_range_m: ArrayLike, antenna_alt_m: ArrayLike, target_alt_m: ArrayLike
) -> NDArray[np.float64]:
    """Distance along the surface (m) under a line of sight of given slant range."""
    a = EFFECTIVE_EARTH_RADIUS_M
    r = np.asarray(slant_range_m, dtype=float)
    ra = a + np.asarray(antenna_alt_m, dtype=float)
    rt = a + np.asarray(target_alt_m, dtype=float)
    cos_angle = np.clip((ra**2 + rt**2 - r**2) / (2.0 * ra * rt), -1.0, 1.0)
    return a * np.arccos(cos_angle)


def free_space_detection_range_m(
    *,
    snr_1m2_1m: float,
    rcs_m2: float,
    pd: float,
    pfa: float,
    n_pulses: int = 1,
    swerling: int = 0,
) -> float:
    """Range (m) at which a target of ``rcs_m2`` is detected with probability ``pd`` per look."""
    snr = db_to_linear(required_snr_db(pd, pfa, n_pulses, swerling))
    return float(range_for_snr_m(snr, rcs_m2, snr_1m2_1m))


def covered(
    slant_range_m: ArrayLike,
    target_alt_m: ArrayLike,
    *,
    detection_range_m: float,
    antenna_alt_m: float,
    min_range_m: float,
    max_range_m: float,
    min_elevation_rad: float,
    max_elevation_rad: float,
) -> NDArray[np.bool_]:
    """Whether a target at (slant range, altitude) is detected at the wanted Pd, broadcast.

    Inside the detection and instrumented range, beyond the blind range, above the horizon and
    between the elevation limits.
    """
    r = np.asarray(slant_range_m, dtype=float)
    h = np.asarray(target_alt_m, dtype=float)
    e = target_elevation_rad(r, antenna_alt_m, h)
    return (
        (r <= detection_range_m)
        & (r >= min_range_m)
        & (r <= max_range_m)
        & (r <= horizon_slant_range_m(antenna_alt_m, h))
        & (e >= min_elevation_rad)
        & (e <= max_elevation_rad)
    )


@dataclass(frozen=True, slots=True)
class VerticalCoverage:
    """Detection range against altitude for one radar, one RCS and one Pd.

    Ranges are NaN at altitudes the radar does not cover at all.
    """

    name: str
    altitude_m: NDArray[np.float64]  # (a,)
    max_slant_range_m: NDArray[np.float64]  # (a,)
    max_ground_range_m: NDArray[np.float64]  # (a,)
    min_ground_range_m: NDArray[np.float64]  # (a,) cone of silence and blind range
    horizon_ground_range_m: NDArray[np.float64]  # (a,) for reference on the diagram
    detection_range_m: float  # free space
    rcs_m2: float
    pd: float


def vertical_coverage(
    site: CoverageSite,
    altitude_m: ArrayLike,
    *,
    rcs_m2: float,
    pd: float,
    range_samples: int = 4000,
) -> VerticalCoverage:
    """Vertical coverage of one radar: max and min ground range at each altitude.

    A grid over slant range finds the covered interval at each altitude; its ends are then
    refined by 40 bisection steps (to well under a metre).
    """
    h = np.asarray(altitude_m, dtype=float)
    r0 = free_space_detection_range_m(
        snr_1m2_1m=site.snr_1m2_1m,
        rcs_m2=rcs_m2,
        pd=pd,
        pfa=site.pfa,
        n_pulses=site.n_pulses,
        swerling=site.swerling,
    )
    limits = dict(
        detection_range_m=r0,
        antenna_alt_m=site.antenna_alt_m,
        min_range_m=site.min_range_m,
        max_range_m=site.max_range_m,
        min_elevation_rad=site.min_elevation_rad,
        max_elevation_rad=site.max_elevation_rad,
    )
    r_top = min(r0, site.max_range_m) * 1.0001
    grid = np.linspace(0.0, r_top, range_samples)
    inside = covered(grid[None, :], h[:, None], **limits)  # (a, s)
    any_in = inside.any(axis=1)
    last = np.where(any_in, range_samples - 1 - np.argmax(inside[:, ::-1], axis=1), 0)
    first = np.where(any_in, np.argmax(inside, axis=1), 0)
    r_max = _refine(grid[last], grid[np.minimum(last + 1, range_samples - 1)], h, limits, True)
    r_min = _refine(grid[np.maximum(first - 1, 0)], grid[first], h, limits, False)
    r_min = np.where(first == 0, grid[0], r_min)
    nan = np.full(h.shape, np.nan)
    return VerticalCoverage(
        name=site.name,
        altitude_m=h,
        max_slant_range_m=np.where(any_in, r_max, nan),
        max_ground_range_m=np.where(any_in, ground_range_m(r_max, site.antenna_alt_m, h), nan),
        min_ground_range_m=np.where(any_in, ground_range_m(r_min, site.antenna_alt_m, h), nan),
        horizon_ground_range_m=ground_range_m(
            horizon_slant_range_m(site.antenna_alt_m, h), site.antenna_alt_m, h
        ),
        detection_range_m=r0,
        rcs_m2=rcs_m2,
        pd=pd,
    )


def _refine(
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    h: NDArray[np.float64],
    limits: dict[str, float],
    inside_at_lo: bool,
) -> NDArray[np.float64]:
    """Bisect the coverage boundary between ``lo`` and ``hi`` at each altitude."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        ok = covered(mid, h, **limits)
        move_lo = ok if inside_at_lo else ~ok
        lo = np.where(move_lo, mid, lo)
        hi = np.where(move_lo, hi, mid)
    return lo if inside_at_lo else hi


@dataclass(frozen=True, slots=True)
class HorizontalCoverage:
    """The network's coverage at one altitude on an (east, north) grid of the scenario frame."""

    altitude_m: float
    east_m: NDArray[np.float64]  # (nx,)
    north_m: NDArray[np.float64]  # (ny,)
    radars_covering: NDArray[np.int64]  # (ny, nx) how many radars detect there
    names: tuple[str, ...]
    max_ground_range_m: NDArray[np.float64]  # (m,) per radar at this altitude, NaN if none
    min_ground_range_m: NDArray[np.float64]  # (m,)
    outline_east_m: tuple[NDArray[np.float64], ...]  # per radar, closed outline of coverage
    outline_north_m: tuple[NDArray[np.float64], ...]


def horizontal_coverage(
    sites: Sequence[CoverageSite],
    *,
    altitude_m: float,
    rcs_m2: float,
    pd: float,
    cells: int = 300,
    margin_m: float = 20_000.0,
) -> HorizontalCoverage:
    """Where the network detects a target of ``rcs_m2`` at ``altitude_m`` with ``pd`` per look.

    Ground distance from each radar is measured in the scenario's tangent plane, good to a
    fraction of a percent over a few hundred kilometres.
    """
    m = len(sites)
    r_max = np.full(m, np.nan)
    r_min = np.full(m, np.nan)
    for i, site in enumerate(sites):
        vc = vertical_coverage(site, [altitude_m], rcs_m2=rcs_m2, pd=pd)
        r_max[i], r_min[i] = vc.max_ground_range_m[0], vc.min_ground_range_m[0]
    centres = np.array([s.position_enu_m[:2] for s in sites]).reshape(-1, 2)
    reach = np.nan_to_num(r_max, nan=0.0)
    if m:
        lo = (centres - reach[:, None]).min(axis=0) - margin_m
        hi = (centres + reach[:, None]).max(axis=0) + margin_m
    else:
        lo, hi = np.array([-margin_m, -margin_m]), np.array([margin_m, margin_m])
    east = np.linspace(lo[0], hi[0], cells)
    north = np.linspace(lo[1], hi[1], cells)
    ee, nn = np.meshgrid(east, north)
    count = np.zeros(ee.shape, dtype=np.int64)
    outlines_e, outlines_n = [], []
    for i, site in enumerate(sites):
        de, dn = ee - centres[i, 0], nn - centres[i, 1]
        d = np.hypot(de, dn)
        az = np.mod(np.arctan2(de, dn), 2.0 * np.pi)
        ok = (
            (d <= r_max[i])
            & (d >= r_min[i])
            & in_sectors(az.ravel(), site.sectors_rad).reshape(d.shape)
        )
        count += ok
        oe, on = _outline(centres[i], r_min[i], r_max[i], site.sectors_rad)
        outlines_e.append(oe)
        outlines_n.append(on)
    return HorizontalCoverage(
        altitude_m=float(altitude_m),
        east_m=east,
        north_m=north,
        radars_covering=count,
        names=tuple(s.name for s in sites),
        max_ground_range_m=r_max,
        min_ground_range_m=r_min,
        outline_east_m=tuple(outlines_e),
        outline_north_m=tuple(outlines_n),
    )


def _outline(
    centre: NDArray[np.float64], r_min: float, r_max: float, sectors_rad: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Closed outline (east, north) of each sector's annulus, sectors separated by NaN."""
    if not np.isfinite(r_max):
        return np.zeros(0), np.zeros(0)
    from iadsim.sensors.clutter import sector_widths_rad

    s = np.asarray(sectors_rad, dtype=float).reshape(-1, 2)
    pieces_e, pieces_n = [], []
    for start, width in zip(s[:, 0], sector_widths_rad(s), strict=True):
        arc = start + np.linspace(0.0, width, max(int(np.degrees(width)), 2))
        if width >= 2.0 * np.pi - 1e-9:  # all round: two circles, no radial edges
            ring = np.concatenate([np.full(arc.size, r_max), [np.nan], np.full(arc.size, r_min)])
            az = np.concatenate([arc, [np.nan], arc])
            pieces_e.append(np.append(centre[0] + ring * np.sin(az), np.nan))
            pieces_n.append(np.append(centre[1] + ring * np.cos(az), np.nan))
            continue
        az = np.concatenate([arc, arc[::-1], arc[:1]])
        rad = np.concatenate([np.full(arc.size, r_max), np.full(arc.size, r_min), [r_max]])
        pieces_e.append(np.append(centre[0] + rad * np.sin(az), np.nan))
        pieces_n.append(np.append(centre[1] + rad * np.cos(az), np.nan))
    return np.concatenate(pieces_e), np.concatenate(pieces_n)
