"""Tracking stage, metrics helper: the cutoff-gated assignment of GOSPA/OSPA, solved sparsely.

GOSPA, OSPA and the continuity matching assign truths to tracks at minimum total cost
``min(d, c) ** p``. A pair at distance ``d >= c`` costs the same as leaving both unassigned, so
only *close* pairs (``d < c``) ever matter, and the close-pair graph splits into connected
components that can be solved one by one: the optimum over all truths x tracks is the union of
the components' optima (exact, not an approximation). A k-d tree finds the close pairs in
``O((m + n) log(m + n))``; most components of a raid are one truth and one track and are matched
without a solver; the rest go to ``scipy.optimize.linear_sum_assignment`` on the component's own
block, whose entries are the very numbers of the dense matrix.

Distances are ``sqrt(dx*dx + dy*dy + dz*dz)`` in that order, as ``scipy.spatial.distance.cdist``
computes them, so every distance and every cost is bit-identical to the dense computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

DENSE_MAX_CELLS = 10_000
"""Truths x tracks up to which the metrics solve the dense matrix (small steps: identical, and
cheaper than building trees)."""

DENSE_PAIR_SHARE = 0.05
"""Share of all truth x track pairs above which the close pairs are too many for the sparse
route to pay (a tightly clustered raid: one big component, a list as long as the matrix), and
the dense matrix is solved instead. Counted before listing (``gate``); exact either way."""

_GATE_MARGIN = 1.0 + 1e-9  # the tree's distances may round differently from cdist's: gate wider


@dataclass(frozen=True, slots=True)
class ClosePairs:
    """Truth-track pairs closer than the gate: rows ``i`` (truth), ``j`` (track), distance ``d``,
    sorted by ``(i, j)``; ``m`` truths and ``n`` tracks in all."""

    i: NDArray[np.intp]
    j: NDArray[np.intp]
    d: NDArray[np.float64]
    m: int
    n: int

    def subset(self, keep: NDArray[np.bool_]) -> ClosePairs:
        return ClosePairs(self.i[keep], self.j[keep], self.d[keep], self.m, self.n)

    def distance(self, i: NDArray[np.intp], j: NDArray[np.intp]) -> NDArray[np.float64]:
        """Distances of pairs ``(i, j)``; ``inf`` for a pair that is not close."""
        key, want = self.i * self.n + self.j, i * self.n + j
        at = np.minimum(np.searchsorted(key, want), max(len(key) - 1, 0))
        found = (key[at] == want) if len(key) else np.zeros(len(want), bool)
        return np.where(found, self.d[at] if len(key) else np.inf, np.inf)

    def nearest(self) -> NDArray[np.float64]:
        """Each track's distance to its nearest close truth, ``inf`` if it has none, (n,)."""
        out = np.full(self.n, np.inf)
        np.minimum.at(out, self.j, self.d)
        return out


def gate(truth_m: NDArray[np.float64], tracks_m: NDArray[np.float64],
         cutoff_m: float) -> ClosePairs | None:
    """The close pairs of truths ``(m, 3)`` and tracks ``(n, 3)``, or None where the dense
    matrix is the cheaper route: up to ``DENSE_MAX_CELLS`` pairs in all, or when the trees
    count (without listing them) more than ``DENSE_PAIR_SHARE`` of all pairs as close."""
    m, n = len(truth_m), len(tracks_m)
    if m * n <= DENSE_MAX_CELLS:
        return None
    truth_m = np.ascontiguousarray(truth_m, dtype=float)
    tracks_m = np.ascontiguousarray(tracks_m, dtype=float)
    a, b = cKDTree(truth_m), cKDTree(tracks_m)
    if int(a.count_neighbors(b, cutoff_m * _GATE_MARGIN)) > DENSE_PAIR_SHARE * m * n:
        return None
    return close_pairs(truth_m, tracks_m, cutoff_m, trees=(a, b))


def close_pairs(truth_m: NDArray[np.float64], tracks_m: NDArray[np.float64],
                cutoff_m: float, *, trees: tuple[cKDTree, cKDTree] | None = None) -> ClosePairs:
    """Every truth-track pair closer than ``cutoff_m`` (and a few at the cutoff, harmless);
    ``trees``: the points' k-d trees, if built already."""
    truth_m = np.ascontiguousarray(truth_m, dtype=float)
    tracks_m = np.ascontiguousarray(tracks_m, dtype=float)
    m, n = len(truth_m), len(tracks_m)
    if m == 0 or n == 0:
        e = np.empty(0, np.intp)
        return ClosePairs(e, e, np.empty(0), m, n)
    a, b = trees if trees is not None else (cKDTree(truth_m), cKDTree(tracks_m))
    found = a.sparse_distance_matrix(b, cutoff_m * _GATE_MARGIN, output_type="ndarray")
    i, j = found["i"].astype(np.intp), found["j"].astype(np.intp)
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    diff = truth_m[i] - tracks_m[j]
    d = np.sqrt(diff[:, 0] * diff[:, 0] + diff[:, 1] * diff[:, 1] + diff[:, 2] * diff[:, 2])
    return ClosePairs(i, j, d, m, n)


def gated_matching(pairs: ClosePairs, cutoff_m: float,
                   p: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Close pairs of a minimum-cost assignment of cost ``min(d, c) ** p``, sorted by truth row:
    the pairs ``linear_sum_assignment`` on the dense matrix keeps once far pairs are dropped when
    the optimum is unique (with exact ties, e.g. co-located truths, another optimum of the same
    cost may be chosen)."""
    if len(pairs.i) == 0:
        e = np.empty(0, np.intp)
        return e, e
    m = pairs.m
    graph = coo_matrix((np.ones(len(pairs.i)), (pairs.i, m + pairs.j)),
                       shape=(m + pairs.n, m + pairs.n))
    _, label = connected_components(graph, directed=False)
    comp = label[pairs.i]
    count = np.bincount(comp)
    single = count[comp] == 1  # a component of one edge: one truth, one track
    rows, cols = [pairs.i[single]], [pairs.j[single]]
    multi = np.flatnonzero(~single)
    if multi.size:
        multi = multi[np.argsort(comp[multi], kind="stable")]
        bounds = np.flatnonzero(np.diff(comp[multi])) + 1
        far = float(cutoff_m) ** p
        for e in np.split(multi, bounds):
            ui, ii = np.unique(pairs.i[e], return_inverse=True)
            uj, jj = np.unique(pairs.j[e], return_inverse=True)
            block = np.full((len(ui), len(uj)), far)
            block[ii, jj] = np.minimum(pairs.d[e], cutoff_m) ** p
            r, c = linear_sum_assignment(block)
            rows.append(ui[r])
            cols.append(uj[c])
    i, j = np.concatenate(rows), np.concatenate(cols)
    d = pairs.distance(i, j)
    keep = d < cutoff_m
    i, j = i[keep], j[keep]
    order = np.argsort(i, kind="stable")
    return i[order], j[order]
