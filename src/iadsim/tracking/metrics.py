"""Tracking stage, metrics: how well the track picture matches the truth.

In: truth positions and confirmed-track positions (arrays, or the run's ``truth.parquet`` and
``tracks.parquet`` frames). Out: GOSPA (Rahmathullah, Garcia-Fernandez and Svensson 2017, with
``alpha = 2``) split into localisation, missed and false parts, OSPA (Schuhmacher, Vo and Vo
2008), and per-threat continuity: first time a confirmed track is assigned, track breaks and
swaps; with the run's threat table, its timing (``iadsim.tracking.timing``, the one definition
of first detection, first track and track delay) and all of these per threat type.

GOSPA parts are reported in metres as p-th roots, so that
``gospa_m**p == localisation_m**p + missed_m**p + false_m**p``; ``missed_m**p`` is
``cutoff**p / 2`` per missed target, ``false_m**p`` the same per false track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from iadsim.tracking.gated_assignment import ClosePairs, gate, gated_matching
from iadsim.tracking.timing import TIMING_COLUMNS, timing_summary, with_track_timing

Array = NDArray[np.float64]

TRUTH_COLUMNS = ("east_m", "north_m", "up_m")


@dataclass(frozen=True, slots=True)
class GospaResult:
    """GOSPA at one time and the assignment behind it (pairs closer than the cutoff)."""

    gospa_m: float
    localisation_m: float
    missed_m: float
    false_m: float
    n_missed: int
    n_false: int
    truth_index: NDArray[np.intp]  # (k,) assigned truth rows
    track_index: NDArray[np.intp]  # (k,) assigned track rows


def gospa(truth_m: Array, tracks_m: Array, *, cutoff_m: float, p: float = 2.0) -> GospaResult:
    """GOSPA (alpha = 2) between truth positions ``(m, 3)`` and track positions ``(n, 3)``.

    Large sets (more than ``DENSE_MAX_CELLS`` pairs, of which at most ``DENSE_PAIR_SHARE``
    are close: ``gated_assignment.gate``) are solved by the exact cutoff-gated sparse assignment
    of ``iadsim.tracking.gated_assignment``, with the dense solution's pairs."""
    m, n = len(truth_m), len(tracks_m)
    if m == 0 or n == 0:
        return _gospa_result(m, n, np.empty(0), np.empty(0, np.intp), np.empty(0, np.intp),
                             cutoff_m, p)
    if (pairs := gate(truth_m, tracks_m, cutoff_m)) is not None:
        return _gospa_sparse(pairs, *gated_matching(pairs, cutoff_m, p), cutoff_m, p)
    d = cdist(np.asarray(truth_m, dtype=float), np.asarray(tracks_m, dtype=float))
    cost = np.minimum(d, cutoff_m) ** p
    rows, cols = linear_sum_assignment(cost)
    close = d[rows, cols] < cutoff_m
    rows, cols = rows[close], cols[close]
    return _gospa_result(m, n, d[rows, cols], rows, cols, cutoff_m, p)


def _gospa_sparse(pairs: ClosePairs, rows: NDArray[np.intp], cols: NDArray[np.intp],
                  cutoff_m: float, p: float) -> GospaResult:
    return _gospa_result(pairs.m, pairs.n, pairs.distance(rows, cols), rows, cols, cutoff_m, p)


def _gospa_result(m: int, n: int, d_assigned: Array, rows: NDArray[np.intp],
                  cols: NDArray[np.intp], cutoff_m: float, p: float) -> GospaResult:
    """GOSPA from the distances of the assigned (close) pairs, in truth-row order."""
    loc = float(np.sum(d_assigned ** p))
    n_missed, n_false = m - len(rows), n - len(rows)
    miss = cutoff_m**p / 2.0 * n_missed
    false = cutoff_m**p / 2.0 * n_false
    return GospaResult(
        float((loc + miss + false) ** (1 / p)), loc ** (1 / p), miss ** (1 / p), false ** (1 / p),
        n_missed, n_false, rows.astype(np.intp), cols.astype(np.intp),
    )


