"""Small charts drawn on the server: inline SVG with a title and a description for screen
readers, and the same numbers as a table beside it. No JavaScript; the colours are the theme's
(CSS classes in base.css use its custom properties), so a chart looks like the portal.

Values are counts (non-negative integers). Bars and points are scaled against the largest
value, the axis always starts at zero, so heights are proportional to the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 40
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
X_LABELS = 7  # at most this many labels under the x axis; the table has all of them


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of title and description derive from it
    title: str
    description: str
    labels: Sequence[str]
    values: Sequence[int]
    label_heading: str
    value_heading: str


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_height(value: int, largest: int) -> float:
    """Height of a bar in SVG units: proportional to `value`, the largest one fills the plot."""
    return round(PLOT_HEIGHT * value / largest, 2) if largest > 0 else 0.0


def _slot(count: int) -> float:
    return PLOT_WIDTH / max(count, 1)


def _axes(chart: Chart, largest: int) -> SafeString:
    ticks = sorted({0, largest // 2, largest}) if largest > 0 else [0]
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                LEFT,
                WIDTH - RIGHT,
                _fmt(y),
                _fmt(y),
                LEFT - 6,
                _fmt(y + 4),
                _number(tick),
            )
            for tick in ticks
            for y in [TOP + PLOT_HEIGHT - bar_height(tick, largest)]
        ),
    )
    count = len(chart.labels)
    every = max(1, -(-count // X_LABELS))
    slot = _slot(count)
    labels = format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_fmt(LEFT + (index + 0.5) * slot), HEIGHT - BOTTOM + 18, label)
            for index, label in enumerate(chart.labels)
            if index % every == 0
        ),
    )
    return format_html("{}{}", grid, labels)


def _table(chart: Chart) -> SafeString:
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((label, _number(value)) for label, value in zip(chart.labels, chart.values, strict=True)),
    )
    return format_html(
        '<details class="chart-data"><summary>{}</summary><table>'
        "<caption>{}</caption>"
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table></details>",
        _("The numbers as a table"),
        chart.title,
        chart.label_heading,
        chart.value_heading,
        rows,
    )


def _figure(chart: Chart, marks: SafeString, largest: int) -> SafeString:
    key = slugify(chart.key)
    return format_html(
        '<figure class="chart">'
        '<svg class="chart-svg" role="img" viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}{}"
        "</svg>{}</figure>",
        WIDTH,
        HEIGHT,
        key,
        key,
        key,
        chart.title,
        key,
        chart.description,
        _axes(chart, largest),
        marks,
        _table(chart),
    )


def bar_chart(chart: Chart) -> SafeString:
    """A bar per value, with its label and number as a tooltip."""
    largest = max(chart.values, default=0)
    slot = _slot(len(chart.values))
    bars = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                _fmt(LEFT + index * slot + slot * 0.15),
                _fmt(TOP + PLOT_HEIGHT - height),
                _fmt(slot * 0.7),
                _fmt(height),
                label,
                _number(value),
            )
            for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True))
            for height in [bar_height(value, largest)]
        ),
    )
    return _figure(chart, bars, largest)


def line_chart(chart: Chart) -> SafeString:
    """A line through the values, with a point per value (its label and number as tooltip)."""
    largest = max(chart.values, default=0)
    slot = _slot(len(chart.values))
    points = [
        (_fmt(LEFT + (index + 0.5) * slot), _fmt(TOP + PLOT_HEIGHT - bar_height(value, largest)))
        for index, value in enumerate(chart.values)
    ]
    line = format_html(
        '<polyline class="chart-line" fill="none" points="{}"/>',
        " ".join(f"{x},{y}" for x, y in points),
    )
    dots = format_html_join(
        "",
        '<circle class="chart-point" cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
        (
            (x, y, label, _number(value))
            for (x, y), label, value in zip(points, chart.labels, chart.values, strict=True)
        ),
    )
    return _figure(chart, format_html("{}{}", line, dots), largest)
