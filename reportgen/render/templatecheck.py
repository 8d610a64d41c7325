"""``check`` for templates: each compiles, names templates and stylesheets that
exist, and uses nothing the sandbox would refuse."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError

from reportgen.errors import Location, Problems, relative
from reportgen.render.environment import BRIEFING, TEMPLATE_DIR, environment
from reportgen.render.sandbox import unsafe_uses


def check_templates(project: Path, problems: Problems) -> int:
    """Compile every template; report syntax errors, missing partials and what the
    sandbox would refuse, with their line.

    Returns how many templates were compiled."""
    project = project.resolve()
    folder = project / TEMPLATE_DIR
    if not (folder / BRIEFING).is_file():
        problems.add("the briefing template is missing", Location(f"{TEMPLATE_DIR}/{BRIEFING}"))
        return 0
    env = environment(project)
    names = sorted(env.list_templates(filter_func=lambda n: n.endswith(".j2")))
    for name in names:
        shown = f"{TEMPLATE_DIR}/{name}"
        try:
            source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            ast = env.parse(source, name, shown)
            env.compile(ast, name, shown)
        except TemplateSyntaxError as exc:
            problems.add(exc.message or "syntax error", Location(shown, exc.lineno or 0))
            continue
        except UnicodeDecodeError:
            problems.add("not UTF-8 text", Location(shown))
            continue
        _check_references(env, name, shown, ast, problems)
        for line, message in unsafe_uses(ast):
            problems.add(message, Location(shown, line))
    for css in sorted(folder.rglob("*.css")):
        if "</" in css.read_text(encoding="utf-8", errors="replace"):
            problems.add("contains '</', which would end <style>", Location(relative(css, project)))
    return len(names)


def _check_references(
    env: Environment, name: str, shown: str, ast: object, problems: Problems
) -> None:
    """Every {% include %}, {% import %} and {% extends %} names a template that exists."""
    from jinja2 import nodes

    assert isinstance(ast, nodes.Template)
    known = set(env.list_templates())
    for node in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(node, "template", None)
        if (
            isinstance(target, nodes.Const)
            and isinstance(target.value, str)
            and target.value not in known
        ):
            problems.add(f"names missing template '{target.value}'", Location(shown, node.lineno))
    for call in ast.find_all(nodes.Call):
        if (
            isinstance(call.node, nodes.Name)
            and call.node.name in ("stylesheet", "print_stylesheet")
            and call.args
            and isinstance(call.args[0], nodes.Const)
            and call.args[0].value not in known
        ):
            problems.add(
                f"names missing stylesheet '{call.args[0].value}'", Location(shown, call.lineno)
            )
