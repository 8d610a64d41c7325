"""What a reader of the briefing email sees: no invisible characters, chart notes that
read at 600 px, and a sender named after the report's author (seeds/report.yaml)."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
import yaml
from PIL import Image

from reportgen.deliver.addresses import Recipient
from reportgen.deliver.message import Envelope, build_message
from reportgen.deliver.view import email_view
from reportgen.editions.command import open_checked_store
from tests.conftest import REPO, BuiltBriefing

DATE = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)


def _message(built: BuiltBriefing, sender: Recipient) -> EmailMessage:
    view = email_view(open_checked_store(built.project), built.project, built.out / "charts")
    message = build_message(view, Envelope(sender, "Briefing", DATE), b"%PDF-1.7 stand-in")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _author() -> str:
    report = yaml.safe_load((REPO / "seeds/report.yaml").read_text(encoding="utf-8"))
    return str(report["author"])


def test_no_invisible_characters_in_either_body(built_briefing: BuiltBriefing) -> None:
    # The briefing keeps each citation on its figure's line with a word joiner.
    assert "\u2060" in built_briefing.html_text
    message = _message(built_briefing, Recipient("briefings@example.org"))
    for subtype in ("plain", "html"):
        part = message.get_body(preferencelist=(subtype,))
        assert part is not None
        text = part.get_content()
        invisible = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"})
        assert invisible == [], subtype
        assert "billion" in text


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        (Recipient("briefings@example.org"), None),
        (Recipient("briefings@example.org", "Research desk"), "Research desk"),
    ],
)
def test_the_sender_is_named_after_the_report_author(
    built_briefing: BuiltBriefing, sender: Recipient, expected: str | None
) -> None:
    message = _message(built_briefing, sender)
    addresses = message["From"].addresses
    assert len(addresses) == 1 and isinstance(addresses[0], Address)
    assert addresses[0].addr_spec == "briefings@example.org"
    assert addresses[0].display_name == (expected or _author())


def test_chart_notes_are_12px_or_more_at_600px(built_briefing: BuiltBriefing) -> None:
    """The chart's note and source line, measured in the PNG as the email shows it."""
    message = _message(built_briefing, Recipient("briefings@example.org"))
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    shown = re.search(r"<img [^>]*max-width:\s*(\d+)px", html.get_content())
    assert shown, "the chart is an image no wider than the 600 px column"
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    png = Image.open(io.BytesIO(images[0].get_content())).convert("L")
    scale = min(int(shown.group(1)), 600) / png.width
    # Text lines are runs of rows with dark pixels; the last ones are the note and source.
    pixels = png.load()
    assert pixels is not None
    inked = [
        any(pixels[x, y] < 150 for x in range(0, png.width, 2))  # type: ignore[operator]
        for y in range(png.height)
    ]
    lines: list[int] = []
    run = 0
    for dark in [*inked, False]:
        if dark:
            run += 1
        elif run:
            lines.append(run)
            run = 0
    # A line with capitals and descenders is about as tall as the font size.
    tallest = max(lines[-3:]) * scale
    assert tallest >= 12, f"{tallest:.1f} CSS px"
