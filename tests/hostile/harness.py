"""Running one hostile case: a broken copy of the real project, a real ``reportgen``
process, and the checks every case shares.

A case is a small mutation of a scratch copy of the repository's report project
(``seeds/``, ``charts/``, ``templates/``). The copy's ``build/`` folder holds the
outputs of a good build; after the command, those must be byte-identical when the
command failed. Every run is also checked for tracebacks, for requests reaching a
loopback HTTP server, and (where outputs were written) for leaked local files.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# One scratch-copy helper for every suite; the hostile modules import it from here.
from tests.conftest import copy_project  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIRS = ("seeds", "charts", "templates")
TRACEBACK = "Traceback (most recent call last)"
#: The first line of /etc/passwd: its presence in an output is a leaked local file.
PASSWD_LINE = next(iter(Path("/etc/passwd").read_text(encoding="utf-8").splitlines()), "root:x:0:0")


@dataclass
class Context:
    """What a mutation may use: the project copy and the bait around it."""

    project: Path
    #: A folder next to the project (outside it) holding ``secret.txt``.
    outside: Path
    #: A token written only in files outside the project; found in an output = a leak.
    canary: str
    #: The loopback HTTP server's port; any request it receives is a failure.
    port: int

    def fill(self, text: str) -> str:
        """Placeholders a case's text may use: {PORT}, {OUTSIDE}, {CANARY}, {PROJECT}."""
        return (
            text.replace("{PORT}", str(self.port))
            .replace("{OUTSIDE}", str(self.outside))
            .replace("{CANARY}", self.canary)
            .replace("{PROJECT}", str(self.project))
        )


Mutation = Callable[[Context], None]
Verify = Callable[[Context, Path, "list[Run]"], None]


@dataclass(frozen=True)
class Case:
    """One hostile input: how to break the project and what reportgen must answer."""

    id: str
    group: str
    mutate: Mutation
    #: Regex one stderr line must match, e.g. ``duplicate id``; anchored after ``where``.
    message: str | None = None
    #: (file, needle): the message must start ``file:LINE`` where LINE holds ``needle``.
    where: tuple[str, str] | None = None
    #: Without a needle: the message must start with this file (no line is known).
    file: str | None = None
    #: Every case runs ``build`` (the verb that must keep outputs); some run ``check`` too.
    verbs: tuple[str, ...] = ("build",)
    exit: int = 1
    #: Per-verb overrides of ``message`` (check and build find some problems differently).
    messages: dict[str, str] = field(default_factory=dict)
    exits: dict[str, int] = field(default_factory=dict)
    #: Check outputs for leaked files, script, attachments and network requests.
    attack: bool = False
    timeout: float = 180
    #: Extra check after the run: (context, out folder, runs) -> None, raising on failure.
    verify: Verify | None = None
    #: A module the case needs (skipped until that stage exists).
    needs: str | None = None
    #: Wraps the command, e.g. to drop privileges; gets and returns argv.
    wrap: Callable[[list[str]], list[str]] | None = None


@dataclass
class Run:
    verb: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


# --- mutations -------------------------------------------------------------------------


def edit(relpath: str, old: str, new: str, count: int = 1) -> Mutation:
    """Replace ``old`` by ``new`` in a project file (``old`` must be there)."""

    def apply(ctx: Context) -> None:
        file = ctx.project / relpath
        text = file.read_text(encoding="utf-8")
        wanted = ctx.fill(old)
        assert wanted in text, f"{wanted!r} not in {relpath}"
        file.write_text(text.replace(wanted, ctx.fill(new), count), encoding="utf-8")

    return apply


def append(relpath: str, text: str) -> Mutation:
    def apply(ctx: Context) -> None:
        file = ctx.project / relpath
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("a", encoding="utf-8") as stream:
            stream.write(ctx.fill(text))

    return apply


def write(relpath: str, content: str | bytes) -> Mutation:
    def apply(ctx: Context) -> None:
        file = ctx.project / relpath
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(ctx.fill(content), encoding="utf-8")

    return apply


def remove(relpath: str) -> Mutation:
    def apply(ctx: Context) -> None:
        target = ctx.project / relpath
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    return apply


def chain(*mutations: Mutation) -> Mutation:
    def apply(ctx: Context) -> None:
        for mutation in mutations:
            mutation(ctx)

    return apply


# --- the loopback server ---------------------------------------------------------------


class Loopback:
    """An HTTP server on 127.0.0.1 that records every request; none may ever arrive."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.bytes = 0
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                loopback.requests.append(self.path)
                loopback.bytes += len(self.requestline) + len(str(self.headers))
                body = b"leaked"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_bait(folder: Path, canary: str) -> Path:
    """Files outside the project whose contents no output may ever show."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("secret.txt", "secret.css", "secret.svg", "secret.png"):
        (folder / name).write_text(f"{canary}\n", encoding="utf-8")
    return folder


# --- running and checking --------------------------------------------------------------


def reportgen_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{path}" if path else str(REPO)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def argv_for(verb: str, project: Path, out: Path) -> list[str]:
    base = [sys.executable, "-m", "reportgen"]
    if verb == "check":
        return [*base, "check", "--project", str(project)]
    if verb == "facts":
        return [*base, "facts", "list", "--project", str(project)]
    if verb in ("charts", "build"):
        return [*base, verb, "--project", str(project), "--out", str(out)]
    raise ValueError(verb)


