"""The self-contained HTML page: plotly.js embedded, figures as inline JSON, nothing fetched.

Stage: reports. In: a title, a few header facts and a list of sections of plotly figures.
Out: one HTML string that works offline. A Content-Security-Policy forbids every network
request (``default-src 'none'``), so a page that tried one would fail loudly in the console.
User-written text is escaped twice over: HTML-escaped where it is HTML, and every ``<`` in the
inline JSON is written ``\\u003c`` so no name can close a ``<script>`` element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

from plotly.offline import get_plotlyjs

from iadsim.reports.common import esc_html as esc

PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "scrollZoom": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["sendDataToCloud"],
}

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'"
)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1d2733; background: #f6f8fa; }
header { background: #1d2733; color: #fff; padding: 14px 24px; }
header h1 { margin: 0 0 6px 0; font-size: 22px; font-weight: 600; }
header .facts { display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 14px; opacity: .92; }
header .facts b { font-weight: 600; }
nav { padding: 8px 24px; background: #e4e9ef; font-size: 14px; }
nav a { margin-right: 16px; color: #1d4e89; text-decoration: none; }
section { background: #fff; margin: 14px 18px; padding: 8px 12px 12px 12px;
          border: 1px solid #dde3ea; border-radius: 6px; }
section h2 { font-size: 17px; margin: 6px 4px 2px 4px; }
section p.note { font-size: 13px; color: #4a5866; margin: 2px 4px 8px 4px; }
footer { font-size: 12px; color: #6b7785; padding: 8px 24px 20px 24px; }
"""

_BOOT = """
(function () {
  // Pausing the replay interrupts Plotly.animate, whose promise then rejects with no reason;
  // the play button does not catch it. That is not an error: keep it off the console.
  window.addEventListener("unhandledrejection", function (event) {
    if (event.reason === undefined) { event.preventDefault(); }
  });
  var config = JSON.parse(document.getElementById("iadsim-config").textContent);
  var jobs = [];
  document.querySelectorAll("div[data-figure]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.figure).textContent);
    jobs.push(Plotly.newPlot(el, {data: spec.data, layout: spec.layout,
                                  frames: spec.frames || [], config: config}));
  });
  window.iadsimReady = Promise.all(jobs).then(function () { return jobs.length; });
})();
"""


class FigureLike(Protocol):
    """A plotly ``Figure`` or anything else that writes plotly.js's ``{data, layout, frames}``."""

    def to_json(self) -> str:
        """The figure as JSON."""
        ...


@dataclass(frozen=True, slots=True)
class Section:
    """One titled part of the page, with its figures (ids must be unique on the page)."""

    anchor: str
    title: str
    figures: dict[str, FigureLike]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """What a page shows; ``title`` and the ``facts`` values are user text, escaped on render."""

    title: str
    facts: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    kind: str = "iadsim report"  # after the title in the browser tab


def figure_json(fig: FigureLike) -> str:
    """A figure as JSON safe inside an HTML ``<script>`` element (``<`` as ``\\u003c``)."""
    text = fig.to_json()
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(page: Page) -> str:
    """The page as one self-contained HTML document."""
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>{esc(page.title)} — {esc(page.kind)}</title>\n<style>{_CSS}</style>\n",
        "<script>", get_plotlyjs(), "</script>\n</head>\n<body>\n",
        f"<header><h1>{esc(page.title)}</h1><div class=\"facts\">",
        "".join(f"<span>{esc(k)}: <b>{esc(v)}</b></span>" for k, v in page.facts.items()),
        "</div></header>\n<nav>",
        "".join(f"<a href=\"#{esc(s.anchor)}\">{esc(s.title)}</a>" for s in page.sections),
        "</nav>\n",
    ]
    for section in page.sections:
        parts.append(f"<section id=\"{esc(section.anchor)}\"><h2>{esc(section.title)}</h2>")
        if section.note:
            parts.append(f"<p class=\"note\">{esc(section.note)}</p>")
        for fig_id, fig in section.figures.items():
            parts.append(
                f"<div class=\"figure\" id=\"{esc(fig_id)}\" data-figure=\"{esc(fig_id)}-json\">"
                f"</div>\n<script type=\"application/json\" id=\"{esc(fig_id)}-json\">"
                f"{figure_json(fig)}</script>\n")
        parts.append("</section>\n")
    parts.append(f"<footer>{esc(page.footer)}</footer>\n")
    config = json.dumps(PLOTLY_CONFIG).replace("<", "\\u003c")
    parts.append(f"<script type=\"application/json\" id=\"iadsim-config\">{config}</script>\n")
    parts.append(f"<script>{_BOOT}</script>\n</body>\n</html>\n")
    return "".join(parts)
