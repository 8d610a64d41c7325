"""What a chart kind is: every part of it in one object, defined in one module.

Each module in :mod:`reportgen.charts.kinds` defines one :class:`ChartKind` subclass
and its one instance, ``KIND``; :data:`reportgen.charts.kinds.KINDS` lists them.
Everything else dispatches through the kind: loading a spec picks its model, ``check``
finds its figures and resolves its marks, the PDF's layout asks its height, and drawing
calls its builder. This module imports nothing when it is loaded, so the spec, resolve
and drawing modules can all name the type without importing one another.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Generic, TypeVar, get_args

if TYPE_CHECKING:
    from collections.abc import Iterator

    from matplotlib.figure import Figure as MplFigure

    from reportgen.charts.resolve import MarkGroup, Resolved
    from reportgen.charts.spec import ChartSpec
    from reportgen.facts.store import Store

#: A place inside a spec (``("rows", 1, "total")``), for locating a problem at its line.
SpecPath = tuple[str | int, ...]
#: Where a chart's body sits in its figure: x, y, width, height in inches.
Box = tuple[float, float, float, float]

S = TypeVar("S", bound="ChartSpec")


class ChartKind(ABC, Generic[S]):
    """One kind of chart: how it is written, read from the store, checked and drawn."""

    #: The spec's model: its fields and their limits; its ``kind: Literal[...]`` is the
    #: kind's name.
    model: type[S]
    #: The alt text's opening words: "Bar chart".
    noun: str
    #: The spec's key holding the marks' groups: problems with a group are located there.
    groups_key: str
    #: Whether every figure shares one value axis (units must agree across the chart).
    shared_axis: bool = True

    @property
    def name(self) -> str:
        """The spec's ``kind:``, as the model declares it (written once, there)."""
        (name,) = get_args(self.model.model_fields["kind"].annotation)
        return str(name)

    def figure_refs(self, spec: S) -> list[tuple[str, SpecPath]]:
        """Every figure id the spec reads (its text fields aside), with its path in it, in
        the spec's order: a plotted figure (a point, a bar) at its own place, a field typed
        ``Id`` (a total, a change) at the field. The chart's own ``id`` names no figure."""
        from reportgen.charts.spec import ChartSpec

        return list(_refs(spec, (), skip=frozenset(ChartSpec.model_fields)))

    @abstractmethod
    def groups(self, spec: S, store: Store) -> list[MarkGroup]:
        """The spec's figures as groups of marks, resolved against the store."""

    def check_group(self, group: MarkGroup) -> list[tuple[SpecPath, str]]:
        """What this kind asks of one group beyond every kind's rules: (path inside the
        group, message) for each problem."""
        return []

    @abstractmethod
    def height_in(self, chart: Resolved, narrow: bool) -> float:
        """The chart body's height in inches, for the phone drawing if ``narrow``. The PDF
        lays the page out by it before anything is drawn."""

    @abstractmethod
    def draw(self, fig: MplFigure, box: Box, chart: Resolved) -> None:
        """Place the marks in ``box`` of a matplotlib figure. matplotlib is imported by
        the figure's maker, never by a kind's module: ``reportgen check`` loads them all."""


def _refs(
    value: object, path: SpecPath, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, SpecPath]]:
    """The figure ids inside one value of a spec, walking its models and lists."""
    from pydantic import BaseModel

    from reportgen.charts.spec import Marked
    from reportgen.facts.model import Id

    if isinstance(value, Marked):
        if value.id:  # a bar may be a gap, with no figure
            yield value.id, path
    elif isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if name in skip:
                continue
            inner = getattr(value, name)
            typed = field.rebuild_annotation()
            if typed == Id or Id in get_args(typed):
                if inner:
                    yield inner, (*path, name)
            else:
                yield from _refs(inner, (*path, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _refs(item, (*path, i))