#: A hostile input must not be able to take the machine down with the test run.
MEMORY_LIMIT = 6 * 1024**3


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(
    argv: Sequence[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> Run:
    start = time.monotonic()
    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            env=env or reportgen_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=_limits,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        return Run(
            "",
            list(argv),
            -999,
            out,
            err + f"\n[timed out after {timeout:.0f} s]",
            time.monotonic() - start,
        )
    return Run("", list(argv), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (and every folder, as 'dir')."""
    if not folder.exists():
        return {}
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_dir():
            found[key] = "dir"
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def has_traceback(r: Run) -> bool:
    """A Python traceback, or the CLI's last line of defence (an uncaught exception)."""
    text = r.stdout + r.stderr
    return TRACEBACK in text or "internal error" in text or r.returncode == 3


def expected_line(ctx: Context, relpath: str, needle: str) -> int:
    lines = (ctx.project / relpath).read_text(encoding="utf-8", errors="replace").splitlines()
    filled = ctx.fill(needle)
    for number, line in enumerate(lines, 1):
        if filled in line:
            return number
    raise AssertionError(f"{filled!r} is not in {relpath}")


def message_pattern(case: Case, ctx: Context, verb: str) -> re.Pattern[str] | None:
    message = case.messages.get(verb, case.message)
    if message is None:
        return None
    if case.where is not None:
        relpath, needle = case.where
        line = expected_line(ctx, relpath, needle)
        prefix = re.escape(relpath) + f":{line}(?::\\d+)?: .*"
    elif case.file is not None:
        prefix = re.escape(case.file) + r"(?::\d+(?::\d+)?)?: .*"
    else:
        prefix = ".*"
    return re.compile(prefix + ctx.fill(message))


# --- leaks -----------------------------------------------------------------------------


@dataclass
class LeakReport:
    """What the outputs of an attack case give away; every count must be zero."""

    leaked_bytes: int = 0
    findings: list[str] = field(default_factory=list)

    def add(self, finding: str, size: int) -> None:
        self.findings.append(finding)
        self.leaked_bytes += size


_ACTIVE_TAGS = {"script", "iframe", "object", "embed", "frame", "base", "meta", "link", "form"}


class _MarkupCounter(HTMLParser):
    """Live markup an attacker would want: script-like elements, event handlers,
    javascript: URLs and anything that fetches from outside the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS and not (tag == "meta" and _harmless_meta(attrs)):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("src", "href", "data", "xlink:href", "srcset", "poster", "action") and (
                value.startswith(("javascript:", "file:", "http:", "https:", "//", ".."))
            ):
                self.found.append(f"{tag} {name}={value[:40]}")
        style = dict(attrs).get("style") or ""
        if "url(" in style and "url(data:" not in style.replace(" ", ""):
            self.found.append(f"{tag} style url()")


def _harmless_meta(attrs: list[tuple[str, str | None]]) -> bool:
    return "http-equiv" not in dict(attrs)


def live_markup(html: str) -> list[str]:
    counter = _MarkupCounter()
    counter.feed(html)
    counter.close()
    return counter.found


def scan_outputs(out: Path, ctx: Context, baseline: Sequence[str] = ()) -> LeakReport:
    """Local file contents, live script markup and attachments in HTML, SVG and PDF."""
    report = LeakReport()
    secrets = [ctx.canary, PASSWD_LINE]
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts = [data.decode("utf-8", errors="replace")]
        if path.suffix == ".pdf":
            texts += pdf_texts(path, report)
        for text in texts:
            for secret in secrets:
                hits = text.count(secret)
                if hits:
                    report.add(f"{path.name} contains {secret[:20]!r} x{hits}", hits * len(secret))
        if path.suffix in (".html", ".svg"):
            extra = sorted(set(live_markup(texts[0])) - set(baseline))
            if extra:
                report.add(f"{path.name}: live markup {extra[:5]}", 0)
    return report


def pdf_texts(path: Path, report: LeakReport) -> list[str]:
    """The text of every page, plus a finding per attachment or script in the PDF."""
    import pymupdf
    from pypdf import PdfReader

    reader = PdfReader(path)
    for name, contents in reader.attachments.items():
        report.add(f"{path.name}: attachment {name!r}", sum(len(c) for c in contents))
    root = reader.trailer["/Root"]
    for key in ("/OpenAction", "/AA", "/JavaScript"):
        if key in root:
            report.add(f"{path.name}: catalog has {key}", 0)
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        report.add(f"{path.name}: document-level JavaScript", 0)
    texts: list[str] = []
    with pymupdf.open(path) as doc:
        for page in doc:
            texts.append(page.get_text())
            for annot in page.annots() or []:
                if annot.type[1] in ("FileAttachment", "Sound", "Movie", "RichMedia"):
                    report.add(f"{path.name}: {annot.type[1]} annotation", 0)
            for link in page.get_links():
                uri = str(link.get("uri") or link.get("file") or "")
                launch = link["kind"] == pymupdf.LINK_LAUNCH
                if launch or uri.startswith(("file:", "javascript:")) or "127.0.0.1" in uri:
                    report.add(f"{path.name}: link to local file or script {uri[:60]!r}", 0)
    return texts


@contextmanager
def timed() -> Iterator[list[float]]:
    box = [time.monotonic()]
    yield box
    box[0] = time.monotonic() - box[0]
