"""Hostile cases: Templates and the markup audit: sandbox escapes, audit bypasses, math in labels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.hostile.harness import Case, Context, LeakReport, Run, append, pdf_texts

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
]

TEMPLATE_ATTACKS: list[Case] = [*SANDBOX_CASES]
