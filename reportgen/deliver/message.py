"""The briefing email: a text and an HTML digest of the briefing, with the PDF attached.

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
from typing import Protocol

from reportgen.deliver.addresses import Recipient, parse_recipient
from reportgen.errors import ReportError

#: CRLF line ends and 78-column folding, as sent over SMTP and as written to .eml.
POLICY = email.policy.SMTP
#: The To header of every briefing: a group with no members (RFC 5322 3.4).
UNDISCLOSED = "undisclosed-recipients:;"


class Body(Protocol):
    """What a message says (:class:`reportgen.deliver.view.EmailView`)."""

    @property
    def author(self) -> str:
        """The report's author: the sender's name when the address has none."""
        ...

    @property
    def chart_png(self) -> bytes | None: ...

    def render(self, attachment: str, chart_cid: str | None) -> tuple[str, str]:
        """(text part, HTML part); the HTML shows the chart from ``cid:chart_cid``."""
        ...


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


def build_message(body: Body, envelope: Envelope, pdf: bytes) -> EmailMessage:
    """The complete briefing email, ready to serialise with :data:`POLICY`."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = envelope.subject
    message["From"] = _address(_named(envelope.sender, body.author))
    message["To"] = UNDISCLOSED
    message["Date"] = email.utils.format_datetime(envelope.date)
    domain = envelope.sender.address.rpartition("@")[2]
    message["Message-ID"] = email.utils.make_msgid("briefing", domain=domain)
    # Tells auto-responders (vacation replies) not to answer a scheduled mailing.
    message["Auto-Submitted"] = "auto-generated"

    attachment = envelope.attachment_name
    chart_cid = email.utils.make_msgid("chart", domain=domain) if body.chart_png else None
    text, html = body.render(attachment, chart_cid.strip("<>") if chart_cid else None)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    if chart_cid is not None and body.chart_png is not None:
        html_part = message.get_body(preferencelist=("html",))
        assert isinstance(html_part, MIMEPart)
        html_part.add_related(
            body.chart_png,
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
