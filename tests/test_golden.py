"""The seed briefing's outputs, byte for byte, against the copies checked in to tests/golden/.

A change to reportgen's code that is meant to leave the briefing alone (a refactor) must
leave these files alone too. A change meant to alter the briefing, or a dependency moved
by ``make lock``, rewrites them with ``make golden``; the diff of tests/golden/ then shows
a reviewer what a reader will see change.
"""

from __future__ import annotations

import difflib
import email
import email.policy
import email.utils
import hashlib
import os
import re
from email.message import EmailMessage

import pytest

from tests.conftest import REPO, copy_project, run_reportgen

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("REPORTGEN_UPDATE_GOLDEN") == "1"
#: Headers that name the moment and the machine of a send, never the briefing.
_VOLATILE_HEADERS = ("Date", "Message-ID")
#: A Content-ID is unique per message by design; the golden copy numbers them instead.
_CID_REF = re.compile(r"(?<=cid:)[^\s\"']+")


def _number(cid: str, cids: dict[str, str]) -> str:
    return cids.setdefault(cid.strip("<>"), f"content-{len(cids) + 1}")


def _email_summary(eml: bytes) -> str:
    """The email as a reader meets it: stable headers, each text part, each attachment's
    name, type and digest."""
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    lines = [
        f"{name}: {value}"
        for name, value in message.items()
        if name not in _VOLATILE_HEADERS and not name.startswith("Content-")
    ]
    cids: dict[str, str] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        if kind.startswith("text/"):
            text = payload.decode("utf-8").rstrip("\n")
            lines += [f"--- {kind}", _CID_REF.sub(lambda m: _number(m.group(0), cids), text)]
        else:
            digest = hashlib.sha256(payload).hexdigest()
            name = part.get_filename() or _number(str(part.get("Content-ID", "")), cids)
            lines.append(f"--- {kind} {name} {len(payload)} bytes sha256={digest}")
    # The PDF is named after the day it is sent, which the Date header gives.
    sent = email.utils.parsedate_to_datetime(str(message["Date"])).date().isoformat()
    return "\n".join(lines).replace(sent, "YYYY-MM-DD") + "\n"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    project = copy_project(tmp_path_factory.mktemp("golden") / "project")
    out = project / "build"
    for args in (["build", "--force"], ["email", "--dry-run", "--to", "reader@example.com"]):
        done = run_reportgen(["--project", str(project), *args, "--out", str(out)])
        assert done.returncode == 0, done.stderr
    return {
        "briefing.html": (out / "briefing.html").read_bytes(),
        "briefing.pdf": (out / "briefing.pdf").read_bytes(),
        "email.txt": _email_summary((out / "briefing.eml").read_bytes()).encode("utf-8"),
    }


@pytest.mark.parametrize("name", ["briefing.html", "briefing.pdf", "email.txt"])
def test_seed_output_matches_its_golden_copy(outputs: dict[str, bytes], name: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(outputs[name])
    assert golden.is_file(), f"{golden} is missing; make golden writes it"
    expected, actual = golden.read_bytes(), outputs[name]
    if expected == actual:
        return
    if name.endswith(".pdf"):
        pytest.fail(f"{name}: {len(actual)} bytes differ from the golden {len(expected)}")
    diff = difflib.unified_diff(
        expected.decode("utf-8").splitlines(),
        actual.decode("utf-8").splitlines(),
        f"golden/{name}",
        f"built/{name}",
        lineterm="",
        n=1,
    )
    pytest.fail("\n".join(list(diff)[:60]))
