"""``reportgen facts list`` and ``reportgen facts show``: the store as a reader sees it."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ReportError
from reportgen.facts import open_store
from reportgen.numbers import format_figure


def listing(project: Path, entity: str | None = None, metric: str | None = None) -> str:
    """One line per fact and derived metric: id, entity, metric, period, figure, source."""
    store = open_store(project)
    if entity is not None and entity not in store.entities:
        raise ReportError(f"no entity '{entity}'; entities: {', '.join(sorted(store.entities))}")
    rows: list[tuple[str, ...]] = []
    for figure_id in [*store.facts, *store.derived]:
        fig = store.figure(figure_id)
        if entity is not None and fig.entity != entity:
            continue
        if metric is not None and fig.metric != metric:
            continue
        rows.append(
            (
                fig.id,
                fig.entity or "-",
                fig.metric or "-",
                fig.period or "-",
                format_figure(fig),
                ",".join(fig.sources) if fig.kind == "fact" else "derived",
            )
        )
    if not rows:
        return "no matching facts\n"
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        + "\n"
        for row in rows
    )


def detail(project: Path, figure_id: str) -> str:
    """Everything the store knows of one figure, with its quote or its formula and inputs."""
    store = open_store(project)
    if not store.has(figure_id):
        raise ReportError(f"no fact or derived metric '{figure_id}' (see: reportgen facts list)")
    fig = store.figure(figure_id)
    lines = [
        f"{fig.id} ({fig.kind})",
        f"  figure:    {format_figure(fig)}",
        f"  value:     {fig.value!r} {fig.unit}",
        f"  qualifier: precision {fig.precision}, status {fig.status}",
        f"  entity:    {fig.entity or '-'}   metric: {fig.metric or '-'}   "
        f"period: {fig.period or '-'}",
    ]
    where = store.where(fig.id)
    if fig.kind == "fact":
        source = store.sources[fig.sources[0]]
        lines += [
            f"  source:    {source.id}: {source.title} ({source.published.date})",
            f"  quote:     \u201c{fig.quote}\u201d",
        ]
        for other in store.equivalents(fig.id):
            lines.append(f"  restated:  {other.id} = {format_figure(store.figure(other.id))}")
    else:
        lines.append(f"  formula:   {fig.formula}")
        for ref in fig.inputs:
            lines.append(f"    {ref} = {format_figure(store.figure(ref))}")
        lines += [f"  caveat:    {caveat}" for caveat in fig.caveats]
        lines.append(f"  sources:   {', '.join(fig.sources)}")
    for conflict in store.all_conflicts():
        if fig.id in conflict.facts:
            lines.append(f"  {conflict.kind}:  {conflict.id}: {conflict.summary}")
    if where is not None:
        lines.append(f"  defined:   {where}")
    return "\n".join(lines) + "\n"
