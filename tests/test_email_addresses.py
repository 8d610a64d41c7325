"""Address, name and subject validation: what can never reach a header or the envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_email_smtp import FixedBody

from reportgen.deliver.addresses import (
    check_subject,
    collect_recipients,
    parse_recipient,
)
from reportgen.deliver.message import Envelope, build_message, check_serialized, serialize
from reportgen.deliver.settings import read_settings
from reportgen.errors import Problems, ReportErrors

GOOD = [
    ("ana@example.com", "ana@example.com", ""),
    (
        "Ana Lima <ana.lima+briefing@mail.example.co.uk>",
        "ana.lima+briefing@mail.example.co.uk",
        "Ana Lima",
    ),
    ("  Zoë Müller <zoe@example.de>  ", "zoe@example.de", "Zoë Müller"),
    ("ops@localhost", "ops@localhost", ""),
]

BAD = [
    ("ana@example.com\r\nBcc: evil@example.com", "line break"),
    ("ana@example.com\nBcc: evil@example.com", "line break"),
    ("ana@example.com\x00", "control character"),
    ("=?utf-8?q?Ana=0ABcc:_evil@example.com?= <ana@example.com>", "encoded-word"),
    ("ana=?x@example.com", "encoded-word"),
    ("ana@example.com, evil@example.com", "more than one address"),
    ("ana@example.com;evil@example.com", "more than one address"),
    ("Ana <ana@example.com> <evil@example.com>", "more than one address"),
    ("Ana <ana@example.com", "unbalanced"),
    ('"Evil" <ana@example.com>', "display name"),
    ("ana", "not an email address"),
    ("@example.com", "not an email address"),
    ("ana@", "not an email address"),
    ("ana@exa_mple.com", "invalid domain"),
    ("ana@-example.com", "invalid domain"),
    ("a..b@example.com", "not allowed"),
    ("ána@example.com", "not ASCII"),
    ("x" * 65 + "@example.com", "too long"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "address", "name"), GOOD)
def test_good_addresses(text: str, address: str, name: str) -> None:
    recipient = parse_recipient(text)
    assert (recipient.address, recipient.name) == (address, name)


@pytest.mark.parametrize(("text", "why"), BAD)
def test_bad_addresses(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_recipient(text)


def test_duplicates_go_once_in_the_order_given() -> None:
    problems = Problems()
    got = collect_recipients(
        [
            ("ana@Example.com", None),
            ("Ana <ana@example.com>", None),
            ("bo@example.net", None),
            ("ana@example.COM", None),
        ],
        problems,
    )
    assert not problems
    assert [r.address for r in got] == ["ana@Example.com", "bo@example.net"]


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("Weekly\r\nBcc: evil@example.com", "line break"),
        ("Weekly =?utf-8?q?=0A?=Bcc: evil@example.com", "encoded-word"),
        ("Weekly\u2028Bcc: evil@example.com", "line break"),
        ("   ", "empty"),
        ("x" * 201, "limit is 200"),
    ],
)
def test_bad_subjects(subject: str, why: str) -> None:
    problems = Problems()
    check_subject(subject, problems)
    assert why in str(next(iter(problems)))


def test_settings_problems_come_together_without_the_password() -> None:
    with pytest.raises(ReportErrors) as caught:
        read_settings(
            {
                "REPORTGEN_SMTP_SECURITY": "tls",
                "REPORTGEN_SMTP_PORT": "99999",
                "REPORTGEN_SMTP_PASSWORD": "hunter2-secret",
                "REPORTGEN_MAIL_FROM": "a@b.c, d@e.f",
                "REPORTGEN_MAIL_MAX_MB": "lots",
                "REPORTGEN_SMTP_CAFILE": "/nonexistent/ca.pem",
            }
        )
    text = str(caught.value)
    for part in (
        "REPORTGEN_SMTP_HOST is not set",
        "starttls, ssl or none",
        "REPORTGEN_SMTP_PORT",
        "REPORTGEN_SMTP_USER",
        "more than one address",
        "REPORTGEN_MAIL_MAX_MB",
        "REPORTGEN_SMTP_CAFILE",
    ):
        assert part in text
    assert "hunter2" not in text
    assert len(caught.value.errors) == 7


def test_settings_defaults() -> None:
    settings = read_settings(
        {"REPORTGEN_SMTP_HOST": "smtp.example.com", "REPORTGEN_MAIL_FROM": "a@example.com"}
    )
    assert (settings.security, settings.port, settings.max_bytes) == ("starttls", 587, 10 << 20)
    assert "hunter2" not in repr(
        read_settings(
            {
                "REPORTGEN_SMTP_HOST": "smtp.example.com",
                "REPORTGEN_MAIL_FROM": "a@example.com",
                "REPORTGEN_SMTP_USER": "u",
                "REPORTGEN_SMTP_PASSWORD": "hunter2",
            }
        )
    )


_CONTENT = FixedBody()


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(max_size=40),
    subject=st.text(min_size=1, max_size=120),
)
def test_whatever_passes_validation_serialises_to_exactly_the_headers_built(
    name: str, subject: str
) -> None:
    """Any sender name and subject either fail validation or come back out unchanged."""
    problems = Problems()
    subject = check_subject(subject, problems)
    try:
        sender = parse_recipient(f"{name} <from@example.org>")
    except ValueError:
        return
    if problems:
        return
    envelope = Envelope(sender, subject, datetime(2024, 1, 1, tzinfo=UTC))
    message = build_message(_CONTENT, envelope, b"%PDF-1.7\n")
    raw = serialize(message)
    check_serialized(raw, message)
    back = BytesParser(policy=policy.default).parsebytes(raw)
    assert [a.addr_spec for a in back["From"].addresses] == ["from@example.org"]
    assert back["From"].addresses[0].display_name == sender.name
    assert back["To"].addresses == ()
    assert str(back["Subject"]) == subject
