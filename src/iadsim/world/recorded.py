"""World stage: recorded trajectories (CSV or Parquet) -> per-id tracks interpolated in time.

In: a file with one row per (id, time) sample: ``id``, ``time_s``, ``lat_deg``, ``lon_deg``,
``alt_m`` (the short names ``time``, ``lat``, ``lon``, ``alt`` and ``track_id``/``name`` for the
id are accepted too). Out: ``RecordedTracks``, all samples of all ids in flat arrays, evaluated
for many (track, time) pairs at once by linear interpolation in geodetic coordinates
(longitude unwrapped, so a track may cross the antimeridian), clipped to each track's ends.

Bad files raise ``InputDataError`` naming the file, the 1-based data row (header not counted),
the column, the bad value and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.errors import InputDataError
from iadsim.files import not_regular_reason
from iadsim.world.frames import Origin, geodetic_to_enu

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "track_id", "threat_id", "name"),
    "time_s": ("time_s", "time", "t"),
    "lat_deg": ("lat_deg", "lat", "latitude"),
    "lon_deg": ("lon_deg", "lon", "longitude"),
    "alt_m": ("alt_m", "alt", "altitude_m", "altitude"),
}
_RANGES: dict[str, tuple[float, float]] = {
    "time_s": (-np.inf, np.inf),
    "lat_deg": (-90.0, 90.0),
    "lon_deg": (-180.0, 360.0),
    "alt_m": (-1_000.0, 2_000_000.0),
}


@dataclass(frozen=True, slots=True)
class RecordedTracks:
    """Recorded tracks, one per id, samples flat and grouped by track.

    Track ``j`` owns samples ``offsets[j]:offsets[j + 1]`` (at least two, strictly increasing
    in time). Longitudes are unwrapped along each track.
    """

    source: str
    track_id: tuple[str, ...]  # (m,) in order of first appearance in the file
    offsets: NDArray[np.intp]  # (m + 1,)
    time_s: NDArray[np.float64]  # (k,)
    lat_deg: NDArray[np.float64]  # (k,)
    lon_deg: NDArray[np.float64]  # (k,)
    alt_m: NDArray[np.float64]  # (k,)

    def __len__(self) -> int:
        return len(self.track_id)

    @property
    def start_time_s(self) -> NDArray[np.float64]:
        """First sample time of each track, (m,)."""
        return self.time_s[self.offsets[:-1]]

    @property
    def end_time_s(self) -> NDArray[np.float64]:
        """Last sample time of each track, (m,)."""
        return self.time_s[self.offsets[1:] - 1]

    def geodetic_at(
        self, track: NDArray[np.intp], time_s: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Interpolated (lat_deg, lon_deg in [-180, 180), alt_m) of ``track[i]`` at ``time_s[i]``.

        Times outside a track are clipped to its first/last sample. Shapes ``(r,)``.
        """
        track = np.asarray(track, dtype=np.intp)
        t = np.clip(np.asarray(time_s, dtype=float), self.start_time_s[track],
                    self.end_time_s[track])
        # one sorted key for all tracks: track rank * span + time, so searchsorted is global
        t0 = float(self.time_s.min()) if self.time_s.size else 0.0
        span = float(np.ptp(self.time_s)) + 1.0 if self.time_s.size else 1.0
        rank = np.repeat(np.arange(len(self), dtype=float), np.diff(self.offsets))
        keys = rank * span + (self.time_s - t0)
        q = track.astype(float) * span + (t - t0)
        i = np.searchsorted(keys, q, side="right") - 1
        i = np.clip(i, self.offsets[track], self.offsets[track + 1] - 2)
        t_a, t_b = self.time_s[i], self.time_s[i + 1]
        w = np.clip((t - t_a) / (t_b - t_a), 0.0, 1.0)
        lat = self.lat_deg[i] + w * (self.lat_deg[i + 1] - self.lat_deg[i])
        lon = self.lon_deg[i] + w * (self.lon_deg[i + 1] - self.lon_deg[i])
        alt = self.alt_m[i] + w * (self.alt_m[i + 1] - self.alt_m[i])
        return lat, np.mod(lon + 180.0, 360.0) - 180.0, alt

    def positions_enu(
        self, track: NDArray[np.intp], time_s: NDArray[np.float64], origin: Origin
    ) -> NDArray[np.float64]:
        """Interpolated scenario-ENU positions ``(r, 3)`` of ``track[i]`` at ``time_s[i]``."""
        lat, lon, alt = self.geodetic_at(track, time_s)
        return geodetic_to_enu(lat, lon, alt, origin).reshape(-1, 3)


