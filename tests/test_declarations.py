"""WeasyPrint's C declarations: parsed once, then read from the cache, never executed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.pdf import PdfEngine, PdfJob, PdfMeta, html_to_pdf

# A fresh interpreter per import: WeasyPrint can be imported only once per process.
_IMPORT = """
import json, sys
from pathlib import Path
from reportgen.pdf.declarations import parsed_once
with parsed_once(Path(sys.argv[1])):
    import weasyprint
from weasyprint.text.ffi import ffi, pango
print(json.dumps({
    "parsed": "pycparser" in sys.modules,
    "backend": type(ffi._ffi).__module__,
    "pango": pango.pango_version() > 0,
}))
"""


def _import_weasyprint(cache: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(cache)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.count("\n") == 1, done.stdout  # cffi's "generating ..." is not shown
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_first_import_parses_and_caches_the_next_reads_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cffi"
    first = _import_weasyprint(cache)
    assert first == {"parsed": True, "backend": "cffi.api", "pango": True}
    entries = list(cache.glob("*.py"))
    assert len(entries) == 1
    assert not list(cache.glob(".*.tmp"))
    second = _import_weasyprint(cache)
    assert second == {"parsed": False, "backend": "_cffi_backend", "pango": True}


@pytest.mark.parametrize(
    "content",
    [
        # Code instead of the literals cffi writes: must not run.
        "import os\nos.system('touch {marker}')\n",
        "import _cffi_backend\nffi = _cffi_backend.FFI('_reportgen_weasyprint_ffi', "
        "_types=__import__('os').system('touch {marker}'))\n",
        # Cut short, as by a crash while it was written by another build.
        "import _cffi_backend\nffi = _cffi_backend.FFI('_reportgen_weasyprint_ffi',\n    _ty",
        # Literals of the wrong kind for cffi.
        "import _cffi_backend\nffi = _cffi_backend.FFI('_reportgen_weasyprint_ffi', _types=42)\n",
    ],
    ids=["code", "code-in-argument", "truncated", "wrong-literals"],
)
def test_a_bad_cache_entry_is_never_run_and_is_replaced(tmp_path: Path, content: str) -> None:
    cache = tmp_path / "cffi"
    _import_weasyprint(cache)
    (entry,) = cache.glob("*.py")
    good = entry.read_text()
    marker = tmp_path / "ran"
    entry.write_text(content.format(marker=marker))
    assert _import_weasyprint(cache) == {"parsed": True, "backend": "cffi.api", "pango": True}
    assert not marker.exists()
    assert entry.read_text() == good


def test_an_unwritable_cache_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    assert _import_weasyprint(blocked / "cffi") == {
        "parsed": True,
        "backend": "cffi.api",
        "pango": True,
    }


def test_pdf_from_cached_declarations_is_byte_identical(tmp_path: Path) -> None:
    """Pango, HarfBuzz and fontconfig called through the cached FFI lay out and
    subset exactly as through WeasyPrint's own."""
    cache = tmp_path / "cffi"
    _import_weasyprint(cache)
    html = (
        "<!doctype html><html lang=en><head><title>t</title><style>"
        "body { font-family: Inter, sans-serif } td { border: 1px solid }</style></head><body>"
        "<h1>Liangjiang factory</h1><p>About <b>150,000</b> vehicles a <i>year</i>, "
        "up 12.5%.</p><table><tr><th>Plant</th><td>1</td></tr></table>"
        '<svg width="120" height="40" viewBox="0 0 120 40"><rect width="60" height="20"/>'
        '<text x="2" y="35" font-size="10">2022</text></svg></body></html>'
    )
    meta = PdfMeta("Cache test", "reportgen tests", "declarations", ("pdf",), "en")
    job = PdfJob(html, str(tmp_path), (), meta, 1_700_000_000, "briefing.html")
    with PdfEngine.start(cache) as engine:
        engine.submit(job)
        from_cache = engine.result().pdf.data
    in_process = html_to_pdf(html, base=tmp_path, meta=meta, source_date_epoch=1_700_000_000)
    assert from_cache.startswith(b"%PDF-")
    assert from_cache == in_process.data
