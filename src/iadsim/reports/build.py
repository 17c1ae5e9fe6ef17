"""``iadsim report OUT_DIR``: read an output folder, build every figure, write the page.

Stage: reports (read results only). In: a run folder (``iadsim run --out``) or a Monte Carlo
folder (``iadsim mc``/``sweep``: ``manifest.json``, ``replications/``, ``summary.parquet``).
Out: ``OUT_DIR/report.html`` (self-contained, offline) and, with ``png=True``, the same charts
as ``OUT_DIR/report_png/*.png``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from iadsim.errors import InputDataError
from iadsim.reports.ew_outcomes import build_ew_table
from iadsim.reports.load import RunResults, is_run_folder, read_run
from iadsim.reports.outcome_tables import build_outcome_summary, build_outcome_table
from iadsim.reports.page import FigureLike, Page, Section, render
from iadsim.reports.replay import AnimatedFigure, build_replay, final_state
from iadsim.reports.sweep_charts import build_sweep_page, is_sweep_folder
from iadsim.reports.timeline import build_timeline
from iadsim.reports.tracking_quality import build_tracking, build_tracking_by_type

REPORT_FILE = "report.html"
PNG_FOLDER = "report_png"


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What ``build_report`` wrote."""

    html: Path
    pngs: tuple[Path, ...] = ()


def run_page(run: RunResults, *, coverage_alt_m: float = 100.0, max_frames: int = 240) -> Page:
    """The page of one run: replay, engagement timeline, tracking quality, outcome."""
    s = run.summary
    facts = {
        "seed": str(s.get("seed", "?")),
        "simulated": f"{float(s.get('duration_s', 0.0)):g} s",
        "threats": str(s.get("threat_count", len(run.threats))),
        "killed": str(s.get("kills", "?")),
        "leaked": str(s.get("leakers", "?")),
        "rounds": str(s.get("rounds_total", sum((s.get("rounds_spent") or {}).values()))),
    }
    if "interceptor_cost" in s:
        facts["cost"] = f"{float(s['interceptor_cost']):g}"
    per_asset = s.get("leakers_per_asset") or {}
    if per_asset:
        facts["leakers per asset"] = ", ".join(f"{a} {n}" for a, n in per_asset.items())
    return Page(
        title=run.title,
        facts=facts,
        sections=[
            Section("replay", "Replay", {"fig-replay": build_replay(
                run, coverage_alt_m=coverage_alt_m, max_frames=max_frames)},
                note="Press play or drag the time slider. Faint lines: each threat's whole "
                     f"path, coloured by its fate. Radar coverage is drawn at "
                     f"{coverage_alt_m:g} m (range limit and 4/3-earth horizon); launcher "
                     "rings are the interceptor class's maximum range; track circles are "
                     "2 sigma."),
            Section("timeline", "Engagement timeline", {"fig-timeline": build_timeline(run)},
                    note="One row per launcher and fire-control channel (engagements packed "
                         "into the fewest channels); each bar runs from launch to the result."),
            Section("tracking", "Tracking quality", {
                "fig-tracking": build_tracking(run),
                "fig-tracking-types": build_tracking_by_type(run)}),
            Section("outcome", "Outcome", {"fig-outcome": build_outcome_summary(run),
                                           "fig-threats": build_outcome_table(run)}),
            *_contested_section(run),
        ],
        footer=f"iadsim report of {run.out_dir.name}. Notional parameters, textbook models.",
    )


def _contested_section(run: RunResults) -> list[Section]:
    """The contested fight's outcomes (a run with an ``ew`` section), else nothing."""
    fig = build_ew_table(run)
    return [] if fig is None else [Section(
        "contested", "Contested fight", {"fig-ew": fig},
        note="Emitting time and loss per radar; burn-through per jammer from the jamming "
             "equation at the radar's search look (self-screening: the carrier's RCS in the "
             "main lobe; stand-off: a 1 m2 target with the jammer in the sidelobes); strobes, "
             "jammer tracks, ARMs and the rounds that decoys and false tracks drew.")]


def _still(fig: FigureLike) -> go.Figure:
    if isinstance(fig, AnimatedFigure):
        return final_state(fig)
    assert isinstance(fig, go.Figure)
    return go.Figure(fig)


def write_pngs(page: Page, folder: Path) -> tuple[Path, ...]:
    """Every figure of ``page`` as a PNG in ``folder`` (the replay at its last frame).

    Uses kaleido, which drives a local Chrome/Chromium (Debian: ``apt-get install chromium``).
    """
    import plotly.io as pio

    folder.mkdir(parents=True, exist_ok=True)
    figs, paths = [], []
    for section in page.sections:
        for fig_id, fig in section.figures.items():
            still = _still(fig)
            still.update_layout(width=1200, height=still.layout.height or 600)
            figs.append(still)
            paths.append(folder / f"{fig_id.removeprefix('fig-')}.png")
    try:
        pio.write_images(figs, paths, scale=1.5, width=[f.layout.width for f in figs],
                         height=[f.layout.height for f in figs])
    except Exception as exc:  # kaleido's errors vary by version; say what is needed
        raise RuntimeError(
            "PNG export needs kaleido and a local Chrome or Chromium "
            f"(Debian: apt-get install chromium): {exc}"
        ) from exc
    return tuple(paths)


def build_report(
    out_dir: str | Path, *, png: bool = False, coverage_alt_m: float = 100.0,
    max_frames: int = 240, html_path: str | Path | None = None,
) -> ReportFiles:
    """Write the report of an output folder.

    Parameters
    ----------
    out_dir
        A run folder or a Monte Carlo folder.
    png
        Also write every chart as a PNG under ``out_dir/report_png``.
    coverage_alt_m
        Target altitude for the radar coverage drawn on the replay map.
    max_frames
        Upper bound on the replay's animation frames.
    html_path
        Where to write the page (default ``out_dir/report.html``).
    """
    out = Path(out_dir)
    if is_run_folder(out):
        page = run_page(read_run(out), coverage_alt_m=coverage_alt_m, max_frames=max_frames)
    elif is_sweep_folder(out):
        page = build_sweep_page(out)
    else:
        raise InputDataError(
            f"{out}: not an iadsim output folder (no summary.json + scenario.json of a run, "
            "no manifest.json of a Monte Carlo sweep)")
    target = Path(html_path) if html_path is not None else out / REPORT_FILE
    target.write_text(render(page), encoding="utf-8")
    pngs = write_pngs(page, out / PNG_FOLDER) if png else ()
    return ReportFiles(html=target, pngs=pngs)
