"""Small inline SVG charts, so the run report opens without network or scripts."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, MARGIN = 640, 180, 36
PALETTE = {"enable": "#2e7d32", "disable": "#c62828", "unchanged": "#9e9e9e", "protected": "#6a1b9a",
           "other": "#f9a825"}


def line_chart(title: str, labels: list[str], values: list[float | None]) -> str:
    """Draw values from 0 to 1 as a line with dots; None leaves a gap. Returns an ``<svg>`` element."""
    count = max(len(values), 1)
    step = (WIDTH - 2 * MARGIN) / max(count - 1, 1)
    points = []
    dots = []
    for index, (label, value) in enumerate(zip(labels, values)):
        if value is None:
            continue
        x = MARGIN + index * step
        y = HEIGHT - MARGIN - value * (HEIGHT - 2 * MARGIN)
        points.append(f"{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0">'
                    f"<title>{escape(label)}: {value:.1%}</title></circle>")
    axis = (f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" '
            f'stroke="#555"/><text x="4" y="{MARGIN}" font-size="10">100%</text>'
            f'<text x="4" y="{HEIGHT - MARGIN}" font-size="10">0%</text>')
    line = f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{" ".join(points)}"/>' if points else ""
    return _frame(title, axis + line + "".join(dots) + _x_labels(labels, step))


def stacked_bars(title: str, labels: list[str], series: dict[str, list[int]]) -> str:
    """Draw one stacked bar per label from ``series`` (name to counts). Returns an ``<svg>`` element."""
    count = max(len(labels), 1)
    step = (WIDTH - 2 * MARGIN) / count
    totals = [sum(values[index] for values in series.values()) for index in range(len(labels))]
    top = max(totals + [1])
    bars = []
    for index, label in enumerate(labels):
        base = HEIGHT - MARGIN
        for name, values in series.items():
            height = values[index] / top * (HEIGHT - 2 * MARGIN)
            base -= height
            color = PALETTE.get(name, PALETTE["other"])
            bars.append(f'<rect x="{MARGIN + index * step + 1:.1f}" y="{base:.1f}" width="{max(step - 2, 1):.1f}" '
                        f'height="{height:.1f}" fill="{color}"><title>{escape(label)} {escape(name)}: '
                        f"{values[index]}</title></rect>")
    legend = "".join(
        f'<rect x="{MARGIN + offset * 110}" y="4" width="10" height="10" fill="{PALETTE.get(name, PALETTE["other"])}"/>'
        f'<text x="{MARGIN + offset * 110 + 14}" y="13" font-size="11">{escape(name)}</text>'
        for offset, name in enumerate(series)
    )
    return _frame(title, legend + "".join(bars) + _x_labels(labels, step, centred=True))


def _x_labels(labels: list[str], step: float, centred: bool = False) -> str:
    # Every label would overlap beyond a dozen runs, so only the first and the last are written.
    if not labels:
        return ""
    shift = step / 2 if centred else 0
    last_x = MARGIN + (len(labels) - 1) * step + shift
    first = f'<text x="{MARGIN + shift:.1f}" y="{HEIGHT - 8}" font-size="10">{escape(labels[0])}</text>'
    last = f'<text x="{last_x:.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">{escape(labels[-1])}</text>'
    return first + (last if len(labels) > 1 else "")


def _frame(title: str, body: str) -> str:
    return (f'<figure><figcaption>{escape(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{escape(title)}">{body}</svg></figure>')
