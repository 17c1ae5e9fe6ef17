"""Reports stage: self-contained HTML reports and static charts of results folders.

``build_report(OUT_DIR)`` reads a run folder (``iadsim run --out``) or a Monte Carlo folder
(``iadsim mc``/``sweep``) and writes ``OUT_DIR/report.html``; it reads results only.
"""

from iadsim.reports.build import ReportFiles, build_report

__all__ = ["ReportFiles", "build_report"]
