"""Every kind of chart, one module each; :data:`KINDS` is the registry.

A kind module defines its spec model and a :class:`reportgen.charts.kind.ChartKind`
subclass (the marks its figures make, what it checks, its height and its builder; the
figures the spec reads are found in its model), and ends with its one instance, ``KIND``.
Adding a kind is one module here and one line below.
"""

from __future__ import annotations

from typing import Any

from reportgen.charts.kind import ChartKind
from reportgen.charts.kinds import bar, grouped_bar, line, share, stacked_bar

#: Every chart kind by the name a spec gives as ``kind:``.
KINDS: dict[str, ChartKind[Any]] = {
    kind.name: kind
    for kind in (
        bar.KIND,
        grouped_bar.KIND,
        stacked_bar.KIND,
        share.KIND,
        line.KIND,
    )
}
