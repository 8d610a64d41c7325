"""The briefing PDF's tag tree, read with pikepdf, against PDF/UA's structure rules.

Each test is one rule a screen reader or a PDF/UA checker relies on: running heads and
page numbers are Artifacts, lists are ``L > LI > (Lbl, LBody)``, every link annotation
sits under a Link element that has text, one link per contents entry, no marked content
that paints nothing, header cells with a Scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pikepdf
import pytest

from tests.conftest import BuiltBriefing

#: Operators that put marks on a page.
PAINT = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "EI"}


@pytest.fixture(scope="module")
def pdf(built_briefing: BuiltBriefing) -> Iterator[Any]:
    with pikepdf.open(built_briefing.pdf) as document:
        yield document


def _kids(element: Any) -> list[Any]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _is_element(kid: Any) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and "/S" in kid


def _elements(node: Any) -> Iterator[Any]:
    for kid in _kids(node):
        if _is_element(kid):
            yield kid
            yield from _elements(kid)


def _marked(page: Any) -> Iterator[tuple[str, Any, bool]]:
    """(tag, properties, paints something) of every marked-content sequence on a page."""
    stack: list[list[Any]] = []
    for instruction in pikepdf.parse_content_stream(page):
        name = str(instruction.operator)
        if name in ("BDC", "BMC"):
            operands = instruction.operands
            stack.append([str(operands[0]), operands[1] if name == "BDC" else None, False])
        elif name == "EMC":
            tag, properties, painted = stack.pop()
            if painted and stack:
                stack[-1][2] = True
            yield tag, properties, painted
        elif name in PAINT and stack:
            stack[-1][2] = True


def _mcids(element: Any) -> int:
    """How many pieces of content the element and its descendants hold."""
    count = 0
    for kid in _kids(element):
        if isinstance(kid, int) or (
            isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"
        ):
            count += 1
        elif _is_element(kid):
            count += _mcids(kid)
    return count


def test_running_heads_and_page_numbers_are_artifacts(pdf: Any) -> None:
    root = pdf.Root.StructTreeRoot
    in_tree = {e.objgen for e in _elements(root)}
    nums = root.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages, start=1):
        pagination = tagged = 0
        slots = parents[int(page.obj.StructParents)]
        for tag, properties, _ in _marked(page):
            if tag == "/Artifact" and properties is not None:
                pagination += properties.get("/Type") == "/Pagination"
            elif isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                tagged += 1
                element = slots[int(properties.MCID)]
                assert _is_element(element) and element.objgen in in_tree, (number, tag)
        assert tagged > 0, f"page {number} has no tagged content"
        # The cover has no running head; every other page a head, a title and "Page N of M".
        assert pagination == (0 if number == 1 else 3), f"page {number}"


def test_no_marked_content_is_empty(pdf: Any) -> None:
    empty = {
        number: sum(1 for _, _, painted in _marked(page) if not painted)
        for number, page in enumerate(pdf.pages, start=1)
    }
    assert {n: c for n, c in empty.items() if c} == {}


def test_lists_are_list_items_with_label_and_body(pdf: Any) -> None:
    elements = list(_elements(pdf.Root.StructTreeRoot))
    lists = [e for e in elements if e.S == "/L"]
    items = [e for e in elements if e.S == "/LI"]
    assert len(lists) > 10 and len(items) > 100
    for element in lists:
        kinds = {str(k.S) for k in _kids(element) if _is_element(k)}
        assert kinds <= {"/LI", "/L", "/Caption"}, kinds
    for item in items:
        kinds = [str(k.S) for k in _kids(item) if _is_element(k)]
        assert kinds in (["/LBody"], ["/Lbl", "/LBody"], ["/Lbl"]), kinds
    # The appendix and the cover's facts are definition lists: term as label, then body.
    labelled = [i for i in items if [str(k.S) for k in _kids(i)][:1] == ["/Lbl"]]
    assert len(labelled) > 50


def test_every_link_annotation_is_under_a_link_with_text(pdf: Any) -> None:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    links = 0
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            links += 1
            element = parents[int(annotation.StructParent)]
            assert element.S == "/Link", (number, str(element.S))
            assert _mcids(element) or str(element.get("/Alt", "")), f"page {number}: no text"
    assert links > 100
    nested = [
        e for e in _elements(pdf.Root.StructTreeRoot) if e.S == "/Link" and e.P.get("/S") == "/Link"
    ]
    assert nested == []


def test_one_link_per_contents_entry(pdf: Any, built_briefing: BuiltBriefing) -> None:
    toc = re.search(r'<nav class="toc".*?</nav>', built_briefing.html_text, flags=re.S)
    assert toc
    entries = re.findall(r'<li><a href="#([^"]+)"', toc.group(0))
    assert len(entries) >= 8
    page = pdf.pages[1]  # the contents page, after the cover
    annotations = [a for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
    assert len(annotations) == len(entries)
    # Each one covers its whole row: the title, the leader and the page number.
    widths = [float(a.Rect[2]) - float(a.Rect[0]) for a in annotations]
    assert min(widths) > 0.8 * (float(page.mediabox[2]) - 2 * 18 * 72 / 25.4)


def test_table_header_cells_have_a_scope(pdf: Any) -> None:
    elements = list(_elements(pdf.Root.StructTreeRoot))
    for section in (e for e in elements if e.S in ("/THead", "/TBody", "/TFoot")):
        expected = "/Column" if section.S == "/THead" else "/Row"
        headers = [e for e in _elements(section) if e.S == "/TH"]
        assert headers or section.S == "/TFoot"
        for header in headers:
            assert str(header.A.get("/Scope")) == expected, str(section.S)
    assert sum(1 for e in elements if e.S == "/TH") >= 20
