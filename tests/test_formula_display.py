"""How a derived figure's formula reads in the briefing: operators as a reader writes
them, labels and ids exactly as written."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import Problems
from reportgen.facts.derive import derive
from reportgen.facts.model import Derived, Fact, PublicationDate, Source
from reportgen.facts.store import Store
from reportgen.render.figures import Helpers


def _store(tmp_path: Path) -> Store:
    store = Store(root=tmp_path)
    store.sources["src"] = Source(
        id="src",
        title="An Article",
        publisher=None,
        published=PublicationDate(date="2022-09", precision="month", basis="stated"),
        language="en",
        file="seeds/articles/src.txt",
        sha256="0" * 64,
    )
    for fid, metric in (("sold", "vans_sold"), ("count", "plants")):
        store.facts[fid] = Fact(
            id=fid, entity="thing", metric=metric, value=40, unit="vehicles", precision="exact",
            status="actual", period="2022-H1", source="src", quote="40 vehicles",
        )  # fmt: skip
    # Computed inputs are named by their labels, which keep their slash and asterisk.
    for fid, label, formula in (
        ("sales-after", "Sales before/after the launch", "{sold}"),
        ("plants", "A*B plants", "{count}"),
    ):
        store.derived[fid] = Derived(
            id=fid, label=label, formula=formula, unit="vehicles", decimals=0
        )  # fmt: skip
    store.derived["per-plant"] = Derived(
        id="per-plant",
        label="Sales per plant, before/after",
        formula="({sales-after} / {plants}) * 2 ** 2 / 4",
        unit="vehicles",
        decimals=0,
    )
    problems = Problems()
    derive(store, problems)
    assert not problems
    return store


def test_hover_text_keeps_the_labels_and_shows_the_operators(tmp_path: Path) -> None:
    store = _store(tmp_path)
    text = Helpers(store).hover_text(store.figure("per-plant"))
    assert text == "Computed: (Sales before/after the launch ÷ A*B plants) × 2 ^ 2 ÷ 4"


def test_hover_text_names_a_stated_input_by_what_it_measures_and_when(tmp_path: Path) -> None:
    store = _store(tmp_path)
    text = Helpers(store).hover_text(store.figure("sales-after"))
    assert text == "Computed: thing vans sold H1 2022"


def test_the_formula_links_each_id_as_written(tmp_path: Path) -> None:
    store = _store(tmp_path)
    markup = str(Helpers(store).formula(store.figure("per-plant")))
    assert markup == (
        '<span class="formula" data-nonfact="formula">('
        '<a class="ref" href="#f-sales-after">sales-after</a> ÷ '
        '<a class="ref" href="#f-plants">plants</a>) × 2 ^ 2 ÷ 4</span>'
    )
