"""Measure the means of speeding up a build, one experiment each, on the real briefing.

Each experiment times separate processes (median of --runs) so that the figures are
comparable with ``scripts/bench.py``:

- imports: what WeasyPrint and matplotlib cost to import, and that ``reportgen check``
  loads neither;
- harfbuzz: WeasyPrint's PDF font subsetting with libharfbuzz-subset0, and without it
  (its fontTools fallback);
- fontconfig: a second render in one process with a shared FontConfiguration and cache;
- subset: the render stage's font subsetting (fontTools) against HarfBuzz's hb-subset;
- fonttype: the charts as SVG text (``svg.fonttype: none``) against text as paths;
- overlap: chart drawing and WeasyPrint's import, one after the other and on two cores;
- rows: WeasyPrint's time per appendix table row, as the table grows;
- inline_svg: the charts inline (``<svg>``, as the briefing has them) against ``<img>``
  data: URIs, which keep SVG style attributes out of WeasyPrint's HTML cascade;
- pdfua: the floor with and without the tagged PDF/UA-1 variant the build writes;
- gc: the PDF worker's garbage-collector thresholds against Python's default, on the
  same render (interleaved runs).

Usage: python scripts/bench_means.py [--html build/briefing.html] [--runs 3] [NAME ...]
Writes build/bench-means.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
REPORTGEN = str(Path(PY).parent / "reportgen")

RENDER = """
import sys, time
t = time.perf_counter()
import weasyprint
{patch}
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
"""
NO_HB_SUBSET = "import weasyprint.pdf.fonts as f; f.harfbuzz_subset = None"

TWO_RENDERS = """
import sys, time, json
import weasyprint
from weasyprint.text.fonts import FontConfiguration
shared = sys.argv[2] == "shared"
t = time.perf_counter(); fc = FontConfiguration(); fc_s = time.perf_counter() - t
cache = {{}}
times = []
for _ in range(3):
    t = time.perf_counter()
    conf = fc if shared else FontConfiguration()
    doc = weasyprint.HTML(filename=sys.argv[1]).render(
        font_config=conf, cache=cache if shared else None)
    doc.write_pdf()
    times.append(time.perf_counter() - t)