def ospa(truth_m: Array, tracks_m: Array, *, cutoff_m: float, p: float = 2.0) -> float:
    """OSPA distance between truth ``(m, 3)`` and tracks ``(n, 3)``; 0 if both are empty.

    Large sets are solved sparsely, as in ``gospa`` (the same optimal pairs; the sum may differ
    from the dense one in the last bit, by the order of addition)."""
    m, n = len(truth_m), len(tracks_m)
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(cutoff_m)
    if (pairs := gate(truth_m, tracks_m, cutoff_m)) is not None:
        return _ospa_sparse(pairs, *gated_matching(pairs, cutoff_m, p), cutoff_m, p)
    d = np.minimum(cdist(np.asarray(truth_m, float), np.asarray(tracks_m, float)), cutoff_m) ** p
    rows, cols = linear_sum_assignment(d)
    total = d[rows, cols].sum() + cutoff_m**p * abs(m - n)
    return float((total / max(m, n)) ** (1 / p))


def _ospa_sparse(pairs: ClosePairs, rows: NDArray[np.intp], cols: NDArray[np.intp],
                 cutoff_m: float, p: float) -> float:
    """OSPA from the gated matching (GOSPA's: the same optimum, ``d**p - c**p`` per pair)."""
    m, n = pairs.m, pairs.n
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(cutoff_m)
    far = np.full(min(m, n) - len(rows), cutoff_m**p)
    total = np.concatenate([pairs.distance(rows, cols) ** p, far]).sum()
    total = total + cutoff_m**p * abs(m - n)
    return float((total / max(m, n)) ** (1 / p))


@dataclass(frozen=True, slots=True)
class TrackingMetrics:
    """Tracking scores of a run.

    ``per_step``: one row per time (``time_s``, ``gospa_m``, ``localisation_m``, ``missed_m``,
    ``false_m``, ``ospa_m``, ``n_truth``, ``n_tracks``, ``n_missed``, ``n_false``).
    ``per_threat``: one row per threat (``threat_id``, ``first_assigned_s``, ``track_breaks``,
    ``swaps``, and with the threat table given its ``TIMING_COLUMNS``).
    ``per_type``: one row per threat type when the threat table gives ``type`` (see
    ``per_type_metrics``), else empty.
    ``summary``: means of the per-step columns, totals of breaks and swaps, and with the threat
    table its timing summary (``iadsim.tracking.timing.timing_summary``).
    """

    per_step: pd.DataFrame
    per_threat: pd.DataFrame
    summary: dict[str, float]
    per_type: pd.DataFrame