def _read_table(path: Path) -> pd.DataFrame:
    reason = not_regular_reason(path)  # never open a pipe or device: it may block or not end
    if reason is not None:
        raise InputDataError(f"{path}: trajectory file {reason}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (ValueError, OSError) as exc:
        raise InputDataError(f"{path}: cannot be read as {suffix[1:]} ({exc})") from exc
    raise InputDataError(f"{path}: trajectory file must end in .csv or .parquet (got "
                         f"{suffix or 'no suffix'!r})")


def _resolve_columns(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    present = {str(c).strip().lower(): c for c in frame.columns}
    found: dict[str, str] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        hit = next((present[a] for a in aliases if a in present), None)
        if hit is None:
            raise InputDataError(
                f"{path}: column {canonical!r} missing (accepted names: {', '.join(aliases)}; "
                f"columns found: {', '.join(map(str, frame.columns)) or 'none'})"
            )
        found[canonical] = hit
    return found


def _numeric(frame: pd.DataFrame, column: str, canonical: str, path: Path) -> NDArray[np.float64]:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    lo, hi = _RANGES[canonical]
    bad = ~np.isfinite(values) | (values < lo) | (values > hi)
    if bad.any():
        rows = np.flatnonzero(bad)
        r = int(rows[0])
        rule = "a finite number" if lo == -np.inf else f"a number in [{lo:g}, {hi:g}]"
        raise InputDataError(
            f"{path}: row {r + 1}, column {column!r}: must be {rule} (got {raw.iloc[r]!r})"
            + (f"; {rows.size - 1} more bad rows" if rows.size > 1 else ""),
            rows=rows.tolist(),
        )
    return values


def read_trajectory_file(path: str | Path) -> RecordedTracks:
    """Read a CSV or Parquet trajectory file into ``RecordedTracks``.

    Rows of one id need not be contiguous but must come in increasing time order. Each id
    needs at least two samples.

    Raises
    ------
    InputDataError
        Naming the file, row (1-based, header not counted), column, value and rule.
    """
    path = Path(path)
    frame = _read_table(path)
    if len(frame) == 0:
        raise InputDataError(f"{path}: trajectory file has no rows")
    cols = _resolve_columns(frame, path)
    ids_raw = frame[cols["id"]].astype(str).str.strip().to_numpy()
    empty = np.flatnonzero(ids_raw == "")
    if empty.size:
        raise InputDataError(f"{path}: row {int(empty[0]) + 1}, column {cols['id']!r}: must not "
                             "be empty (got '')", rows=empty.tolist())
    values = {c: _numeric(frame, cols[c], c, path) for c in ("time_s", "lat_deg", "lon_deg",
                                                              "alt_m")}
    unique, first_row, inverse = np.unique(ids_raw, return_index=True, return_inverse=True)
    appearance = np.argsort(first_row, kind="stable")  # track order: first appearance
    rank_of_unique = np.empty_like(appearance)
    rank_of_unique[appearance] = np.arange(appearance.size)
    rank = rank_of_unique[inverse]
    order = np.lexsort((np.arange(len(frame)), rank))  # group by track, keep file order
    time_s = values["time_s"][order]
    same_track = rank[order][1:] == rank[order][:-1]
    not_increasing = same_track & (np.diff(time_s) <= 0.0)
    if not_increasing.any():
        k = int(np.flatnonzero(not_increasing)[0]) + 1
        r = int(order[k])
        raise InputDataError(
            f"{path}: row {r + 1}, column {cols['time_s']!r}: times of id {ids_raw[r]!r} must "
            f"increase (got {float(time_s[k])!r} after {float(time_s[k - 1])!r})", rows=[r])
    counts = np.bincount(rank, minlength=appearance.size)
    if (counts < 2).any():
        j = int(np.flatnonzero(counts < 2)[0])
        r = int(first_row[appearance[j]])
        raise InputDataError(f"{path}: row {r + 1}, column {cols['id']!r}: id {ids_raw[r]!r} "
                             "has only 1 sample; a track needs at least 2", rows=[r])
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
    lon = values["lon_deg"][order]
    lon_unwrapped = lon.copy()
    for j in range(counts.size):  # per track, not per sample; tracks are few
        s = slice(offsets[j], offsets[j + 1])
        lon_unwrapped[s] = np.degrees(np.unwrap(np.radians(lon[s])))
    return RecordedTracks(
        source=str(path),
        track_id=tuple(str(unique[appearance[j]]) for j in range(appearance.size)),
        offsets=offsets, time_s=time_s, lat_deg=values["lat_deg"][order], lon_deg=lon_unwrapped,
        alt_m=values["alt_m"][order],
    )


def take_tracks(tracks: RecordedTracks, n: int) -> RecordedTracks:
    """The first ``n`` tracks (in file order)."""
    end = int(tracks.offsets[n])
    return RecordedTracks(tracks.source, tracks.track_id[:n], tracks.offsets[: n + 1].copy(),
                          tracks.time_s[:end], tracks.lat_deg[:end], tracks.lon_deg[:end],
                          tracks.alt_m[:end])


def concat_tracks(parts: list[RecordedTracks]) -> RecordedTracks:
    """All tracks of several files as one ``RecordedTracks`` (track order kept)."""
    if not parts:
        return RecordedTracks("", (), np.zeros(1, np.intp), np.empty(0), np.empty(0),
                              np.empty(0), np.empty(0))
    sizes = [int(p.offsets[-1]) for p in parts]
    shifts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, shifts,
                                                                          strict=True)])
    return RecordedTracks(
        ";".join(p.source for p in parts), tuple(t for p in parts for t in p.track_id),
        offsets.astype(np.intp), np.concatenate([p.time_s for p in parts]),
        np.concatenate([p.lat_deg for p in parts]), np.concatenate([p.lon_deg for p in parts]),
        np.concatenate([p.alt_m for p in parts]))
