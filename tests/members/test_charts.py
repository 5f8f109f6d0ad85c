"""The SVG chart renderer: accessible (role, title, description, the numbers as a table),
proportional, escaped, themed through CSS classes only."""

from __future__ import annotations

import re

import pytest

from members.charts import PLOT_HEIGHT, TOP, Chart, bar_chart, line_chart


def _chart(values, labels=None, **overrides) -> Chart:
    labels = labels or [f"W{n}" for n in range(len(values))]
    fields = {
        "key": "signups",
        "title": "Sign-ups per week",
        "description": "Bar chart of sign-ups",
        "labels": labels,
        "values": values,
        "label_heading": "Week",
        "value_heading": "Sign-ups",
    }
    return Chart(**(fields | overrides))


def _bar_heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect class="chart-bar"[^>]* height="([\d.]+)"', svg)]


def _table_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', html)


def test_bars_are_proportional_to_the_numbers_and_the_largest_fills_the_plot():
    html = bar_chart(_chart([3, 6, 0, 12, 1]))
    heights = _bar_heights(html)
    assert heights[3] == PLOT_HEIGHT
    assert heights == pytest.approx([PLOT_HEIGHT * v / 12 for v in [3, 6, 0, 12, 1]], abs=0.01)
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.01)
    # Each bar stands on the axis: its top plus its height is the baseline.
    tops = [float(y) for y in re.findall(r'<rect class="chart-bar"[^>]* y="([\d.]+)"', html)]
    assert all(
        t + h == pytest.approx(TOP + PLOT_HEIGHT, abs=0.01)
        for t, h in zip(tops, heights, strict=True)
    )


def test_the_numbers_appear_in_the_data_table_in_order(english):
    html = bar_chart(_chart([3, 6, 0, 1234], labels=["01.06.", "08.06.", "15.06.", "22.06."]))
    assert _table_rows(html) == [
        ("01.06.", "3"),
        ("08.06.", "6"),
        ("15.06.", "0"),
        ("22.06.", "1,234"),
    ]
    assert "<caption>Sign-ups per week</caption>" in html
    assert '<th scope="col">Week</th><th scope="col">Sign-ups</th>' in html


def test_the_svg_is_an_image_with_a_title_and_a_description():
    html = line_chart(_chart([1, 2, 3], key="members"))
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="members-title members-desc"', html)
    assert '<title id="members-title">Sign-ups per week</title>' in html
    assert '<desc id="members-desc">Bar chart of sign-ups</desc>' in html
    assert "<script" not in html and "style=" not in html and 'fill="#' not in html


def test_a_line_chart_puts_its_points_at_proportional_heights():
    html = line_chart(_chart([0, 5, 10]))
    ys = [
        float(y) for y in re.findall(r'<circle class="chart-point" cx="[\d.]+" cy="([\d.]+)"', html)
    ]
    baseline = TOP + PLOT_HEIGHT
    assert [baseline - y for y in ys] == pytest.approx([0, PLOT_HEIGHT / 2, PLOT_HEIGHT])
    assert _table_rows(html) == [("W0", "0"), ("W1", "5"), ("W2", "10")]


def test_all_zero_draws_flat_bars_instead_of_dividing_by_zero():
    assert _bar_heights(bar_chart(_chart([0, 0, 0]))) == [0, 0, 0]
    assert _bar_heights(bar_chart(_chart([]))) == []


def test_labels_and_titles_are_escaped():
    html = bar_chart(_chart([1], labels=["<script>alert(1)</script>"], title="A & <b>B</b>"))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; &lt;b&gt;B&lt;/b&gt;" in html