def tracking_metrics(
    truth: pd.DataFrame,
    tracks: pd.DataFrame,
    *,
    cutoff_m: float = 5_000.0,
    p: float = 2.0,
    threats: pd.DataFrame | None = None,
) -> TrackingMetrics:
    """GOSPA, OSPA, breaks, swaps and track delays of confirmed tracks against the truth.

    Parameters
    ----------
    truth
        ``truth.parquet`` rows: ``time_s``, ``threat_id``, ``east_m``, ``north_m``, ``up_m``.
    tracks
        ``tracks.parquet`` rows: ``time_s``, ``track_id``, ``confirmed``, ``east_m``,
        ``north_m``, ``up_m``; only confirmed rows are scored. Sampled on the truth's times.
    cutoff_m, p
        GOSPA/OSPA cutoff and order.
    threats
        Optional ``threats.parquet`` (``threat_id``, ``first_detection_s``, ``first_track_s``,
        optionally ``launch_time_s`` and ``type``): its timing columns (one definition,
        ``iadsim.tracking.timing``) join ``per_threat`` and the summary, and with ``type`` the
        metrics are also given per threat type.

    For continuity a threat keeps the track it followed at the previous time while that track
    stays within the cutoff and is not more than twice as close to another threat; the others
    are matched by minimum total distance (CLEAR MOT style). A *break* is a return to tracked
    after a gap, a *swap* a change of the track id following it; ``first_assigned_s`` is the
    first time a confirmed track is matched to the threat this way (geometry, not labels).
    ``summary["missed_fraction_after_first_track"]`` is the share of truth samples after each
    threat's first assigned time with no track on the threat.
    """
    if "confirmed" in tracks.columns:
        tracks = tracks[tracks["confirmed"].astype(bool)]
    times = np.union1d(truth["time_s"].to_numpy(float), tracks["time_s"].to_numpy(float))
    tr_t, tr_pos, tr_id = _by_time(truth, "threat_id")
    tk_t, tk_pos, tk_id = _by_time(tracks, "track_id")
    steps: list[tuple[float, ...]] = []
    links: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]] = []
    errors: list[Array] = []  # per truth sample: distance to its GOSPA-assigned track, or NaN
    held: dict[int, int] = {}  # threat -> track at the previous time (CLEAR MOT style)
    for t in times:
        a0, a1 = int(np.searchsorted(tr_t, t, "left")), int(np.searchsorted(tr_t, t, "right"))
        b0, b1 = int(np.searchsorted(tk_t, t, "left")), int(np.searchsorted(tk_t, t, "right"))
        pairs = gate(tr_pos[a0:a1], tk_pos[b0:b1], cutoff_m)  # one gate for all three
        if pairs is not None:  # large and not tightly clustered: sparse
            rows, cols = gated_matching(pairs, cutoff_m, p)
            g = _gospa_sparse(pairs, rows, cols, cutoff_m, p)
            o = _ospa_sparse(pairs, rows, cols, cutoff_m, p)
            assigned = _sticky_sparse(pairs, tr_id[a0:a1], tk_id[b0:b1], held, cutoff_m)
        else:
            g = gospa(tr_pos[a0:a1], tk_pos[b0:b1], cutoff_m=cutoff_m, p=p)
            o = ospa(tr_pos[a0:a1], tk_pos[b0:b1], cutoff_m=cutoff_m, p=p)
            assigned = _sticky_assignment(tr_pos[a0:a1], tr_id[a0:a1], tk_pos[b0:b1],
                                          tk_id[b0:b1], held, cutoff_m)
        steps.append((t, g.gospa_m, g.localisation_m, g.missed_m, g.false_m, o,
                      a1 - a0, b1 - b0, g.n_missed, g.n_false))
        held = {int(a): int(b) for a, b in zip(tr_id[a0:a1], assigned, strict=True) if b >= 0}
        links.append((np.full(a1 - a0, t), tr_id[a0:a1], assigned))
        err = np.full(a1 - a0, np.nan)
        err[g.truth_index] = np.linalg.norm(
            tr_pos[a0 + g.truth_index] - tk_pos[b0 + g.track_index], axis=1)
        errors.append(err)
    per_step = pd.DataFrame(
        steps,
        columns=["time_s", "gospa_m", "localisation_m", "missed_m", "false_m", "ospa_m",
                 "n_truth", "n_tracks", "n_missed", "n_false"],
    ).astype({"n_truth": np.int64, "n_tracks": np.int64, "n_missed": np.int64,
              "n_false": np.int64})
    per_threat = _continuity(links)
    samples = _samples(links, errors)
    summary: dict[str, float] = {
        "missed_fraction_after_first_track": _missed_after_first_track(samples),
        "gospa_m": _mean(per_step["gospa_m"]),
        "localisation_m": _mean(per_step["localisation_m"]),
        "missed_m": _mean(per_step["missed_m"]),
        "false_m": _mean(per_step["false_m"]),
        "ospa_m": _mean(per_step["ospa_m"]),
        "missed_fraction": float(per_step["n_missed"].sum() / max(per_step["n_truth"].sum(), 1)),
        "false_tracks_mean": _mean(per_step["n_false"]),
        "track_breaks": int(per_threat["track_breaks"].sum()),
        "swaps": int(per_threat["swaps"].sum()),
        "threats_assigned": int(per_threat["first_assigned_s"].notna().sum()),
        "cutoff_m": float(cutoff_m),
        "p": float(p),
    }
    per_type = pd.DataFrame()
    if threats is not None:
        timed = with_track_timing(threats)
        keep = ["threat_id", *(c for c in TIMING_COLUMNS if c in timed.columns)]
        per_threat = per_threat.merge(timed[keep], on="threat_id", how="left")
        summary.update(timing_summary(timed))
        if "type" in threats.columns:
            per_type = per_type_metrics(samples, per_threat, timed[["threat_id", "type"]],
                                        cutoff_m=cutoff_m, p=p)
    return TrackingMetrics(per_step=per_step, per_threat=per_threat, summary=summary,
                           per_type=per_type)


