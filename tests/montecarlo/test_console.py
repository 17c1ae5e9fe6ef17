"""Tests of iadsim.montecarlo.console: the sweep tables as the terminal shows them."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console

from iadsim.montecarlo.console import saturation_table


def _shown(table: object) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_saturation_band_says_where_it_is_not_reached() -> None:
    sat = pd.DataFrame({
        "command.reaction_time_s": [4, 12, 20],
        "level": 0.5, "points": 4, "raid_size_min": 46.0, "raid_size_max": 81.0,
        "saturation_raid_size": [70.2, 46.0, math.nan],
        "saturation_low": [65.0, 46.0, math.nan],  # where the upper Wilson bound reaches
        "saturation_high": [math.nan, 50.0, math.nan],  # where the lower bound reaches
    })
    text = _shown(saturation_table(sat, ["command.reaction_time_s", "threats[2].count"]))
    assert "?" not in text
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│")
            and line.split()[1] in {"4", "12", "20"}}
    assert "70.2" in rows["4"] and "65.0 .. > 81" in rows["4"]
    assert "<= 46" in rows["12"] and "46.0 .. 50.0" in rows["12"]
    assert "not reached (> 81)" in rows["20"] and "> 81 .. > 81" in rows["20"]
    assert "'> N': not reached inside the swept raid sizes" in text
