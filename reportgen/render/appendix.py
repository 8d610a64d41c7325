"""What the appendix lists: every figure, or past ``appendix_limit``, the first ones
and the whole table as ``appendix.csv``.

Each appendix entry (the figure, its period, the sentence that states it or its
formula) costs the PDF about 20 ms of layout, the most of any element of the
briefing. A store of a few hundred figures would spend most of its build there, on
pages few readers page through. Past the limit set in ``seeds/report.yaml``, the
appendix lists every computed figure, the facts their formulas use, then facts in
source order, up to the limit; every figure, with its quote or formula and its
source, is in ``appendix.csv``, attached to the PDF and offered for download by the
HTML page. A figure in the text links to its entry, or to the note that names the
CSV when it has none.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from reportgen.facts.model import Fact
from reportgen.facts.store import Store

CSV_NAME = "appendix.csv"
#: The id of the appendix's note about the CSV: unlisted figures link there.
CSV_NOTE = "appendix-csv"


@dataclass(frozen=True)
class Appendix:
    #: Ids of the figures the appendix lists.
    listed: frozenset[str]
    #: How many figures the store holds.
    total: int
    limit: int
    #: Every figure as CSV (``reportgen facts export --format csv``); empty when all are listed.
    csv: str = ""

    @property
    def bounded(self) -> bool:
        return len(self.listed) < self.total

    @property
    def csv_href(self) -> str:
        """The CSV as a data: URI, for the HTML page's download link."""
        encoded = base64.b64encode(self.csv.encode("utf-8")).decode("ascii")
        return f"data:text/csv;charset=utf-8;base64,{encoded}"

    def anchor(self, figure_id: str) -> str:
        """Where a figure in the text links to."""
        return f"f-{figure_id}" if figure_id in self.listed else CSV_NOTE


def facts_in_appendix_order(store: Store) -> list[Fact]:
    """By source, in the order sources.yaml lists them; then as the analysts wrote them."""
    order = list(store.sources)
    return sorted(store.facts.values(), key=lambda f: order.index(f.source))


def plan_appendix(store: Store) -> Appendix:
    computed = sorted(store.derived)
    # Computed figures first, as nothing else states them, and the facts their
    # formulas use next to them; then the other facts.
    inputs = [i for d in computed for i in store.figure(d).inputs if i in store.facts]
    facts = [f.id for f in facts_in_appendix_order(store)]
    everything = list(dict.fromkeys([*computed, *inputs, *facts]))
    limit = store.meta.appendix_limit if store.meta is not None else len(everything)
    if len(everything) <= limit:
        return Appendix(frozenset(everything), len(everything), limit)
    from reportgen.facts.export import as_csv

    return Appendix(frozenset(everything[:limit]), len(everything), limit, as_csv(store))