PER_TYPE_COLUMNS = (
    "type", "threats", "gospa_m", "localisation_m", "missed_m", "rms_error_m",
    "missed_fraction", "missed_fraction_after_first_track", "track_breaks", "swaps",
    "threats_detected", "threats_tracked", "track_delay_s_mean", "track_delay_s_median",
    "time_to_track_s_mean",
)


def per_type_metrics(samples: pd.DataFrame, per_threat: pd.DataFrame, types: pd.DataFrame,
                     *, cutoff_m: float, p: float) -> pd.DataFrame:
    """One row per threat type (columns ``PER_TYPE_COLUMNS``).

    GOSPA is split by the type of each truth sample: at each time, a type's part is
    ``(sum of d**p over its assigned threats + cutoff**p / 2 per missed one) ** (1/p)`` with
    the assignment of the whole picture, so the parts of all types and the false-track part add
    up (as p-th powers) to the whole GOSPA; false tracks belong to no type. ``gospa_m``,
    ``localisation_m`` and ``missed_m`` are means over the times the type has threats in the
    air; ``rms_error_m`` is the RMS distance of its assigned threat samples to their tracks;
    ``missed_fraction`` the share of its samples without an assigned track. Breaks, swaps and
    the timing (``iadsim.tracking.timing``) are summed or averaged over the type's threats.
    """
    type_of = dict(zip(types["threat_id"].tolist(), types["type"].astype(str).tolist(),
                       strict=True))
    s = samples.assign(type=samples["threat_id"].map(type_of).fillna("unknown"))
    d = s["error_m"].to_numpy(float)
    hit = np.isfinite(d)
    s = s.assign(loc_p=np.where(hit, d, 0.0) ** p, miss_p=np.where(hit, 0.0, cutoff_m**p / 2.0),
                 sq=np.where(hit, d, 0.0) ** 2, hit=hit)
    step = s.groupby(["type", "time_s"], sort=True)[["loc_p", "miss_p"]].sum()
    step = step.assign(gospa_m=(step["loc_p"] + step["miss_p"]) ** (1.0 / p),
                       localisation_m=step["loc_p"] ** (1.0 / p),
                       missed_m=step["miss_p"] ** (1.0 / p))
    means = step.groupby(level="type")[["gospa_m", "localisation_m", "missed_m"]].mean()
    by = s.groupby("type")
    n_hit = by["hit"].sum()
    rows = pd.DataFrame({
        "gospa_m": means["gospa_m"], "localisation_m": means["localisation_m"],
        "missed_m": means["missed_m"],
        "rms_error_m": np.sqrt(by["sq"].sum() / n_hit.where(n_hit > 0)),
        "missed_fraction": 1.0 - n_hit / by["hit"].size(),
        "missed_fraction_after_first_track": s[s["after_first"]].groupby("type")["hit_sticky"]
        .apply(lambda x: float(np.mean(~x.to_numpy(bool)))),
    })
    threat_rows = per_threat.assign(type=per_threat["threat_id"].map(type_of).fillna("unknown"))
    out = []
    for name, grp in threat_rows.groupby("type", sort=True):
        timing = timing_summary(grp) if "track_delay_s" in grp.columns else {}
        out.append({"type": name, "threats": len(grp),
                    "track_breaks": int(grp["track_breaks"].sum()),
                    "swaps": int(grp["swaps"].sum()), **timing})
    table = pd.DataFrame(out).merge(rows, left_on="type", right_index=True, how="left") \
        if out else pd.DataFrame(columns=list(PER_TYPE_COLUMNS))
    return table.reindex(columns=list(PER_TYPE_COLUMNS))


