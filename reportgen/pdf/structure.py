"""The PDF's tag tree made PDF/UA-shaped, after WeasyPrint wrote it (pikepdf).

WeasyPrint tags every piece of text, and some of what it writes no HTML or CSS can
change; this pass fixes that, in the PDF's own structure:

- running heads and page numbers (page margin boxes) are tagged content that no
  structure element holds: they become pagination Artifacts;
- marked content that paints nothing (a leader's spaces, empty text runs) is
  unmarked, and its structure element goes when nothing else is left in it;
- a link whose pieces (the text, ``::before`` and ``::after`` content, a span inside)
  each got an annotation and a nested Link element becomes one Link element with one
  annotation over all of them; an annotation held by another element moves to the
  Link around it;
- a ``dl`` whose terms and descriptions are grouped in ``div`` elements (``L > Div >
  LI``) becomes ``L > LI > (Lbl, LBody)``: the term is the label;
- table header cells get their ``Scope`` (Column in the head, Row elsewhere).

Only the PDF stage imports this module (and so pikepdf).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pikepdf

#: Operators that put marks on the page; marked content without one is empty.
_PAINT = frozenset(
    "Tj TJ ' \" Do f F f* B B* b b* S s sh EI".split()  # noqa: SIM905
)
#: Inline elements that are dropped once they hold nothing.
_PRUNABLE = frozenset({"/Span", "/NonStruct", "/Link"})

Obj = Any  # a pikepdf object: pikepdf has no stubs for its dynamic dictionaries


def restructure(data: bytes) -> bytes:
    """``data``, a tagged PDF from WeasyPrint, with the structure fixes above."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = _Tree(pdf)
        for page in pdf.pages:
            tree.clean_page(page)
        tree.merge_links()
        tree.group_list_items()
        tree.scope_headers()
        tree.prune()
        tree.write_parent_tree()
        out = io.BytesIO()
        # A content hash as /ID and no other variable bytes: same input, same file.
        pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def kids(element: Obj) -> list[Obj]:
    """An element's /K as a list (a lone MCID, reference or dictionary included)."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def is_element(kid: Obj) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and "/S" in kid


def walk(node: Obj) -> Iterator[Obj]:
    """Every structure element under ``node`` (the root or an element), depth first."""
    stack = list(reversed(kids(node)))
    while stack:
        kid = stack.pop()
        if is_element(kid):
            yield kid
            stack.extend(reversed(kids(kid)))


class _Tree:
    def __init__(self, pdf: Obj) -> None:
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        nums = self.root.ParentTree.Nums
        #: ParentTree: a page's key -> its MCID array; an annotation's key -> element.
        self.parents: dict[int, Obj] = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        self.reachable = {e.objgen for e in walk(self.root)}
        self.null = pikepdf.Object.parse(b"null")

    def write_parent_tree(self) -> None:
        """The ParentTree as changed; annotations that went are taken out of it."""
        nums: list[Obj] = []
        for key in sorted(self.parents):
            value = self.parents[key]
            if is_element(value) or isinstance(value, pikepdf.Array):
                nums += [key, value]
        self.root.ParentTree.Nums = pikepdf.Array(nums)

    def _set_kids(self, element: Obj, new: list[Obj]) -> None:
        element.K = pikepdf.Array(new)

    def clean_page(self, page: Obj) -> None:
        """Margin-box text to Artifacts; empty marked content unmarked (and untagged)."""
        mcids = self.parents[int(page.obj.StructParents)]
        ops = list(pikepdf.parse_content_stream(page))
        drop: set[int] = set()
        empty: list[int] = []
        open_: list[list[Any]] = []  # [index, mcid, painted]
        for index, instruction in enumerate(ops):
            name = str(instruction.operator)
            if name in _PAINT:
                if open_:
                    open_[-1][2] = True
            elif name == "BDC" or name == "BMC":
                props: Obj = instruction.operands[1] if name == "BDC" else None
                tagged = isinstance(props, pikepdf.Dictionary) and "/MCID" in props
                open_.append([index, int(props.MCID) if tagged else None, False])
            elif name == "EMC" and open_:
                start, mcid, painted = open_.pop()
                if painted and open_:
                    open_[-1][2] = True
                if not painted:
                    drop |= {start, index}
                    if mcid is not None:
                        empty.append(mcid)
                elif mcid is not None and self._orphan(mcids, mcid):
                    ops[start] = pikepdf.ContentStreamInstruction(
                        [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)],
                        pikepdf.Operator("BDC"),
                    )
                    mcids[mcid] = self.null
        self._untag(mcids, empty)
        kept = [op for i, op in enumerate(ops) if i not in drop]
        page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(kept))

    def _orphan(self, mcids: Obj, mcid: int) -> bool:
        """Content whose element is outside the tree: WeasyPrint's page margin boxes."""
        element: Obj = mcids[mcid] if mcid < len(mcids) else None
        return is_element(element) and element.objgen not in self.reachable

    def _untag(self, mcids: Obj, gone: list[int]) -> None:
        """Take MCIDs out of the page's elements and its ParentTree array."""
        by_element: dict[Any, tuple[Obj, set[int]]] = {}
        for mcid in gone:
            element: Obj = mcids[mcid] if mcid < len(mcids) else None
            if is_element(element):
                by_element.setdefault(element.objgen, (element, set()))[1].add(mcid)
            if mcid < len(mcids):
                mcids[mcid] = self.null
        for element, numbers in by_element.values():
            self._set_kids(element, [k for k in kids(element) if _mcid(k) not in numbers])

    def merge_links(self) -> None:
        """One Link element and one annotation per link; annotations only under Links."""
        for element in list(walk(self.root)):
            if element.get("/S") != "/Link" or _inside_link(element):
                continue
            for inner in [e for e in walk(element) if e.get("/S") == "/Link" or _has_objr(e)]:
                self._absorb(element, inner)
            self._one_annotation(element)
        for element in list(walk(self.root)):
            if _has_objr(element) and element.get("/S") != "/Link":
                element.S = _name("/Link")

    def _absorb(self, link: Obj, inner: Obj) -> None:
        """Move ``inner``'s content and annotations into ``link``; ``inner`` keeps its
        child elements (spans lose their annotation, nested Links dissolve)."""
        moved = [k for k in kids(inner) if not is_element(k)]
        rest = [k for k in kids(inner) if is_element(k)]
        if inner.get("/S") == "/Link":
            moved, rest = kids(inner), []
            for child in moved:
                if is_element(child):
                    child.P = link
        self._set_kids(inner, rest)
        self._set_kids(link, kids(link) + moved)
        page_key = None
        for kid in moved:
            if _is_objr(kid):
                self.parents[int(kid.Obj.StructParent)] = link
            elif isinstance(kid, int) or _is_mcr(kid):
                page_key = page_key or _page_key(inner)
                mcid = int(kid) if isinstance(kid, int) else int(kid.MCID)
                if page_key is not None:
                    self.parents[page_key][mcid] = link

    def _one_annotation(self, link: Obj) -> None:
        """Annotations of one Link on one page, to one target: one annotation whose
        rectangle covers them all."""
        first: dict[tuple[Any, str], Obj] = {}
        keep: list[Obj] = []
        for kid in kids(link):
            if not _is_objr(kid):
                keep.append(kid)
                continue
            annotation = kid.Obj
            key = (kid.Pg.objgen, repr(annotation.get("/Dest", annotation.get("/A"))))
            if key not in first:
                first[key] = annotation
                keep.append(kid)
                continue
            _cover(first[key], annotation)
            annots = [a for a in kid.Pg.Annots if a.objgen != annotation.objgen]
            kid.Pg.Annots = pikepdf.Array(annots)
            self.parents[int(annotation.StructParent)] = self.null
        self._set_kids(link, keep)

    def group_list_items(self) -> None:
        """``L > Div > LI(LBody) ...`` (a dl's div groups) to ``L > LI > (Lbl, LBody)``."""
        for element in list(walk(self.root)):
            if element.get("/S") != "/L":
                continue
            for group in kids(element):
                items = kids(group) if is_element(group) else []
                if group.get("/S") != "/Div" or not items:
                    continue
                if not all(is_element(i) and i.get("/S") == "/LI" for i in items):
                    continue
                bodies = [b for item in items for b in kids(item) if is_element(b)]
                label, rest = bodies[0], bodies[1:]
                label.S = _name("/Lbl")
                for body in rest[1:]:
                    for kid in kids(body):
                        if is_element(kid):
                            kid.P = rest[0]
                    self._set_kids(rest[0], kids(rest[0]) + kids(body))
                for body in [label, *rest[:1]]:
                    body.P = group
                group.S = _name("/LI")
                self._set_kids(group, [label, *rest[:1]])

    def scope_headers(self) -> None:
        for section in walk(self.root):
            if section.get("/S") not in ("/THead", "/TBody", "/TFoot"):
                continue
            scope = _name("/Column" if section.S == "/THead" else "/Row")
            for cell in walk(section):
                if cell.get("/S") == "/TH":
                    attributes = cell.get("/A") or pikepdf.Dictionary(O=_name("/Table"))
                    attributes.Scope = scope
                    cell.A = attributes

    def prune(self) -> None:
        """Drop inline elements left with nothing in them, innermost first."""
        self._prune(self.root)

    def _prune(self, node: Obj) -> bool:
        """Prune under ``node``; whether ``node`` is an inline element left empty."""
        children = kids(node)
        kept = [k for k in children if not (is_element(k) and self._prune(k))]
        if len(kept) != len(children):
            self._set_kids(node, kept)
        return node.get("/S") in _PRUNABLE and not kept


def _name(value: str) -> Obj:
    return pikepdf.Name(value)


def _is_objr(kid: Obj) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"


def _is_mcr(kid: Obj) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"


def _mcid(kid: Obj) -> int | None:
    """The MCID a kid names (a number, or a marked-content reference), else None."""
    if isinstance(kid, int):
        return kid
    return int(kid.MCID) if _is_mcr(kid) else None


def _has_objr(element: Obj) -> bool:
    return any(_is_objr(k) for k in kids(element))


def _inside_link(element: Obj) -> bool:
    parent = element.get("/P")
    while is_element(parent):
        if parent.get("/S") == "/Link":
            return True
        parent = parent.get("/P")
    return False


def _page_key(element: Obj) -> int | None:
    page = element.get("/Pg")
    return None if page is None else int(page.StructParents)


def _cover(kept: Obj, other: Obj) -> None:
    """Grow ``kept``'s rectangle to cover ``other``'s."""
    a, b = [float(v) for v in kept.Rect], [float(v) for v in other.Rect]
    kept.Rect = pikepdf.Array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])
    if "/QuadPoints" in kept:
        del kept["/QuadPoints"]
