"""Static weapon-target assignment: exact vs fast solver on Ahuja et al. (2007) random instances.

Instances: n weapons x n threats, one round per weapon, values V_j ~ U[25, 100], kill
probabilities p_ij ~ U[0.60, 0.90] (Ahuja, Kumar, Jha and Orlin, Operations Research 55(6),
2007). For every size the fast solver (MMR + neighbourhood search) is compared with

* the exact solver's proven optimum (sizes up to 200), and
* at 200 and 1000, an iterated local search of ``--long-s`` seconds (the "far longer search").

Prints one line per instance and ends with one JSON line of every figure.

Usage: ``python benchmarks/wta.py [--long-s 60] [--seeds 10]``

``--family`` runs the multi-round standard families instead (m weapons x n = 2m threats,
integer values 1..100, p ~ U(0, 1), mu = 1, 2, 3 rounds per weapon; sizes from
``--sizes``): the fast solver's objective and CPU time against the exact solver's
(``--exact-s`` per instance, up to ``--exact-max`` weapons) optimum or best found, with the
exact solver's proof status, stop reason and lower bound; ``--family-seeds`` instances per
family, ``--best-s`` seconds of iterated local search per instance for a best known value
beyond the exact solver's reach.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from iadsim.command.assignment import make_problem
from iadsim.command.wta_exact import solve_exact
from iadsim.command.wta_fast import search_longer, solve_fast


def instance(n: int, seed: int):
    rng = np.random.default_rng([2007, n, seed])
    return make_problem(rng.uniform(25.0, 100.0, n), rng.uniform(0.60, 0.90, (n, n)))


def pct(a: float, b: float) -> float:
    return 100.0 * (a - b) / b


def family(m: int, mu: int, seed: int):
    rng = np.random.default_rng([13, m, mu, seed])
    return make_problem(
        rng.integers(1, 101, 2 * m).astype(float),
        rng.uniform(0.0, 1.0, (m, 2 * m)),
        rounds=np.full(m, mu),
    )


def run_families(sizes: list[int], exact_s: float, exact_max: int, seeds: int = 1,
                 best_s: float = 0.0) -> None:
    """Fast solver on the families against the exact solver (up to ``exact_max`` weapons)
    and, with ``best_s`` > 0, an iterated local search of that many seconds (the best of
    both is the best known); prints one line per instance, then the worst gap and CPU time
    up to 300 weapons, and one JSON line."""
    import os

    rows = []
    print(f"{'size':>9} {'mu':>2} {'seed':>4} {'fast obj':>10} {'cpu s':>6} {'exact obj':>10} "
          f"{'lb':>10} {'proven':>6} {'reason':>12} {'ex wall s':>9} {'long obj':>10} "
          f"{'gap %':>7}")
    for m in sizes:
        for mu in (1, 2, 3):
            for seed in range(seeds):
                p = family(m, mu, seed)
                c0 = time.process_time()
                fast = solve_fast(p)
                cpu = time.process_time() - c0
                row = {"m": m, "mu": mu, "seed": seed, "fast": fast.objective, "fast_cpu_s": cpu}
                known = [fast.objective]
                if m <= exact_max:
                    w0 = time.perf_counter()
                    ex = solve_exact(p, time_limit_s=exact_s)
                    row.update(exact=ex.objective, lower=ex.lower_bound,
                               proven=ex.proven_optimal, reason=ex.stop_reason,
                               exact_wall_s=time.perf_counter() - w0)
                    known.append(ex.objective)
                if best_s > 0.0:
                    row["long"] = search_longer(p, time_limit_s=best_s,
                                                rng=np.random.default_rng(1)).objective
                    known.append(row["long"])
                if len(known) > 1:
                    row["gap_pct"] = pct(fast.objective, min(known))
                rows.append(row)
                print(f"{m:>4}x{2 * m:<4} {mu:>2} {seed:>4} {fast.objective:>10.4f} {cpu:>6.2f} "
                      f"{row.get('exact', float('nan')):>10.4f} "
                      f"{row.get('lower', float('nan')):>10.4f} "
                      f"{row.get('proven', '-')!s:>6} {row.get('reason', '-'):>12} "
                      f"{row.get('exact_wall_s', float('nan')):>9.1f} "
                      f"{row.get('long', float('nan')):>10.4f} "
                      f"{row.get('gap_pct', float('nan')):>7.3f}", flush=True)
    print(f"{'size':>9} {'mu':>2} {'seeds':>5} {'worst gap %':>11} {'seed':>4} {'CPU max s':>9}")
    for m in sizes:
        for mu in (1, 2, 3):
            fam = [r for r in rows if r["m"] == m and r["mu"] == mu]
            gapped = [r for r in fam if "gap_pct" in r]
            worst = max(gapped, key=lambda r: r["gap_pct"]) if gapped else None
            print(f"{m:>4}x{2 * m:<4} {mu:>2} {len(fam):>5} "
                  f"{worst['gap_pct'] if worst else float('nan'):>11.3f} "
                  f"{worst['seed'] if worst else '-':>4} "
                  f"{max(r['fast_cpu_s'] for r in fam):>9.2f}")
    upto = [r for r in rows if r["m"] <= 300]
    gaps = [r["gap_pct"] for r in upto if "gap_pct" in r]
    summary = {"max_gap_pct_upto_300": max(gaps) if gaps else None,
               "max_fast_cpu_s_upto_300": max(r["fast_cpu_s"] for r in upto) if upto else None}
    print(f"up to 300 weapons: worst gap {summary['max_gap_pct_upto_300']} %, "
          f"worst CPU {summary['max_fast_cpu_s_upto_300']} s; load average {os.getloadavg()}")
    print(json.dumps({"families": rows, **summary, "loadavg": os.getloadavg()}, default=float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="store_true", help="multi-round standard families")
    parser.add_argument("--sizes", default="50,100,150,300,500", help="weapons m (n = 2m)")
    parser.add_argument("--exact-s", type=float, default=60.0)
    parser.add_argument("--exact-max", type=int, default=150)
    parser.add_argument(
        "--long-s", type=float, default=60.0, help="longer search budget at 200, 1000"
    )
    parser.add_argument("--seeds", type=int, default=10, help="instances per size up to 20")
    parser.add_argument("--family-seeds", type=int, default=1, help="instances per family")
    parser.add_argument("--best-s", type=float, default=0.0,
                        help="with --family: iterated local search per instance (best known)")
    args = parser.parse_args()
    if args.family:
        run_families([int(v) for v in args.sizes.split(",")], args.exact_s, args.exact_max,
                     args.family_seeds, args.best_s)
        return

    figures: dict[str, float | int | bool | None] = {}
    gaps_small: list[float] = []
    exact_s_20: list[float] = []
    print(
        f"{'size':>9} {'seed':>4} {'fast obj':>11} {'fast s':>7} {'exact obj':>11} "
        f"{'exact s':>8} {'proven':>6} {'gap %':>8}"
    )
    for n in (5, 10, 20, 50, 100, 200):
        seeds = range(args.seeds) if n <= 20 else range(1)
        for seed in seeds:
            p = instance(n, seed)
            t = time.perf_counter()
            fast = solve_fast(p)
            fast_s = time.perf_counter() - t
            t = time.perf_counter()
            exact = solve_exact(p, time_limit_s=120.0)
            exact_s = time.perf_counter() - t
            ref = exact.objective if exact.proven_optimal else exact.lower_bound
            gap = pct(fast.objective, ref)
            print(
                f"{n:>4}x{n:<4} {seed:>4} {fast.objective:>11.4f} {fast_s:>7.3f} "
                f"{exact.objective:>11.4f} {exact_s:>8.2f} {exact.proven_optimal!s:>6} {gap:>8.4f}",
                flush=True,
            )
            if n <= 20:
                assert exact.proven_optimal
                gaps_small.append(gap)
            if n == 20:
                exact_s_20.append(exact_s)
            if n == 200:
                figures.update(
                    fast_obj_200=fast.objective,
                    fast_s_200=fast_s,
                    exact_obj_200=exact.objective,
                    exact_s_200=exact_s,
                    exact_proven_200=exact.proven_optimal,
                    lower_bound_200=exact.lower_bound,
                    gap_to_lower_bound_pct_200=pct(fast.objective, exact.lower_bound),
                )
                p200, fast200 = p, fast
    figures["max_gap_pct_upto_20"] = max(gaps_small)
    figures["mean_gap_pct_upto_20"] = float(np.mean(gaps_small))
    figures["instances_upto_20"] = len(gaps_small)
    figures["exact_s_20"] = max(exact_s_20)

    t = time.perf_counter()
    longer = search_longer(p200, time_limit_s=args.long_s, rng=np.random.default_rng(1))
    print(
        f"200x200 longer search ({args.long_s:.0f} s): {longer.objective:.4f} "
        f"({time.perf_counter() - t:.1f} s)",
        flush=True,
    )
    best_200 = min(longer.objective, float(figures["exact_obj_200"]))
    figures["long_search_obj_200"] = longer.objective
    figures["gap_pct_200"] = pct(fast200.objective, best_200)

    p = instance(1000, 0)
    t = time.perf_counter()
    fast = solve_fast(p)
    figures["fast_s_1000"] = time.perf_counter() - t
    figures["fast_obj_1000"] = fast.objective
    t = time.perf_counter()
    longer = search_longer(p, time_limit_s=args.long_s, rng=np.random.default_rng(1))
    figures["long_search_obj_1000"] = longer.objective
    figures["gap_pct_1000"] = pct(fast.objective, min(longer.objective, fast.objective))
    print(
        f"1000x1000 fast: {fast.objective:.4f} in {figures['fast_s_1000']:.2f} s; longer search "
        f"({args.long_s:.0f} s): {longer.objective:.4f}; gap {figures['gap_pct_1000']:.4f} % "
        "(no proven lower bound at this size)",
        flush=True,
    )
    print(
        f"200x200: fast {figures['fast_obj_200']:.4f} in {figures['fast_s_200']:.3f} s, "
        f"best known {best_200:.4f}, gap {figures['gap_pct_200']:.4f} %, "
        f"proven lower bound {figures['lower_bound_200']:.4f} "
        f"(gap {figures['gap_to_lower_bound_pct_200']:.4f} %)"
    )
    print(json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