def _samples(
    links: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]],
    errors: list[Array],
) -> pd.DataFrame:
    """One row per truth sample: ``time_s``, ``threat_id``, ``error_m`` (GOSPA-assigned track,
    NaN if missed), ``hit_sticky`` (a continuity track follows it) and ``after_first`` (at or
    after the threat's first continuity-tracked time)."""
    if not links:
        return pd.DataFrame({"time_s": [], "threat_id": pd.Series(dtype=np.int64),
                             "error_m": [], "hit_sticky": pd.Series(dtype=bool),
                             "after_first": pd.Series(dtype=bool)})
    t = np.concatenate([lk[0] for lk in links])
    threat = np.concatenate([lk[1] for lk in links])
    tracked = np.concatenate([lk[2] for lk in links]) >= 0
    ids, inverse = np.unique(threat, return_inverse=True)
    first = np.full(len(ids), np.inf)
    np.minimum.at(first, inverse[tracked], t[tracked])
    return pd.DataFrame({"time_s": t, "threat_id": threat, "error_m": np.concatenate(errors),
                         "hit_sticky": tracked, "after_first": t >= first[inverse]})


def _missed_after_first_track(samples: pd.DataFrame) -> float:
    """Share of truth samples, after each threat's first tracked time, with no track on it."""
    after = samples["after_first"].to_numpy(bool)
    if not after.any():
        return float("nan")
    return float(np.mean(~samples["hit_sticky"].to_numpy(bool)[after]))


def _mean(s: pd.Series) -> float:
    s = s.dropna()
    return float(s.mean()) if len(s) else float("nan")


def _by_time(frame: pd.DataFrame, id_column: str) -> tuple[Array, Array, NDArray[np.int64]]:
    """Rows sorted by time: times ``(n,)``, positions ``(n, 3)``, ids ``(n,)``."""
    order = np.argsort(frame["time_s"].to_numpy(float), kind="stable")
    t = frame["time_s"].to_numpy(float)[order]
    pos = frame[list(TRUTH_COLUMNS)].to_numpy(float)[order]
    ids = frame[id_column].to_numpy(np.int64)[order]
    return t, pos, ids


def _sticky_assignment(
    truth_m: Array, truth_id: NDArray[np.int64], tracks_m: Array, track_id: NDArray[np.int64],
    held: dict[int, int], cutoff_m: float,
) -> NDArray[np.int64]:
    """Track id followed by each truth ``(m,)`` (-1: none), keeping last time's pairs.

    As in the CLEAR MOT metrics a threat keeps the track it had while that track stays within
    the cutoff, unless the track has come more than twice as close to another threat (so in a
    dense stream a track that has wandered to another threat is let go). The others are matched
    by minimum total distance.
    """
    m, n = len(truth_m), len(tracks_m)
    out = np.full(m, -1, dtype=np.int64)
    if m == 0 or n == 0:
        return out
    d = cdist(truth_m, tracks_m)
    nearest = d.min(axis=0)  # each track's distance to its nearest threat
    col_of = {int(k): j for j, k in enumerate(track_id)}
    free_t = np.ones(m, dtype=bool)
    free_k = np.ones(n, dtype=bool)
    for i, tid in enumerate(truth_id):
        j = col_of.get(held.get(int(tid), -1), -1)
        if j >= 0 and free_k[j] and d[i, j] < cutoff_m and d[i, j] <= 2.0 * nearest[j]:
            out[i], free_t[i], free_k[j] = track_id[j], False, False
    rows, cols = np.flatnonzero(free_t), np.flatnonzero(free_k)
    if len(rows) and len(cols):
        sub = np.minimum(d[np.ix_(rows, cols)], cutoff_m)
        r, c = linear_sum_assignment(sub)
        ok = sub[r, c] < cutoff_m
        out[rows[r[ok]]] = track_id[cols[c[ok]]]
    return out