print(json.dumps({{"font_config_s": fc_s, "renders_s": times}}))
"""


def timed(argv: list[str], runs: int, cwd: Path = ROOT) -> float:
    """Median wall time of ``argv`` over ``runs`` processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def imports(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"bare_python_s": timed([PY, "-c", "pass"], args.runs)}
    for module in ("weasyprint", "matplotlib", "matplotlib.pyplot", "fontTools.subset"):
        result[f"import_{module}_s"] = timed([PY, "-c", f"import {module}"], args.runs)
    probe = (
        "import sys; from reportgen.cli import main; main(['-q', 'check']); "
        "print(sorted(m for m in ('matplotlib', 'weasyprint', 'fontTools') if m in sys.modules))"
    )
    done = subprocess.run([PY, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    result["heavy_modules_loaded_by_check"] = done.stdout.strip().splitlines()[-1]
    result["reportgen_check_s"] = timed([REPORTGEN, "-q", "check"], args.runs)
    return result


def harfbuzz(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = str(Path(tmp) / "out.pdf")
        with_hb = [PY, "-c", RENDER.format(patch=""), str(args.html), pdf]
        timings = {"with_hb_subset_s": timed(with_hb, args.runs)}
        with_size = Path(pdf).stat().st_size
        without = [PY, "-c", RENDER.format(patch=NO_HB_SUBSET), str(args.html), pdf]
        timings["fonttools_fallback_s"] = timed(without, args.runs)
        return {
            **timings,
            "saved_s": round(timings["fonttools_fallback_s"] - timings["with_hb_subset_s"], 3),
            "pdf_kb_with": round(with_size / 1024),
            "pdf_kb_fallback": round(Path(pdf).stat().st_size / 1024),
        }


def fontconfig(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in ("fresh", "shared"):
        done = subprocess.run(
            [PY, "-c", TWO_RENDERS.format(), str(args.html), mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(done.stdout.strip().splitlines()[-1])
        out[f"{mode}_renders_s"] = [round(t, 3) for t in data["renders_s"]]
        out["font_configuration_s"] = round(data["font_config_s"], 3)
    return out


def subset(args: argparse.Namespace) -> dict[str, Any]:
    """fontTools (what the render stage uses) against hb-subset through ctypes."""
    code = """
import ctypes, io, json, sys, time
from pathlib import Path
from reportgen import fonts
text = Path(sys.argv[1]).read_text(encoding="utf-8")
chars = frozenset(fonts._BASE_CHARS) | frozenset(c for c in text if c.isprintable())
out = {}
t = time.perf_counter()
sizes = [len(fonts.subset_woff2(fonts.FONT_DIR / f.file, chars)) for f in fonts.FACES]
out["fonttools_s"] = time.perf_counter() - t
out["fonttools_woff2_bytes"] = sizes
P = ctypes.c_void_p
hb = ctypes.CDLL("libharfbuzz.so.0"); hbs = ctypes.CDLL("libharfbuzz-subset.so.0")
hb.hb_blob_create.restype = P
hb.hb_blob_create.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_int, P, P]
hb.hb_face_create.restype = P; hb.hb_face_create.argtypes = [P, ctypes.c_uint]
hbs.hb_subset_input_create_or_fail.restype = P
hbs.hb_subset_input_unicode_set.restype = P; hbs.hb_subset_input_unicode_set.argtypes = [P]
hb.hb_set_add.argtypes = [P, ctypes.c_uint32]
hbs.hb_subset_input_set_flags.argtypes = [P, ctypes.c_uint]
hbs.hb_subset_or_fail.restype = P; hbs.hb_subset_or_fail.argtypes = [P, P]
hb.hb_face_reference_blob.restype = P; hb.hb_face_reference_blob.argtypes = [P]
hb.hb_blob_get_data.restype = P
hb.hb_blob_get_data.argtypes = [P, ctypes.POINTER(ctypes.c_uint)]
from fontTools.ttLib import TTFont
t = time.perf_counter(); sizes = []
for f in fonts.FACES:
    data = (fonts.FONT_DIR / f.file).read_bytes()
    face = hb.hb_face_create(hb.hb_blob_create(data, len(data), 1, None, None), 0)
    inp = hbs.hb_subset_input_create_or_fail()
    uni = hbs.hb_subset_input_unicode_set(inp)
    for c in chars: hb.hb_set_add(uni, ord(c))
    hbs.hb_subset_input_set_flags(inp, 1 | 4)  # no hinting, desubroutinize
    blob = hb.hb_face_reference_blob(hbs.hb_subset_or_fail(face, inp))
    n = ctypes.c_uint(); otf = ctypes.string_at(hb.hb_blob_get_data(blob, ctypes.byref(n)), n.value)
    font = TTFont(io.BytesIO(otf), recalcTimestamp=False); font.flavor = "woff2"
    buf = io.BytesIO(); font.save(buf, reorderTables=False); sizes.append(len(buf.getvalue()))
out["hb_subset_plus_woff2_s"] = time.perf_counter() - t
out["hb_woff2_bytes"] = sizes
print(json.dumps(out))
"""
    done = subprocess.run(
        [PY, "-c", code, str(args.html)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def fonttype(args: argparse.Namespace) -> dict[str, Any]:
    """Charts drawn with text as text and as paths, rendered alone by WeasyPrint."""
    code = """
import json, sys, time
from pathlib import Path
import matplotlib
from reportgen.charts import resolve_charts
from reportgen.charts.draw import draw
from reportgen.charts.style import setup
from reportgen.errors import Problems
from reportgen.facts import open_store
from reportgen.fonts import font_face_css
project = Path(".").resolve()
store = open_store(project)
charts = resolve_charts(store, project, Problems())
setup()
out = {}
for mode in ("none", "path"):
    matplotlib.rcParams["svg.fonttype"] = mode
    t = time.perf_counter(); svgs = [draw(c).svg for c in charts]
    out[mode + "_draw_s"] = time.perf_counter() - t
    out[mode + "_svg_kb"] = sum(len(s) for s in svgs) / 1024
    css = font_face_css("".join(svgs))
    html = ("<html><head><style>" + css + " body{font-family:Inter}</style></head><body>"
            + "".join("<figure>" + s + "</figure>" for s in svgs) + "</body></html>")
    Path(sys.argv[1] + "." + mode + ".html").write_text(html, encoding="utf-8")
print(json.dumps(out))
"""
    with tempfile.TemporaryDirectory() as tmp:
        stem = str(Path(tmp) / "charts")
        done = subprocess.run(
            [PY, "-c", code, stem], cwd=ROOT, capture_output=True, text=True, check=True
        )
        out: dict[str, Any] = {
            k: round(v, 3) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()
        }
        for mode in ("none", "path"):
            html, pdf = f"{stem}.{mode}.html", f"{stem}.{mode}.pdf"
            out[f"{mode}_weasyprint_s"] = timed(
                [PY, "-c", RENDER.format(patch=""), html, pdf], args.runs
            )
            out[f"{mode}_pdf_kb"] = round(Path(pdf).stat().st_size / 1024)
    return out


def overlap(args: argparse.Namespace) -> dict[str, Any]:
    """Cold chart drawing and WeasyPrint's import: in sequence, and side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "p"
        project.mkdir()
        for name in ("seeds", "charts", "templates"):
            shutil.copytree(ROOT / name, project / name)
        charts = [REPORTGEN, "-q", "charts", "--project", str(project), "--out", tmp]
        importer = [
            PY,
            "-c",
            "import weasyprint; from weasyprint.text.fonts import "
            "FontConfiguration; FontConfiguration()",
        ]

        def clean() -> None:
            shutil.rmtree(project / ".cache", ignore_errors=True)

        def both() -> float:
            clean()
            start = time.perf_counter()
            procs = [subprocess.Popen(a, stdout=subprocess.DEVNULL) for a in (charts, importer)]
            for proc in procs:
                proc.wait()
            return time.perf_counter() - start

        def one(argv: list[str]) -> float:
            clean()
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            return time.perf_counter() - start

        draw = statistics.median(one(charts) for _ in range(args.runs))
        imp = statistics.median(one(importer) for _ in range(args.runs))
        side = statistics.median(both() for _ in range(args.runs))
    return {
        "charts_cold_s": round(draw, 3),
        "weasyprint_import_and_fonts_s": round(imp, 3),
        "sequential_s": round(draw + imp, 3),
        "side_by_side_s": round(side, 3),
        "saved_s": round(draw + imp - side, 3),
    }


def rows(args: argparse.Namespace) -> dict[str, Any]:
    """The appendix's fact entries, N of them, with the briefing's own stylesheet."""
    html = args.html.read_text(encoding="utf-8")
    head = html[: html.index("</head>")] + "</head>"
    first = html.index('<div class="fact"')
    entry = html[first : html.index("</div>", first) + len("</div>")]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (0, 100, 200, 400, 800):
            body = entry * n
            page = f'{head}<body><dl class="facts">{body}</dl></body></html>'
            file = Path(tmp) / f"rows{n}.html"
            file.write_text(page, encoding="utf-8")
            out[f"rows_{n}_s"] = timed(
                [PY, "-c", RENDER.format(patch=""), str(file), str(file) + ".pdf"], args.runs
            )
    base = out["rows_0_s"]
    out["ms_per_row"] = {
        n: round((out[f"rows_{n}_s"] - base) / n * 1000, 2) for n in (100, 200, 400, 800)
    }
    return out


def inline_svg(args: argparse.Namespace) -> dict[str, Any]:
    import base64
    import re

    html = args.html.read_text(encoding="utf-8")

    def as_img(m: re.Match[str]) -> str:
        svg = m.group(0)
        if "xmlns=" not in svg[:300]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        data = base64.b64encode(svg.encode()).decode()
        return f'<img alt="" style="width:100%" src="data:image/svg+xml;base64,{data}">'

    swapped, n = re.subn(r"<svg\b.*?</svg>", as_img, html, flags=re.S)
    out: dict[str, Any] = {"charts": n}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("inline", html), ("img", swapped)):
            file = Path(tmp) / f"{name}.html"
            file.write_text(text, encoding="utf-8")
            argv = [PY, "-m", "weasyprint", str(file), str(file) + ".pdf"]
            out[f"{name}_s"] = timed(argv, args.runs)
            done = subprocess.run(argv, capture_output=True, text=True, check=True)
            out[f"{name}_warnings"] = done.stderr.count("WARNING")
    return out


def pdfua(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = str(Path(tmp) / "out.pdf")
        plain = [PY, "-m", "weasyprint", str(args.html), pdf]
        return {
            "plain_s": timed(plain, args.runs),
            "pdf_ua_1_s": timed([*plain, "--pdf-variant", "pdf/ua-1"], args.runs),
        }


GC_RENDER = """
import gc, resource, sys, time
import weasyprint
from reportgen.pdf.worker import _GC_THRESHOLDS
if sys.argv[2] == "worker":
    gc.set_threshold(*_GC_THRESHOLDS)
t = time.perf_counter()
weasyprint.HTML(filename=sys.argv[1]).write_pdf(pdf_variant="pdf/ua-1")
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def gc(args: argparse.Namespace) -> dict[str, Any]:
    """Render and write only (import excluded), default thresholds and the worker's, in turn."""
    seconds: dict[str, list[float]] = {"default": [], "worker": []}
    peak_kb: dict[str, int] = {"default": 0, "worker": 0}
    for _ in range(args.runs):
        for mode in seconds:
            done = subprocess.run(
                [PY, "-c", GC_RENDER, str(args.html), mode],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            took, peak = done.stdout.split()
            seconds[mode].append(float(took))
            peak_kb[mode] = max(peak_kb[mode], int(peak))
    default, worker = (statistics.median(seconds[m]) for m in ("default", "worker"))
    return {
        "default_s": round(default, 3),
        "worker_thresholds_s": round(worker, 3),
        "saved": round(1 - worker / default, 3),
        "peak_mb": {m: round(kb / 1024, 1) for m, kb in peak_kb.items()},
    }


EXPERIMENTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "imports": imports,
    "harfbuzz": harfbuzz,
    "fontconfig": fontconfig,
    "subset": subset,
    "fonttype": fonttype,
    "overlap": overlap,
    "rows": rows,
    "inline_svg": inline_svg,
    "pdfua": pdfua,
    "gc": gc,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(EXPERIMENTS)} (default: all)")
    parser.add_argument("--html", type=Path, default=ROOT / "build" / "briefing.html")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench-means.json")
    args = parser.parse_args(argv)
    args.html = args.html.resolve()
    unknown = sorted(set(args.names) - set(EXPERIMENTS))
    if unknown:
        parser.error(f"unknown experiment(s): {', '.join(unknown)}")
    if not args.html.is_file():
        parser.error(f"{args.html} does not exist: run 'reportgen build' first")
    results: dict[str, Any] = {}
    for name in args.names or list(EXPERIMENTS):
        print(f"{name} ...", file=sys.stderr, flush=True)
        results[name] = EXPERIMENTS[name](args)
        print(json.dumps({name: results[name]}, indent=1, ensure_ascii=False))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
