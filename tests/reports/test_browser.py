"""End-to-end test of the HTML pages in a real headless Chromium (DevTools protocol).

A small real run (the default scenario, shortened, with script in every name field: scenario,
assets, radars, interceptor classes, launchers, threats) is written and reported; the page is
opened from disk and must log no console error, make no network request, draw every figure,
answer a click on the time slider by changing the replay frame, show the names as text, and
produce a screenshot that is not blank. The other page kinds (a sweep report whose swept values
are hostile names, the ``iadsim coverage`` page) are loaded from the same hostile scenario: no
script of a name runs (``window.__pwned`` stays undefined, no dialog opens) on any of them.

Skips when no Chromium is installed, except under CI (``CI`` set), where it must run:
``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

websocket = pytest.importorskip("websocket")
from PIL import Image  # noqa: E402
from report_browser import Browser, find_chromium  # noqa: E402
from report_fakes import HOSTILE, fake_replicate, hostile_names  # noqa: E402

from iadsim.reports import build_report  # noqa: E402
from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict  # noqa: E402

CHROMIUM = find_chromium()
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install chromium for the report browser tests "
                           "(apt-get install -y chromium)")
    pytest.skip("no chromium/chrome binary found", allow_module_level=True)

NAME = f'Coastal {HOSTILE} & "friends"'
FIGURES = ("fig-replay", "fig-timeline", "fig-tracking", "fig-tracking-types", "fig-outcome",
           "fig-threats")

FINGERPRINT_JS = """
(() => {
  const gd = document.getElementById('fig-replay');
  return gd._fullData.map(t => {  // decoded arrays (data keeps plotly.js's typed-array specs)
    const x = Array.from(t.x || []).filter(v => v !== null && isFinite(v));
    return [x.length, x.reduce((a, b) => a + b, 0)];
  });
})()
"""


def hostile_data() -> dict:
    """The default scenario cut to 300 s and two threats per group, script in every name."""
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    data["simulation"]["duration_s"] = 300
    for group in data["threats"]:
        group["count"] = min(group["count"], 2)
        group["launch_time_s"] = min(group.get("launch_time_s", 0), 60)
    data = hostile_names(data)
    data["name"] = NAME
    return data


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real, small run of the hostile scenario, reported."""
    from iadsim.simulation import run

    out = tmp_path_factory.mktemp("browser-run")
    result = run(scenario_from_dict(hostile_data()), out_dir=out)
    assert result.summary["rounds_total"] > 0  # launchers and classes reach the page
    return build_report(out).html


@pytest.fixture(scope="module")
def page(report_html: Path):
    with Browser(CHROMIUM) as browser:  # type: ignore[arg-type]
        browser.open(report_html)
        assert browser.evaluate("window.iadsimReady") == len(FIGURES)
        yield browser


def _replay_png(page: Browser) -> bytes:
    rect = page.evaluate("""(() => { const el = document.getElementById('fig-replay');
        el.scrollIntoView({block: 'start'}); const r = el.getBoundingClientRect();
        return [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height]; })()""")
    return page.screenshot({"x": rect[0], "y": rect[1], "width": rect[2], "height": rect[3]})


def test_every_figure_drawn_without_errors_or_network(page: Browser, report_html: Path) -> None:
    for fig_id in FIGURES:
        assert page.evaluate(f"document.querySelectorAll('#{fig_id} .main-svg').length") >= 1
    assert page.evaluate("document.getElementById('fig-replay').data.length") > 10
    assert page.console_errors() == []
    assert page.requests() == [report_html.resolve().as_uri()]


