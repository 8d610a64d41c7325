"""The ``preview`` case of ``scripts/bench.py``: how long a save takes to reach the browser.

A real ``reportgen serve`` runs on a copy of the project; this script listens to its
event stream as a page would and times, from the moment a file is saved:

- a prose edit (a sentence in a template) until the ``reload`` event is sent;
- a fact value edit until its ``reload``: a corrected figure, written as an analyst
  would (the article's number, the fact's value and quote, the source's sha256), which
  changes one chart's data, so the chart is drawn again;
- the prose edit until the ``pdf`` event of that build (the PDF in the preview folder).

Edits are a couple of seconds apart, as a person's saves are.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTICLE = "seeds/articles/seres-third-factory-2022.txt"
FACTS = "seeds/facts/seres.yaml"
SOURCES = "seeds/sources.yaml"
#: The corrected figure: Fenghuang's investment, 4 billion yuan then 5, and back.
FIGURE = ("total investment of 4 billion yuan", "total investment of 5 billion yuan")
VALUE = ("    value: 4000000000\n", "    value: 5000000000\n")
#: Between two edits, untimed: a person does not save twice a second.
PAUSE_S = 2.0
TIMEOUT_S = 300.0


@dataclass
class Timings:
    prose: list[float]
    fact: list[float]
    pdf: list[float]
    peak_bytes: int


class Stream:
    """The preview's ``/events``, read line by line as EventSource would."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        self.connection.request("GET", "/events")
        self.response = self.connection.getresponse()

    def next(self, wanted: Callable[[str, dict[str, Any]], bool]) -> dict[str, Any]:
        """The first event ``wanted`` accepts; a failed build ends the bench."""
        name, data = "", ""
        while True:
            line = self.response.readline().decode("utf-8")
            if not line:
                raise SystemExit("bench: the preview closed its event stream")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif not line and name:
                state: dict[str, Any] = json.loads(data)
                if name == "problems" and state["problems"]:
                    raise SystemExit(
                        "bench: the preview build failed:\n" + "\n".join(state["problems"])
                    )
                if wanted(name, state):
                    return state
                name, data = "", ""


def fact_toggle(project: Path) -> Callable[[], None]:
    """Set-up of a fact edit: the corrected figure made, or undone, in turn."""
    article, facts, sources = (project / p for p in (ARTICLE, FACTS, SOURCES))
    texts = {p: p.read_bytes() for p in (article, facts, sources)}
    if FIGURE[0].encode() not in texts[article] or VALUE[0].encode() not in texts[facts]:
        raise SystemExit(f"bench: {ARTICLE} or {FACTS} no longer holds the figure to edit")
    state = {"edited": False}

    def run() -> None:
        state["edited"] = not state["edited"]
        old, new = (0, 1) if state["edited"] else (1, 0)
        before = article.read_bytes()
        after = before.replace(FIGURE[old].encode(), FIGURE[new].encode(), 1)
        digests = [hashlib.sha256(t).hexdigest().encode() for t in (before, after)]
        article.write_bytes(after)
        text = facts.read_bytes().replace(FIGURE[old].encode(), FIGURE[new].encode(), 1)
        facts.write_bytes(text.replace(VALUE[old].encode(), VALUE[new].encode(), 1))
        sources.write_bytes(sources.read_bytes().replace(digests[0], digests[1], 1))

    return run


def measure_preview(
    reportgen: list[str], project: Path, env: dict[str, str], runs: int, prose: Callable[[], None]
) -> Timings:
    """Start the preview of ``project``, then time ``runs`` prose and fact edits."""
    fact = fact_toggle(project)
    process = subprocess.Popen(
        [*reportgen, "serve", "--project", str(project)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        if match is None:
            raise SystemExit("bench: reportgen serve printed no address")
        stream = Stream(int(match.group(1)))
        stream.next(lambda _, s: s["version"] >= 1 and s["pdf_of"] == s["version"])
        timings = Timings([], [], [], 0)
        for _ in range(runs):
            time.sleep(PAUSE_S)
            start = time.perf_counter()
            prose()
            state = stream.next(lambda n, _: n == "reload")
            timings.prose.append(time.perf_counter() - start)
            stream.next(_pdf_of(state["version"]))
            timings.pdf.append(time.perf_counter() - start)
            time.sleep(PAUSE_S)
            start = time.perf_counter()
            fact()
            state = stream.next(lambda n, _: n == "reload")
            timings.fact.append(time.perf_counter() - start)
            stream.next(_pdf_of(state["version"]))
        timings.peak_bytes = _peak_bytes(process.pid)
        return timings
    finally:
        process.terminate()
        process.wait(timeout=30)


def _pdf_of(version: int) -> Callable[[str, dict[str, Any]], bool]:
    """Accepts the event saying the PDF of build ``version`` is written."""
    return lambda name, state: name == "pdf" and state["pdf_of"] == version


def _peak_bytes(pid: int) -> int:
    """The server's peak resident memory (Linux: VmHWM), 0 when unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0
