"""Engagement envelopes drawn from the fly-out table: per interceptor class, reach and time.

Reads the scenario only (the table is rebuilt from its interceptor classes). Out: per class
``envelope_<class>.png`` (time of flight and end speed over ground range x altitude, the
reachable region, the class's stated range and altitude limits) and one ``envelopes.json``
(strict JSON: unreachable cells are null).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from iadsim.engagement.launchers import InterceptorClasses
from iadsim.figures import file_stems, mpl_text, pyplot, save_png
from iadsim.scenario.model import Scenario


def envelope_data(scenario: Scenario) -> dict[str, dict[str, object]]:
    """Per class: grid axes (m), time of flight (s) and end speed (m/s), None where unreachable."""
    classes = InterceptorClasses.from_scenario(scenario)
    tab = classes.table
    assert tab is not None
    _, nr, nh = tab.tof_s.shape
    out: dict[str, dict[str, object]] = {}
    for k, name in enumerate(classes.name):
        def clean(a: np.ndarray) -> list[list[float | None]]:
            return [[None if not np.isfinite(x) else round(float(x), 3) for x in row] for row in a]

        out[name] = {
            "ground_range_m": (np.linspace(0, 1, nr) * tab.range_top_m[k]).round(1).tolist(),
            "altitude_m": (np.linspace(0, 1, nh) * tab.height_top_m[k]).round(1).tolist(),
            "time_of_flight_s": clean(tab.tof_s[k]),
            "end_speed_mps": clean(tab.end_speed_mps[k]),
            "min_range_m": float(classes.min_range_m[k]),
            "max_range_m": float(classes.max_range_m[k]),
            "min_altitude_m": float(classes.min_altitude_m[k]),
            "max_altitude_m": float(classes.max_altitude_m[k]),
        }
    return out


def write_envelopes(scenario: Scenario, out_dir: str | Path, *, png: bool = True) -> list[Path]:
    """Write ``envelopes.json`` and (``png``) one ``envelope_<class>.png`` per class."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = envelope_data(scenario)
    path = out / "envelopes.json"
    path.write_text(json.dumps(data, allow_nan=False), encoding="utf-8")
    files = [path]
    if not png:
        return files
    plt = pyplot()
    for (name, d), stem in zip(data.items(), file_stems(data, sep="_"), strict=True):
        r = np.array(d["ground_range_m"]) / 1e3  # type: ignore[arg-type]
        h = np.array(d["altitude_m"]) / 1e3  # type: ignore[arg-type]
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110, sharey=True)
        for ax, key, label in ((axes[0], "time_of_flight_s", "time of flight (s)"),
                               (axes[1], "end_speed_mps", "end speed (m/s)")):
            z = np.array(d[key], dtype=float).T  # (heights, ranges)
            mesh = ax.pcolormesh(r, h, z, shading="auto", cmap="viridis")
            fig.colorbar(mesh, ax=ax, label=label, shrink=0.85)
            if np.isfinite(z).any():
                ax.contour(r, h, np.isfinite(z).astype(float), levels=[0.5], colors="w")
            lo_r, hi_r = float(d["min_range_m"]) / 1e3, float(d["max_range_m"]) / 1e3  # type: ignore[arg-type]
            lo_h, hi_h = float(d["min_altitude_m"]) / 1e3, float(d["max_altitude_m"]) / 1e3  # type: ignore[arg-type]
            ax.plot([lo_r, hi_r, hi_r, lo_r, lo_r], [lo_h, lo_h, hi_h, hi_h, lo_h], "r--", lw=1,
                    label="stated limits")
            ax.set_xlabel("ground range (km)")
            ax.set_title(mpl_text(f"{name}: {label}"), fontsize=9)
        axes[0].set_ylabel("altitude above the earth (km)")
        axes[0].legend(fontsize=8, loc="upper right")
        fig.suptitle(mpl_text(f"{scenario.name}: fly-out envelope of class {name} "
                              "(white: reachable boundary)"), fontsize=9)
        files.append(save_png(fig, out / f"envelope_{stem}.png"))
    return files
