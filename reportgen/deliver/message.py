"""The briefing email: a short text and HTML digest of the briefing, with the PDF attached.

Layout of the MIME tree::

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related            (text/html alone when there is no chart)
          text/html                  inline CSS only: no <style>, SVG or script
          image/png                  one chart, referenced as cid:
      application/pdf                briefing-YYYY-MM-DD.pdf

Recipients never see each other: the message is addressed ``To: undisclosed-recipients:;``
(an empty RFC 5322 group) and the addresses travel in the SMTP envelope only, so one
message, the one a dry run writes, goes to every recipient unchanged.

Every value that becomes a header has been validated by ``addresses`` first; after
serialising, :func:`check_serialized` parses the bytes back and refuses the message
if any header appeared, vanished or changed on the way (CVE-2024-6923 defence).
"""

from __future__ import annotations

import email.policy
import email.utils
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from html import escape

from reportgen.deliver.addresses import Recipient, parse_recipient
from reportgen.errors import ReportError

#: CRLF line ends and 78-column folding, as sent over SMTP and as written to .eml.
POLICY = email.policy.SMTP
#: The To header of every briefing: a group with no members (RFC 5322 3.4).
UNDISCLOSED = "undisclosed-recipients:;"


@dataclass(frozen=True)
class Segment:
    """A run of takeaway text; ``figure`` marks a figure the briefing cites."""

    text: str
    figure: bool = False


@dataclass(frozen=True)
class Takeaway:
    """One executive-summary point, worded and formatted exactly as in the briefing."""

    headline: str
    detail: tuple[Segment, ...] = ()

    @property
    def detail_text(self) -> str:
        return "".join(s.text for s in self.detail).strip()

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(s.text.strip() for s in self.detail if s.figure)


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    #: Period and status as the briefing's key-figures panel shows them.
    period: str = ""


@dataclass(frozen=True)
class Content:
    """What the email says about the briefing; every number already formatted."""

    title: str
    subtitle: str
    #: One entry per source: "September 2022", "January 2024".
    as_of: tuple[str, ...]
    takeaways: tuple[Takeaway, ...]
    key_figures: tuple[KeyFigure, ...]
    chart_png: bytes | None = None
    chart_alt: str = ""
    #: The report's author (seeds/report.yaml): the sender's name when the address has none.
    author: str = ""
    #: "Edition 2"; the edition it is compared with (None for the first); how many
    #: figures changed since; the briefing's "What changed" items, worded as there.
    edition: str = ""
    since: int | None = None
    figures_changed: int | None = None
    changes: tuple[str, ...] = ()

    @property
    def changes_heading(self) -> str:
        return f"What changed since edition {self.since}" if self.since else ""

    def subject(self) -> str:
        """'Edition 3: 4 figures changed'; before editions existed, the title."""
        if not self.edition:
            return f"Briefing: {self.title}"
        if self.since is None:
            return f"{self.edition}: the first edition"
        count = self.figures_changed or 0
        return f"{self.edition}: {count} figure{'s' if count != 1 else ''} changed"


@dataclass(frozen=True)
class Envelope:
    sender: Recipient
    subject: str
    date: datetime

    @property
    def attachment_name(self) -> str:
        return f"briefing-{self.date:%Y-%m-%d}.pdf"


def _address(recipient: Recipient) -> Address:
    local, _, domain = recipient.address.rpartition("@")
    return Address(display_name=recipient.name, username=local, domain=domain)


def _named(sender: Recipient, author: str) -> Recipient:
    """The sender with the report's author as display name, unless it has its own (or
    the author's name would not go into a header as written: then the address alone)."""
    if sender.name or not author:
        return sender
    try:
        return parse_recipient(f"{author} <{sender.address}>", "the report's author")
    except ValueError:
        return sender


def _as_of(content: Content) -> str:
    return " and ".join(content.as_of)


def plain_text(content: Content, attachment: str) -> str:
    lines = [content.title, content.subtitle, "", f"Data as of {_as_of(content)}.", ""]
    if content.changes:
        lines += [content.changes_heading.upper(), ""]
        lines += [f"- {change}" for change in content.changes]
        lines.append("")
    if content.takeaways:
        lines += ["KEY TAKEAWAYS", ""]
        for number, point in enumerate(content.takeaways, start=1):
            lines.append(f"{number}. {point.headline} {point.detail_text}".rstrip())
            lines.append("")
    if content.key_figures:
        lines += ["KEY FIGURES", ""]
        width = max(len(f.value) for f in content.key_figures)
        for fig in content.key_figures:
            suffix = f" ({fig.period})" if fig.period else ""
            lines.append(f"{fig.value.rjust(width)}  {fig.label}{suffix}")
        lines.append("")
    lines += [
        "The full briefing, with the source and quote behind every figure, is attached",
        f"as {attachment}.",
        "",
    ]
    return "\n".join(lines)


_FONT = "font-family:Inter,Helvetica,Arial,sans-serif;"
_CELL = "padding:6px 10px;border-bottom:1px solid #d9dde3;vertical-align:top;"


