"""The phone drawing of each chart: narrower, same data, same alt text, nothing cut."""

from __future__ import annotations

import re

import pytest

from reportgen.charts import resolve_charts
from reportgen.charts.resolve import Resolved
from reportgen.errors import Problems
from reportgen.facts import open_store
from tests.conftest import REPO


def _charts() -> list[Resolved]:
    problems = Problems()
    charts = resolve_charts(open_store(REPO), REPO, problems)
    problems.raise_if_any()
    return charts


def _words(svg: str) -> str:
    return " ".join(" ".join(re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)).split())


@pytest.mark.parametrize("chart", _charts(), ids=lambda c: c.spec.id)
def test_phone_drawing_keeps_every_value_and_cuts_no_text(chart: Resolved) -> None:
    from reportgen.charts import draw

    wide, narrow = draw.Drawing(chart), draw.Drawing(chart, narrow=True)
    wide_svg, _ = wide.svg()
    narrow_svg, _ = narrow.svg()
    view = re.search(r'viewBox="0 0 ([\d.]+) ', narrow_svg)
    assert view and float(view.group(1)) == pytest.approx(250, abs=0.5)
    label = re.compile(r'aria-label="([^"]*)"')
    assert label.findall(narrow_svg) == label.findall(wide_svg)
    words = _words(narrow_svg)
    for group in chart.groups:
        for mark in group.marks:
            if mark.figure is not None:
                # A label may wrap onto two lines on the phone: compare word by word.
                assert all(w in words.split() for w in mark.short.split()), mark.short
    # Every text the page shows lies inside the drawing (measured as the SVG places it).
    assert _cut_texts(narrow_svg) == []


def _cut_texts(svg: str) -> list[str]:
    from reportgen.charts.style import text_width_pt

    view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert view
    width, height = float(view.group(1)), float(view.group(2))
    cut = []
    for attrs, text in re.findall(r"<text\b([^>]*)>([^<]*)</text>", svg):
        # One line: x, y and an anchor; each line of several: translate(x y), left-aligned.
        at = re.search(r'\bx="([-\d.]+)" y="([-\d.]+)"|translate\(([-\d.]+) ([-\d.]+)\)', attrs)
        assert at, attrs
        x, y = (float(v) for v in (at.groups()[:2] if at.group(1) else at.groups()[2:]))
        size = float(re.search(r"font-size: ([\d.]+)px", attrs).group(1))  # type: ignore[union-attr]
        weight = "semibold" if "font-weight: 600" in attrs else "normal"
        span = text_width_pt(text, size, weight)
        anchor = re.search(r"text-anchor: (\w+)", attrs)
        left = {"middle": x - span / 2, "end": x - span}.get(anchor.group(1) if anchor else "", x)
        if left < -0.5 or left + span > width + 0.5 or y - 0.75 * size < -0.5 or y > height + 0.5:
            cut.append(text)
    return cut