def test_time_slider_changes_the_frame(page: Browser, tmp_path: Path) -> None:
    before = page.evaluate(FINGERPRINT_JS)
    before_png = _replay_png(page)
    assert page.evaluate("document.getElementById('fig-replay').layout.sliders[0].active") == 0
    rail = page.evaluate("""(() => {
        const el = document.querySelector('#fig-replay .slider-rail-rect');
        el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height]; })()""")
    page.click(rail[0] + 0.6 * rail[2], rail[1] + rail[3] / 2)
    deadline = time.monotonic() + 20.0
    active = 0
    while time.monotonic() < deadline and active == 0:
        active = page.evaluate("document.getElementById('fig-replay').layout.sliders[0].active")
        time.sleep(0.1)
    steps = page.evaluate("document.getElementById('fig-replay').layout.sliders[0].steps.length")
    assert 0.4 * steps < active < 0.8 * steps
    after = page.evaluate(FINGERPRINT_JS)
    assert len(after) == len(before) and after != before  # the moving traces moved
    after_png = _replay_png(page)
    shot = tmp_path / "replay.png"
    shot.write_bytes(after_png)
    keep = os.environ.get("IADSIM_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / "report-replay.png").write_bytes(after_png)
    with Image.open(io.BytesIO(after_png)) as img:
        pixels = np.asarray(img.convert("RGB"), dtype=np.int32)
    assert pixels.shape[0] > 400 and pixels.shape[1] > 800
    colours = np.unique((pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2])
    assert colours.size > 50 and pixels.std() > 10.0  # a map, not a blank page
    with Image.open(io.BytesIO(before_png)) as img:
        old = np.asarray(img.convert("RGB"), dtype=np.int32)
    assert old.shape == pixels.shape and np.abs(old - pixels).sum() > 0
    assert page.console_errors() == []


def test_play_button_advances_the_replay(page: Browser) -> None:
    active_js = "document.getElementById('fig-replay').layout.sliders[0].active"
    start = page.evaluate(active_js)
    buttons = page.evaluate("""(() => Array.from(
        document.querySelectorAll('#fig-replay .updatemenu-button')).map(b => {
            b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();
            return [r.x + r.width / 2, r.y + r.height / 2, b.textContent]; }))()""")
    assert [b[2].split()[-1] for b in buttons] == ["play", "pause"]
    page.click(buttons[0][0], buttons[0][1])
    deadline = time.monotonic() + 20.0
    while time.monotonic() < deadline and page.evaluate(active_js) <= start:
        time.sleep(0.1)
    page.click(buttons[1][0], buttons[1][1])
    assert page.evaluate(active_js) > start
    assert page.console_errors() == []


def test_scenario_name_shows_as_text(page: Browser) -> None:
    assert page.evaluate("document.querySelector('header h1').textContent") == NAME
    assert page.evaluate("document.title") == f"{NAME} — iadsim report"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # plotly.js, one JSON block per figure, the config and the boot script: nothing injected
    assert page.evaluate("document.scripts.length") == 1 + len(FIGURES) + 2
    assert page.console_errors() == []


def assert_inert(page: Browser) -> None:
    """No script written in a name ran: no flag, no dialog, no injected element or handler."""
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs() == []
    assert page.evaluate("document.querySelectorAll('img, [onerror], [onload]').length") == 0
    assert page.console_errors() == []


def test_no_name_runs_script_in_the_run_report(page: Browser) -> None:
    text = page.evaluate("document.body.innerText")
    assert "onerror" in text  # the hostile names are on the page, as text
    assert_inert(page)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(yaml.safe_dump(hostile_data()), encoding="utf-8")
    return path


def test_no_name_runs_script_in_the_sweep_report(hostile_file: Path, tmp_path: Path) -> None:
    from iadsim.montecarlo.sweep import run_sweep

    values = ",".join(f"L{k}{HOSTILE}" for k in range(2))
    out = tmp_path / "sweep"
    run_sweep(hostile_file, runs=4, out_dir=out, backend="serial", replicate=fake_replicate,
              sets=[f"launchers[0].name={values}", "threats[2].count=1,2"])
    html = build_report(out).html
    with Browser(CHROMIUM) as browser:  # type: ignore[arg-type]
        browser.open(html)
        assert browser.evaluate("window.iadsimReady") >= 3
        text = browser.evaluate("document.body.innerText")
        assert "L1<img" in text or "L1<img" in browser.evaluate(
            "Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join()")
        assert_inert(browser)


def test_no_name_runs_script_in_the_coverage_page(hostile_file: Path, tmp_path: Path) -> None:
    from iadsim.scenario.load import load_scenario
    from iadsim.sensors.coverage_views import write_coverage

    files = write_coverage(load_scenario(hostile_file), tmp_path, png=False)
    with Browser(CHROMIUM) as browser:  # type: ignore[arg-type]
        browser.open(files.html)
        assert browser.evaluate("window.iadsimReady") == 3  # two radars and the map
        assert browser.evaluate("document.querySelector('header h1').textContent").startswith(
            NAME)
        labels = browser.evaluate("Array.from(document.querySelectorAll("
                                  "'svg text, .annotation-text')).map(t => t.textContent)")
        assert any(label.startswith("city<img src=x") for label in labels)  # asset, as text
        assert_inert(browser)