def html_text(content: Content, attachment: str, chart_cid: str | None) -> str:
    """Email-safe HTML: tables for layout, inline styles, nothing a mail client strips."""
    e = escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(content.title)}</title></head>",
        f'<body style="margin:0;padding:0;background:#f4f5f7;{_FONT}color:#1d2330;">',
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="background:#f4f5f7;"><tr><td align="center" style="padding:16px;">',
        '<table role="presentation" width="640" cellpadding="0" cellspacing="0" '
        'style="max-width:640px;width:100%;background:#ffffff;border:1px solid #d9dde3;">',
        f'<tr><td style="padding:20px 24px 8px 24px;{_FONT}">',
        f'<h1 style="margin:0 0 6px 0;font-size:22px;line-height:1.25;color:#12355b;">'
        f"{e(content.title)}</h1>",
        f'<p style="margin:0 0 8px 0;font-size:15px;line-height:1.4;color:#4a5263;">'
        f"{e(content.subtitle)}</p>",
        f'<p style="margin:0;font-size:13px;color:#4a5263;">Data as of '
        f"<strong>{e(_as_of(content))}</strong></p></td></tr>",
    ]
    if content.changes:
        changes = "".join(f'<li style="margin:0 0 6px 0;">{e(c)}</li>' for c in content.changes)
        parts.append(
            f'<tr><td style="padding:12px 24px 4px 24px;{_FONT}">'
            f'<h2 style="margin:0 0 8px 0;font-size:16px;color:#12355b;">'
            f"{e(content.changes_heading)}</h2>"
            '<ul style="margin:0;padding:0 0 0 20px;font-size:14px;line-height:1.45;">'
            f"{changes}</ul>"
            "</td></tr>"
        )
    if content.takeaways:
        items = "".join(
            f'<li style="margin:0 0 10px 0;"><strong>{e(point.headline)}</strong> '
            + "".join(
                f'<strong style="color:#12355b;">{e(s.text)}</strong>' if s.figure else e(s.text)
                for s in point.detail
            )
            + "</li>"
            for point in content.takeaways
        )
        parts.append(
            f'<tr><td style="padding:12px 24px 4px 24px;{_FONT}">'
            '<h2 style="margin:0 0 8px 0;font-size:16px;color:#12355b;">Key takeaways</h2>'
            f'<ol style="margin:0;padding:0 0 0 20px;font-size:14px;line-height:1.45;">{items}</ol>'
            "</td></tr>"
        )
    if chart_cid is not None:
        parts.append(
            f'<tr><td style="padding:12px 24px;"><img src="cid:{e(chart_cid)}" width="592" '
            f'alt="{e(content.chart_alt)}" style="display:block;width:100%;max-width:592px;'
            'height:auto;border:0;"></td></tr>'
        )
    if content.key_figures:
        rows = "".join(
            "<tr>"
            f'<td style="{_CELL}">{e(fig.label)}</td>'
            f'<td style="{_CELL}text-align:right;white-space:nowrap;font-weight:600;">'
            f"{e(fig.value)}</td>"
            f'<td style="{_CELL}color:#4a5263;">{e(fig.period)}</td>'
            "</tr>"
            for fig in content.key_figures
        )
        parts.append(
            f'<tr><td style="padding:12px 24px;{_FONT}">'
            '<h2 style="margin:0 0 8px 0;font-size:16px;color:#12355b;">Key figures</h2>'
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
            f'style="border-collapse:collapse;font-size:13px;{_FONT}">'
            '<tr><th align="left" style="padding:6px 10px;border-bottom:2px solid #12355b;">'
            "Figure</th>"
            '<th align="right" style="padding:6px 10px;border-bottom:2px solid #12355b;">'
            "Value</th>"
            '<th align="left" style="padding:6px 10px;border-bottom:2px solid #12355b;">'
            f"When</th></tr>{rows}</table></td></tr>"
        )
    parts += [
        f'<tr><td style="padding:12px 24px 20px 24px;font-size:13px;color:#4a5263;{_FONT}">'
        "The full briefing, with the source and quote behind every figure, is attached "
        f'(<strong style="white-space:nowrap;">{e(attachment)}</strong>).</td></tr>',
        "</table></td></tr></table></body></html>",
    ]
    return "\n".join(parts) + "\n"


def build_message(content: Content, envelope: Envelope, pdf: bytes) -> EmailMessage:
    """The complete briefing email, ready to serialise with :data:`POLICY`."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = envelope.subject
    message["From"] = _address(_named(envelope.sender, content.author))
    message["To"] = UNDISCLOSED
    message["Date"] = email.utils.format_datetime(envelope.date)
    domain = envelope.sender.address.rpartition("@")[2]
    message["Message-ID"] = email.utils.make_msgid("briefing", domain=domain)
    # Tells auto-responders (vacation replies) not to answer a scheduled mailing.
    message["Auto-Submitted"] = "auto-generated"

    attachment = envelope.attachment_name
    message.set_content(plain_text(content, attachment), cte="quoted-printable")
    chart_cid = email.utils.make_msgid("chart", domain=domain) if content.chart_png else None
    html = html_text(content, attachment, chart_cid.strip("<>") if chart_cid else None)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    if chart_cid is not None and content.chart_png is not None:
        html_part = message.get_body(preferencelist=("html",))
        assert isinstance(html_part, MIMEPart)
        html_part.add_related(
            content.chart_png,
            "image",
            "png",
            cid=chart_cid,
            filename="chart.png",
            disposition="inline",
        )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=attachment)
    return message


def serialize(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=POLICY)


def check_serialized(raw: bytes, message: EmailMessage) -> None:
    """Refuse bytes whose headers differ from what was built: no injected header survives."""
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    expected, found = list(message.keys()), list(parsed.keys())
    problem: str | None = None
    if found != expected:
        problem = f"headers {found} instead of {expected}"
    else:
        for name in expected:
            if " ".join(str(parsed[name]).split()) != " ".join(str(message[name]).split()):
                problem = f"the {name} header does not read back unchanged"
        for name in ("From", "To", "Cc"):
            want = [a.addr_spec for a in getattr(message[name], "addresses", ())]
            got = [a.addr_spec for a in getattr(parsed[name], "addresses", ())]
            if want != got:
                problem = f"{name} reads back as {got} instead of {want}"
    if problem is not None:
        raise ReportError(f"refusing to send: the message does not serialise cleanly ({problem})")