def _sticky_sparse(
    pairs: ClosePairs, truth_id: NDArray[np.int64], track_id: NDArray[np.int64],
    held: dict[int, int], cutoff_m: float,
) -> NDArray[np.int64]:
    """``_sticky_assignment`` on the close pairs only (the same rule and the same total cost;
    with exact distance ties another optimal matching may be chosen than the dense one's)."""
    m, n = pairs.m, pairs.n
    out = np.full(m, -1, dtype=np.int64)
    if m == 0 or n == 0:
        return out
    free_t = np.ones(m, dtype=bool)
    free_k = np.ones(n, dtype=bool)
    if held:
        want = np.array([held.get(int(tid), -1) for tid in truth_id], dtype=np.int64)
        by_id = np.argsort(track_id, kind="stable")
        at = np.minimum(np.searchsorted(track_id[by_id], want), n - 1)
        col = np.where(track_id[by_id[at]] == want, by_id[at], -1)
        i = np.flatnonzero(col >= 0)
        j = col[i]
        d = pairs.distance(i, j)
        ok = (d < cutoff_m) & (d <= 2.0 * pairs.nearest()[j])
        i, j = i[ok], j[ok]
        _, first = np.unique(j, return_index=True)  # a track goes to the first truth holding it
        i, j = i[np.sort(first)], j[np.sort(first)]
        out[i], free_t[i], free_k[j] = track_id[j], False, False
    rest = pairs.subset(free_t[pairs.i] & free_k[pairs.j])
    r, c = gated_matching(rest, cutoff_m, 1.0)
    out[r] = track_id[c]
    return out


def _continuity(
    links: list[tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]],
) -> pd.DataFrame:
    """Per threat: first assigned time, breaks (returns after a gap), swaps (track id changes)."""
    columns = ["threat_id", "first_assigned_s", "track_breaks", "swaps"]
    if not links:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "first_assigned_s" else np.int64)
                             for c in columns})
    t = np.concatenate([lk[0] for lk in links])
    threat = np.concatenate([lk[1] for lk in links])
    track = np.concatenate([lk[2] for lk in links])
    order = np.lexsort((t, threat))
    t, threat, track = t[order], threat[order], track[order]
    ids, start = np.unique(threat, return_index=True)
    tracked = track >= 0
    same = np.zeros(len(t), dtype=bool)
    same[1:] = threat[1:] == threat[:-1]
    prev_tracked = np.zeros(len(t), dtype=bool)
    prev_tracked[1:] = tracked[:-1]
    rising = tracked & ~(same & prev_tracked)
    starts_per = np.add.reduceat(rising.astype(np.int64), start) if len(t) else np.empty(0)
    breaks = np.maximum(starts_per - 1, 0)
    # swaps: among tracked rows, the track id differs from the previous tracked row's
    k = np.flatnonzero(tracked)
    change = np.zeros(len(k), dtype=np.int64)
    if len(k) > 1:
        change[1:] = (threat[k[1:]] == threat[k[:-1]]) & (track[k[1:]] != track[k[:-1]])
    swaps = np.bincount(np.searchsorted(ids, threat[k]), weights=change, minlength=len(ids))
    first = np.full(len(ids), np.nan)
    if len(k):
        kt, kidx = np.unique(np.searchsorted(ids, threat[k]), return_index=True)
        first[kt] = t[k][kidx]
    return pd.DataFrame(
        {
            "threat_id": ids.astype(np.int64),
            "first_assigned_s": first,
            "track_breaks": breaks.astype(np.int64),
            "swaps": swaps.astype(np.int64),
        }
    )
