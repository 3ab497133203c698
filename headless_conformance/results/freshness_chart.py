"""Freshness as a picture a person reads at a glance: each layer of the DNS path a row, each change a
server of it lagged on a dot at its lag, the budget a line. Plain SVG inside the self-contained
HTML (the report's head, a matrix column's header): no script, no external file."""

from __future__ import annotations

from html import escape

from headless_conformance.checking.propagation import Freshness


def freshness_svg(freshness: Freshness, width: int = 360, row: int = 18) -> str:
    """The chart, or "" where no server was seen behind on any change (nothing to draw)."""
    layers = freshness.by_layer()
    if not layers:
        return ""
    label_w = 0 if width < 200 else 150
    top = max((max(lags.values) for lags in layers.values()), default=0.0)
    scale_max = max(freshness.budget * 1.5, top * 1.1, 1.0)
    plot_w = width - label_w - 8

    def x(seconds: float) -> float:
        return label_w + 4 + plot_w * min(seconds, scale_max) / scale_max

    height = row * len(layers) + 14
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
             f"aria-label='freshness: lags of each layer against the {freshness.budget:g} s budget'>"]
    budget_x = x(freshness.budget)
    parts.append(f"<line x1='{budget_x:.1f}' y1='0' x2='{budget_x:.1f}' y2='{height - 12}' stroke='#c62828' "
                 "stroke-dasharray='3,2'/>")
    parts.append(f"<text x='{budget_x:.1f}' y='{height - 2}' font-size='9' text-anchor='middle' fill='#c62828'>"
                 f"{freshness.budget:g} s</text>")
    parts.append(f"<text x='{width - 2}' y='{height - 2}' font-size='9' text-anchor='end' fill='#555'>"
                 f"{scale_max:.0f} s</text>")
    for i, (name, lags) in enumerate(sorted(layers.items())):
        y = row * i + row / 2
        if label_w:
            parts.append(f"<text x='0' y='{y + 3:.1f}' font-size='10' fill='#333'>{escape(name[:28])}</text>")
        parts.append(f"<line x1='{label_w + 4}' y1='{y:.1f}' x2='{width - 4}' y2='{y:.1f}' stroke='#ddd'/>")
        for lag in lags.values:
            colour = "#c62828" if lag > freshness.budget else "#2e7d32"
            parts.append(f"<circle cx='{x(lag):.1f}' cy='{y:.1f}' r='3' fill='{colour}' fill-opacity='0.6'>"
                         f"<title>{escape(name)}: {lag:.2f} s</title></circle>")
    parts.append("</svg>")
    return "".join(parts)
