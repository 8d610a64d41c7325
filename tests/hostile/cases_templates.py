"""Hostile cases: Templates and the markup audit: sandbox escapes, audit bypasses, math in labels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.hostile.cases import BRIEFING, CHART, CSS, DERIVED, minimal
from tests.hostile.harness import (
    Case,
    Context,
    LeakReport,
    Run,
    append,
    chain,
    edit,
    pdf_texts,
)

COVER = "templates/partials/cover.html.j2"

#: The SMTP password every sandbox case runs with: no output, cache or message may show it.
PASSWORD = "hostile-smtp-password-7d41c9"
SANDBOX = r"refused by the template sandbox: "


def _with_password(argv: list[str]) -> list[str]:
    return ["env", f"REPORTGEN_SMTP_PASSWORD={PASSWORD}", *argv]


def _password_kept(ctx: Context, out: Path, runs: list[Run]) -> None:
    """The password is in no file of the project (outputs and caches) and no message."""
    for run in runs:
        assert PASSWORD not in run.stdout + run.stderr, f"[{run.verb}] printed the password"
    for path in sorted(ctx.project.rglob("*")):
        if not path.is_file():
            continue
        texts = [path.read_bytes().decode("utf-8", errors="replace")]
        if path.suffix == ".pdf":
            texts += pdf_texts(path, LeakReport())
        assert not any(PASSWORD in t for t in texts), f"{path.name} holds the password"


def _no_file(name: str) -> Callable[[Context, Path, list[Run]], None]:
    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        _password_kept(ctx, out, runs)
        assert not (ctx.project / name).exists(), f"{name} was created: a template ran a command"

    return check


def sandbox(
    case_id: str,
    expression: str,
    message: str,
    *,
    needle: str | None = None,
    messages: dict[str, str] | None = None,
    verify: Callable[[Context, Path, list[Run]], None] = _password_kept,
) -> Case:
    """A template line that tries to leave the sandbox: refused, located, in check and build."""
    return Case(
        f"sandbox-{case_id}",
        "sandbox",
        append(COVER, f"<p>{expression}</p>\n"),
        verbs=("check", "build"),
        message=SANDBOX + message,
        messages=messages or {},
        where=(COVER, needle or expression),
        attack=True,
        wrap=_with_password,
        verify=verify,
    )


SANDBOX_CASES = [
    sandbox(
        "cycler-globals-environ",
        "{{ cycler.__init__.__globals__.os.environ.REPORTGEN_SMTP_PASSWORD }}",
        r".*'__init__'",
    ),
    sandbox(
        "lipsum-globals-popen",
        "{{ lipsum.__globals__.os.popen('touch PWNED').read() }}",
        r"'lipsum' is not given to templates",
        messages={"build": r"'lipsum' is undefined"},
        verify=_no_file("PWNED"),
    ),
    sandbox(
        "joiner-globals",
        "{{ joiner.__init__.__globals__['os'].popen('touch PWNED').read() }}",
        r".*'__init__'",
        verify=_no_file("PWNED"),
    ),
    sandbox(
        "str-class-mro-subclasses",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        r".*'__class__'",
    ),
    sandbox("helper-bound-self", "{{ fig.__self__.store }}", r".*'__self__'"),
    sandbox("helper-func-globals", "{{ entity.__func__.__globals__['os'] }}", r".*'__func__'"),
    sandbox(
        "chart-helper-closure",
        "{{ chart.__closure__[0].cell_contents }}",
        r".*'__closure__'",
    ),
    sandbox(
        "model-parse-file",
        "{{ meta.parse_file('/etc/passwd') }}",
        r".*'parse_file'",
    ),
    sandbox(
        "model-fields-to-classes",
        "{{ meta.model_fields.title.annotation }}",
        r".*'model_fields'",
    ),
    sandbox(
        "template-reference-context",
        "{{ self._TemplateReference__context.fig }}",
        r".*'_TemplateReference__context'",
    ),
    sandbox(
        "range-billion",
        "{% for i in range(10**9) %}.{% endfor %}",
        r"range of 1000000000 items",
    ),
    sandbox("power-huge", "{{ 7 ** 100000000 }}", r"7 \*\* 100000000 is too large"),
    sandbox("repeat-huge", "{{ 'x' * 10 ** 10 }}", r"repeating 1 items 10000000000 times"),
    sandbox(
        "format-string-attribute",
        "{{ '{0.__class__.__init__.__globals__}'.format(meta) }}",
        r".*'__class__'",
    ),
    sandbox(
        "format-spec-nested-field",
        "{{ '{0:{1.__class__}}'.format(1, meta) }}",
        r".*'__class__'",
    ),
    sandbox("attr-filter", "{{ meta | attr('__class__') }}", r".*'__class__'"),
    sandbox(
        "map-attribute",
        "{{ sources | map(attribute='__class__') | list }}",
        r".*'__class__'",
    ),
    sandbox("getitem-dunder", "{{ meta['__dict__'] }}", r".*'__dict__'"),
    sandbox("given-dict-changed", "{{ sources_by_id.update({}) }}", r".*'update' of a 'dict'"),
    Case(
        "sandbox-division-by-zero",
        "sandbox",
        append(COVER, "<p>{{ 1 / 0 }}</p>\n"),
        verbs=("check", "build"),
        message=r"template expression failed: division by zero",
        where=(COVER, "1 / 0"),
    ),
    Case(
        "sandbox-macro-recursion",
        "sandbox",
        append(COVER, "{% macro again() %}{{ again() }}{% endmacro %}<p>{{ again() }}</p>\n"),
        verbs=("check", "build"),
        message=r"template expression failed: maximum recursion depth",
        where=(COVER, "again()"),
    ),
]


def refused(case_id: str, markup: str, message: str, needle: str) -> Case:
    """Markup in the briefing template that reaches outside it: refused by the audit at
    the line that wrote it, before anything is fetched."""
    return Case(
        f"audit-{case_id}",
        "audit",
        minimal(markup),
        message=message,
        where=(BRIEFING, needle),
        attack=True,
    )


def refused_css(case_id: str, css: str, message: str, needle: str) -> Case:
    """A stylesheet rule that reaches outside the briefing, located in the stylesheet."""
    return Case(
        f"audit-{case_id}",
        "audit",
        chain(minimal(), append(CSS, f"\n{css}\n")),
        message=message,
        where=(CSS, needle),
        attack=True,
    )


LOOPBACK = "http://127.0.0.1:{PORT}"
FETCH = r"refused to fetch 'http://127\.0\.0\.1:{PORT}/"

AUDIT_CASES = [
    refused_css(
        "css-escape-url",
        f"body {{ background: u\\72l({LOOPBACK}/escaped.png); }}",
        FETCH + r"escaped\.png' \(url\(\)",
        "u\\72l",
    ),
    refused_css(
        "css-escape-url-quoted",
        f'body {{ background: \\75 rl("{LOOPBACK}/quoted.png"); }}',
        FETCH + r"quoted\.png' \(url\(\)",
        "\\75 rl",
    ),
    refused_css(
        "css-image-set",
        f"body {{ background-image: image-set('{LOOPBACK}/set.png' 1x); }}",
        FETCH + r"set\.png' \(image-set\(\)",
        "image-set",
    ),
    refused_css(
        "css-import-uppercase",
        f'@IMPORT "{LOOPBACK}/upper.css";',
        FETCH + r"upper\.css' \(@import rule",
        "@IMPORT",
    ),
    refused_css(
        "css-import-escaped",
        f"@\\69mport url({LOOPBACK}/escaped.css);",
        FETCH + r"escaped\.css' \(@import rule",
        "@\\69mport",
    ),
    refused_css(
        "css-attr-url",
        "p::after { content: attr(data-target url); }",
        r"refused attr\(\.\.\. url\)",
        "data-target url",
    ),
    refused(
        "style-attribute-url",
        f"<p style=\"background: url('{LOOPBACK}/attr.png')\">x</p>",
        FETCH + r"attr\.png' \(url\(\) in the style attribute of <p>\)",
        "attr.png",
    ),
    refused(
        "style-attribute-entity-encoded",
        '<p style="background: url(&#104;ttp://127.0.0.1:{PORT}/entity.png)">x</p>',
        FETCH + r"entity\.png'",
        "entity.png",
    ),
    refused(
        "style-element-url",
        f"<style>p {{ background: url({LOOPBACK}/element.png); }}</style>",
        FETCH + r"element\.png' \(url\(\) in a <style> element\)",
        "element.png",
    ),
    refused(
        "meta-refresh",
        f'<meta http-equiv="refresh" content="0; url={LOOPBACK}/away">',
        r"refused <meta http-equiv='refresh'>",
        "http-equiv",
    ),
    refused(
        "meta-refresh-uppercase",
        f'<META HTTP-EQUIV="Refresh" CONTENT="0; URL={LOOPBACK}/away">',
        r"refused <meta http-equiv='Refresh'>",
        "HTTP-EQUIV",
    ),
    refused(
        "iframe-srcdoc",
        f"<iframe srcdoc=\"<img src='{LOOPBACK}/framed.png'>\"></iframe>",
        r"refused <iframe>: the briefing embeds no other documents",
        "<iframe",
    ),
    refused(
        "object-remote",
        f'<object data="{LOOPBACK}/object.svg" type="image/svg+xml"></object>',
        r"refused <object>",
        "<object",
    ),
    refused("embed-remote", f'<embed src="{LOOPBACK}/embed.svg">', r"refused <embed>", "<embed"),
    refused("base-remote", f'<base href="{LOOPBACK}/">', r"refused <base>", "<base"),
    refused(
        "link-remote-uppercase",
        f'<LINK REL="stylesheet" HREF="{LOOPBACK}/upper.css">',
        FETCH + r"upper\.css' \(<link>\)",
        "upper.css",
    ),
    refused(
        "img-srcset",
        f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="{LOOPBACK}/2x.png 2x" alt="">',
        FETCH + r"2x\.png' \(<img srcset>\)",
        "srcset",
    ),
    refused(
        "protocol-relative",
        '<img src="//127.0.0.1:{PORT}/relative.png" alt="">',
        r"refused to fetch '//127\.0\.0\.1:{PORT}/relative\.png'",
        "relative.png",
    ),
    refused(
        "backslash-dotdot",
        '<img src="..\\outside\\secret.png" alt="">',
        r"refused to fetch '\.\.\\outside\\secret\.png'",
        "secret.png",
    ),
    refused(
        "percent-dotdot",
        '<img src="%2e%2e/outside/secret.png" alt="">',
        r"refused to fetch '%2e%2e/outside/secret\.png'",
        "secret.png",
    ),
    refused(
        "svg-use-href",
        f'<svg width="10" height="10"><use href="{LOOPBACK}/sprite.svg#a"/></svg>',
        FETCH + r"sprite\.svg#a' \(<use href>\)",
        "sprite.svg",
    ),
    refused(
        "svg-use-xlink-href",
        f'<svg width="10" height="10"><use xlink:href="{LOOPBACK}/sprite.svg#b"/></svg>',
        FETCH + r"sprite\.svg#b' \(<use xlink:href>\)",
        "sprite.svg",
    ),
    refused(
        "svg-image-remote",
        f'<svg width="10" height="10"><image href="{LOOPBACK}/pic.png" width="10" height="10"/></svg>',
        FETCH + r"pic\.png' \(<image href>\)",
        "pic.png",
    ),
    refused(
        "svg-fill-url",
        f'<svg width="10" height="10"><rect fill="url({LOOPBACK}/paint.svg#g)" width="10" height="10"/></svg>',
        FETCH + r"paint\.svg#g' \(url\(\) in the fill attribute of <rect>\)",
        "paint.svg",
    ),
    refused(
        "svg-style-import",
        f'<svg width="10" height="10"><style>@import url("{LOOPBACK}/svg.css");</style></svg>',
        FETCH + r"svg\.css' \(@import rule",
        "svg.css",
    ),
    refused(
        "event-handler",
        '<p onclick="alert(1)">x</p>',
        r"refused event handler 'onclick' on <p>",
        "onclick",
    ),
    refused(
        "event-handler-uppercase",
        "<P ONMOUSEOVER=alert(1)>x</P>",
        r"refused event handler 'onmouseover' on <p>",
        "ONMOUSEOVER",
    ),
    refused(
        "event-handler-svg",
        '<svg onload="alert(1)" width="1" height="1"></svg>',
        r"refused event handler 'onload' on <svg>",
        "onload",
    ),
    refused(
        "script-uppercase",
        "<SCRIPT>alert(1)</SCRIPT>",
        r"refused <script>: the briefing runs no scripts",
        "<SCRIPT",
    ),
    refused(
        "javascript-link",
        '<a href="javascript:alert(1)">x</a>',
        r"refused link to 'javascript:alert\(1\)'",
        "javascript:",
    ),
    refused(
        "javascript-link-entity-encoded",
        '<a href="jav&#x61;script&colon;alert(1)">x</a>',
        r"refused link to 'javascript:alert\(1\)'",
        "jav&#x61;script",
    ),
    refused(
        "javascript-link-tab",
        '<a href="java&#9;script:alert(1)">x</a>',
        r"refused link to 'javascript:alert\(1\)'",
        "java&#9;script",
    ),
    refused(
        "form-action",
        f'<form action="{LOOPBACK}/post"><p>x</p></form>',
        r"refused <form>: the briefing sends nothing anywhere",
        "<form",
    ),
]


def _shown_as_written(
    *texts: str, in_chart: bool = True
) -> Callable[[Context, Path, list[Run]], None]:
    """The build succeeded and the page (and the chart's SVG) print each text verbatim."""

    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        svg = (out / "charts" / "seres-capacity.svg").read_text(encoding="utf-8")
        page = (out / "briefing.html").read_text(encoding="utf-8")
        for text in texts:
            assert text in page, f"{text!r} is not in the page as written"
            rewritten = text.replace("/", "÷")
            assert rewritten == text or rewritten not in page, f"{rewritten!r} is in the page"
            assert text in svg or not in_chart, f"{text!r} is not in the chart as written"

    return check


LABEL_CASES = [
    Case(
        "label-mathtext-in-chart",
        "labels",
        chain(
            edit(CHART, "label: Before the SE Project", "label: '$\\frac{a}{$ before'"),
            edit(CHART, "label: With the SE Project", "label: '$ with, $ after'"),
        ),
        verbs=("check", "build"),
        exit=0,
        verify=_shown_as_written("$\\frac{a}{$ before", "$ with, $ after"),
        timeout=300,
    ),
    Case(
        "label-dollars-and-slash-in-derived",
        "labels",
        edit(
            DERIVED,
            "label: SERES annual capacity before the third factory",
            "label: SERES capacity $5bn to $3bn before/after",
        ),
        verbs=("check", "build"),
        exit=0,
        verify=_shown_as_written("SERES capacity $5bn to $3bn before/after", in_chart=False),
        timeout=300,
    ),
]

TEMPLATE_ATTACKS: list[Case] = [*SANDBOX_CASES, *AUDIT_CASES, *LABEL_CASES]
