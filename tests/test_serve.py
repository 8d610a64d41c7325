"""``reportgen serve`` in a real Chromium: a save shows up by itself, a broken template is
shown over the last good page and goes away once fixed, and the server answers only its
own address and its own three paths.

One server (a real ``reportgen serve`` process on a free port) serves a scratch copy of
the project for the whole module; the tests run in order, each from the state the one
before left.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build
from tests.conftest import REPO, copy_project
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

# One preview, edited test after test: conftest.IN_ORDER keeps them on one xdist worker.
pytestmark = pytest.mark.browser

TEMPLATE = "templates/partials/summary.html.j2"
#: Words of our own, added to the summary's first paragraph and looked for on the page.
EDIT = "Preview check: the wording changed while the page was open."
#: Seconds a build may take on a busy machine (the first one draws every chart).
BUILD_S = 90


@dataclass
class Preview:
    project: Path
    url: str
    port: int
    process: subprocess.Popen[str]
    published: dict[str, bytes]


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    project = copy_project(tmp_path_factory.mktemp("serve") / "project")
    # A published build, which the preview must leave alone.
    build(project, project / "build", {"html"})
    published = {p.name: p.read_bytes() for p in (project / "build").iterdir() if p.is_file()}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = project.parent / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "serve", "--project", str(project)],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = _read_line(process, 60)
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, f"no address printed: {line!r}"
    try:
        yield Preview(project, match.group(0), int(match.group(1)), process, published)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        print(log.read_text(encoding="utf-8"))  # shown when a test failed


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return found[0] if found else ""


@pytest.fixture(scope="module")
def page(preview: Preview) -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing = "CHROMIUM NOT FOUND at /usr/bin/chromium: the preview was NOT checked"
        if os.environ.get("REPORTGEN_REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context()
        outside: list[str] = []

        def route(route: Any) -> None:
            if route.request.url.startswith(preview.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        tab = context.new_page()
        console: list[str] = []
        tab.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        tab.goto(preview.url)
        yield tab
        assert outside == [], "the preview asked for something outside itself"
        assert not [m for m in console if "Content Security Policy" in m], console
        browser.close()


def _edit(project: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the summary template; the line ``new`` starts on."""
    path = project / TEMPLATE
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_the_first_build_shows_up_by_itself(preview: Preview, page: Any) -> None:
    page.get_by_text("describe", exact=False).first.wait_for(timeout=BUILD_S * 1000)
    assert page.locator("#reportgen-preview-problems").is_hidden()


def test_an_edited_template_shows_without_a_manual_reload(preview: Preview, page: Any) -> None:
    _edit(preview.project, ".</p>", f". {EDIT}</p>")
    page.get_by_text(EDIT).wait_for(timeout=BUILD_S * 1000)


def test_a_broken_template_is_named_over_the_last_good_page(preview: Preview, page: Any) -> None:
    line = _edit(preview.project, EDIT, f"{EDIT} {{{{ no_such_name }}}}")
    overlay = page.locator("#reportgen-preview-problems")
    overlay.wait_for(state="visible", timeout=BUILD_S * 1000)
    assert f"{TEMPLATE}:{line}" in overlay.inner_text()
    assert "no_such_name" in overlay.inner_text()
    assert page.get_by_text(EDIT).first.is_visible()


def test_the_overlay_goes_once_the_template_is_fixed(preview: Preview, page: Any) -> None:
    _edit(preview.project, " {{ no_such_name }}", " Fixed again.")
    page.get_by_text("Fixed again.").wait_for(timeout=BUILD_S * 1000)
    assert page.locator("#reportgen-preview-problems").is_hidden()


def test_the_recorded_editions_are_watched_too(preview: Preview, page: Any) -> None:
    # An edition file that is no snapshot: its problem shows, and goes once it is removed.
    bad = preview.project / "editions" / "0002.json"
    bad.write_text("{}\n", encoding="utf-8")
    overlay = page.locator("#reportgen-preview-problems")
    overlay.wait_for(state="visible", timeout=BUILD_S * 1000)
    assert "editions/0002.json" in overlay.inner_text()
    bad.unlink()
    overlay.wait_for(state="hidden", timeout=BUILD_S * 1000)


def _get(preview: Preview, path: str, host: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=30)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host or f"127.0.0.1:{preview.port}")
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "127.0.0.1"]
)
def test_a_foreign_host_header_is_refused(preview: Preview, host: str) -> None:
    assert _get(preview, "/", host.format(port=preview.port)).status == 403
    assert _get(preview, "/", f"localhost:{preview.port}").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../seeds/report.yaml",
        "/%2e%2e/seeds/report.yaml",
        "/..%2fseeds%2freport.yaml",
        "//etc/passwd",
        "/charts/",
        "/.cache/preview/briefing.html",
        "/briefing.html/..",
        "/seeds/",
    ],
)
def test_nothing_but_the_preview_is_served(preview: Preview, path: str) -> None:
    response = _get(preview, path)
    assert 400 <= response.status < 500


def test_the_served_page_has_the_script_and_the_published_one_does_not(
    preview: Preview, page: Any
) -> None:
    response = _get(preview, "/")
    assert response.status == 200
    policy = response.getheader("Content-Security-Policy") or ""
    assert "script-src 'nonce-" in policy
    assert response.getheader("Cache-Control") == "no-store"
    served = page.content()
    assert "EventSource" in served
    published = (preview.project / "build" / "briefing.html").read_text(encoding="utf-8")
    assert "<script" not in published
    assert "reportgen-preview" not in published


def test_the_toolbar_opens_the_latest_pdf(preview: Preview, page: Any) -> None:
    link = page.locator("#reportgen-preview-pdf")
    link.wait_for(state="visible", timeout=BUILD_S * 1000)
    href = link.get_attribute("href")
    assert href and href.startswith("/briefing.pdf")
    data = page.request.get(preview.url.rstrip("/") + href).body()
    assert data.startswith(b"%PDF-")


def test_a_symlink_in_the_preview_folder_is_not_followed(preview: Preview) -> None:
    pdf = preview.project / ".cache" / "preview" / "briefing.pdf"
    pdf.unlink()
    pdf.symlink_to(preview.project / "seeds" / "report.yaml")
    assert _get(preview, "/briefing.pdf").status == 404


def test_the_published_build_is_untouched(preview: Preview) -> None:
    now = {p.name: p.read_bytes() for p in (preview.project / "build").iterdir() if p.is_file()}
    assert now == preview.published


def test_ctrl_c_stops_the_server_cleanly(preview: Preview) -> None:
    preview.process.send_signal(signal.SIGINT)
    stdout, _ = preview.process.communicate(timeout=30)
    assert preview.process.returncode == 0
    assert "stopped" in stdout
    assert "Traceback" not in (preview.project.parent / "serve.log").read_text(encoding="utf-8")
