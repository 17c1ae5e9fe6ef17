"""PNG figures shared by the stages' analysis views (sensors' coverage, reports' envelopes).

A neutral module: any package may import it (``sensors`` may not import ``reports``). It holds
the matplotlib set-up (the non-interactive Agg backend, imported only when a PNG is drawn),
the one way a figure is saved, and the two text helpers every PNG uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed; imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig: Figure, path: Path) -> Path:
    """Lay ``fig`` out, write it to ``path`` and close it (figures are not kept open)."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def mpl_text(text: object) -> str:
    """User text made literal for matplotlib: control characters escaped as the terminal shows
    them (``\\x1b``, no missing-glyph warning), and ``$`` escaped (it would start mathtext)."""
    from iadsim.terminal import printable

    return printable(text).replace("$", r"\$")


def file_stems(names: Iterable[str], *, sep: str = "-") -> list[str]:
    """File-name-safe stems of ``names``, one each, in order, all different.

    Runs of characters other than ``A-Za-z0-9_.-`` become ``sep``; a stem already taken (
    ``radar/1`` and ``radar-1`` both give ``radar-1``) gets ``-2``, ``-3``, ... appended.
    """
    taken: set[str] = set()
    stems = []
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_.-]+", sep, str(name)).strip(sep) or "unnamed"
        stem, k = base, 1
        while stem.lower() in taken:  # also distinct on case-insensitive file systems
            k += 1
            stem = f"{base}-{k}"
        taken.add(stem.lower())
        stems.append(stem)
    return stems
