"""Test of ``build_report(png=True)``: the same charts as static PNGs (kaleido + Chromium)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from report_browser import find_chromium

from iadsim.reports import build_report

pytest.importorskip("kaleido")
if find_chromium() is None and not os.environ.get("CI"):
    pytest.skip("no chromium/chrome binary found", allow_module_level=True)


def test_png_charts_written_and_not_blank(run_dir: Path) -> None:
    files = build_report(run_dir, png=True)
    names = [p.name for p in files.pngs]
    assert names == ["replay.png", "timeline.png", "tracking.png", "tracking-types.png",
                     "outcome.png", "threats.png"]
    for path in files.pngs:
        assert path.parent == run_dir / "report_png"
        with Image.open(path) as img:
            image = np.asarray(img.convert("RGB"), dtype=np.int32)
        assert image.shape[1] == 1800  # 1200 layout pixels at scale 1.5
        packed = (image[..., 0] << 16) | (image[..., 1] << 8) | image[..., 2]
        assert np.unique(packed).size > 20, path.name
    with Image.open(files.pngs[0]) as replay:
        assert replay.size == (1800, 1350)  # the still replay is 900 px high
