"""The preview's additions to the briefing: a toolbar, the problems overlay, the reload script.

They are set into the page as it is served, never into the file the build wrote: the
published HTML stays free of them. The script is inline and runs only under the
response's nonce (:func:`content_security_policy`); the page may load nothing else.
"""

from __future__ import annotations

import html
import re

from reportgen.serve.events import State

_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

_STYLE = """
#reportgen-preview-bar, #reportgen-preview-problems {
  all: initial; position: fixed; left: 0; right: 0; z-index: 2147483647;
  font: 13px/1.4 system-ui, sans-serif; box-sizing: border-box;
}
#reportgen-preview-bar {
  bottom: 0; display: flex; gap: 1em; align-items: center; padding: 4px 12px;
  background: #1f2933; color: #f5f7fa;
}
#reportgen-preview-bar a { color: #9fd3ff; }
#reportgen-preview-problems {
  top: 0; max-height: 60vh; overflow: auto; padding: 12px 16px;
  background: #fff4f4; color: #5c0011; border-bottom: 3px solid #c00;
  box-shadow: 0 2px 12px rgb(0 0 0 / 25%);
}
#reportgen-preview-problems[hidden] { display: none; }
#reportgen-preview-problems pre {
  font: 13px/1.5 ui-monospace, monospace; white-space: pre-wrap; margin: 0.5em 0 0;
}
"""

#: Reloads on a new build, shows or hides the problems, points the PDF link at the latest.
_SCRIPT = """
(() => {
  const shown = %(version)d;
  const box = document.getElementById("reportgen-preview-problems");
  const lines = box.querySelector("pre");
  const pdf = document.getElementById("reportgen-preview-pdf");
  const note = document.getElementById("reportgen-preview-note");
  function show(state) {
    if (state.version !== shown) { location.reload(); return; }
    lines.textContent = state.problems.join("\\n");
    box.hidden = state.problems.length === 0;
    if (state.pdf > 0) { pdf.href = "/briefing.pdf?v=" + state.pdf; pdf.hidden = false; }
    note.textContent = state.pdf_problems.length ? "PDF failed: " + state.pdf_problems[0]
      : state.pdf_of !== state.version ? "PDF updating\\u2026" : "";
  }
  const events = new EventSource("/events");
  for (const name of ["state", "reload", "problems", "pdf"]) {
    events.addEventListener(name, (event) => show(JSON.parse(event.data)));
  }
})();
"""

_PLACEHOLDER = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>reportgen preview</title></head><body><p>Building the briefing\u2026</p>"
    "</body></html>"
)


def content_security_policy(nonce: str) -> str:
    """Nothing from anywhere but the page itself; of scripts, only the preview's own."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


def preview_page(briefing: str | None, state: State, nonce: str) -> str:
    """The briefing (or a placeholder before the first good build) with the preview's
    toolbar, overlay and script set in before ``</body>``."""
    page = briefing if briefing is not None else _PLACEHOLDER
    version = state.version if briefing is not None else 0
    problems = "\n".join(state.problems)
    hidden = "" if state.problems else " hidden"
    pdf_hidden = "" if state.pdf else " hidden"
    added = (
        f"<style>{_STYLE}</style>"
        f'<div id="reportgen-preview-problems" role="alert"{hidden}>'
        "<strong>The last build failed; the page shows the last good one.</strong>"
        f"<pre>{html.escape(problems)}</pre></div>"
        '<div id="reportgen-preview-bar" role="toolbar" aria-label="Preview">'
        "<span>reportgen preview</span>"
        f'<a id="reportgen-preview-pdf" href="/briefing.pdf?v={state.pdf}" target="_blank"'
        f' rel="noopener"{pdf_hidden}>Latest PDF</a>'
        '<span id="reportgen-preview-note"></span></div>'
        f'<script nonce="{html.escape(nonce)}">{_SCRIPT % {"version": version}}</script>'
    )
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + added
    at = ends[-1].start()
    return page[:at] + added + page[at:]
