"""Tests of iadsim.reports.page and build: one offline HTML file, user text escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs
from report_fakes import write_run_folder

from iadsim.errors import InputDataError
from iadsim.reports import build_report
from iadsim.reports.page import Page, Section, figure_json, render

EVIL = '</script><script>alert("pwned")</script> & <b>bold</b>'


def test_page_embeds_plotly_once_and_each_figure_as_json() -> None:
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name=EVIL))
    page = render(Page(title="t", sections=[Section("a", "A", {"fig-a": fig})]))
    assert page.count(get_plotlyjs()) == 1
    assert "default-src 'none'" in page  # the CSP forbids every network request
    found = re.search(r'<script type="application/json" id="fig-a-json">(.*?)</script>', page,
                      re.S)
    assert found is not None
    assert json.loads(found.group(1))["data"][0]["name"] == EVIL  # \u003c decodes back


def test_no_user_text_can_close_a_script_or_add_markup() -> None:
    fig = go.Figure(go.Scatter(x=[1], y=[1], name=EVIL, hovertext=[EVIL]))
    page = render(Page(title=EVIL, facts={EVIL: EVIL},
                       sections=[Section("s", EVIL, {"fig-s": fig}, note=EVIL)], footer=EVIL))
    body = page.replace(get_plotlyjs(), "")
    assert "alert(" in body  # the text is there ...
    assert '<script>alert("pwned")' not in body  # ... but never as markup
    assert "<b>bold</b>" not in body
    # every <script> element in the page is one of ours: plotly.js, the figure, config, boot
    assert body.count("<script") == 4
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;pwned&quot;)" in body
    assert "<" not in figure_json(fig)


def test_build_report_of_a_run_folder(run_dir: Path) -> None:
    files = build_report(run_dir)
    assert files.html == run_dir / "report.html" and files.pngs == ()
    html = files.html.read_text(encoding="utf-8")
    for fig_id in ("fig-replay", "fig-timeline", "fig-tracking", "fig-outcome", "fig-threats"):
        assert f'id="{fig_id}"' in html
    assert "<title>toy run — iadsim report</title>" in html


def test_scenario_name_with_script_shows_as_text(tmp_path: Path) -> None:
    out = write_run_folder(tmp_path / "evil", name='<script>alert("x")</script>')
    html = build_report(out).html.read_text(encoding="utf-8").replace(get_plotlyjs(), "")
    assert '<script>alert("x")</script>' not in html
    assert '<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>' in html


def test_not_a_results_folder(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="not an iadsim output folder"):
        build_report(tmp_path)


def test_empty_tables_still_report(run_dir: Path) -> None:
    """n = 0: a folder whose tables have their columns but no rows (and one with no tables)."""
    import pandas as pd

    from iadsim.reports.load import COLUMNS

    for name, columns in COLUMNS.items():
        pd.DataFrame({c: pd.Series(dtype=float) for c in columns}).to_parquet(
            run_dir / f"{name}.parquet")
    assert "fig-replay" in build_report(run_dir).html.read_text(encoding="utf-8")
    for name in COLUMNS:
        (run_dir / f"{name}.parquet").unlink()
    assert "fig-timeline" in build_report(run_dir).html.read_text(encoding="utf-8")
