"""What the preview knows of its builds, and the pages listening for news of them.

Each open page holds one server-sent-events stream (``/events``). A page learns the
state on connecting and every change after: a new good build (``reload``), the problems
of a failed one (``problems``, shown over the last good page), a new PDF (``pdf``).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

#: Sent to a stream to end it (the server is stopping).
CLOSED = None


@dataclass(frozen=True)
class State:
    #: Counts good builds; a page showing another version reloads.
    version: int = 0
    #: ``path:line:col: message`` lines of the last build, empty when it succeeded.
    problems: tuple[str, ...] = ()
    #: Counts PDFs; 0 until the first is written.
    pdf: int = 0
    #: The version of the build the latest PDF was made from.
    pdf_of: int = 0
    #: Why the last PDF failed, if it did.
    pdf_problems: tuple[str, ...] = ()

    def as_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "problems": list(self.problems),
                "pdf": self.pdf,
                "pdf_of": self.pdf_of,
                "pdf_problems": list(self.pdf_problems),
            }
        )


@dataclass
class Events:
    """The preview's state and its listeners; every method is thread-safe."""

    _state: State = field(default_factory=State)
    _listeners: set[queue.SimpleQueue[str | None]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def built(self) -> None:
        """A build succeeded: every page reloads."""
        self._change("reload", lambda s: replace(s, version=s.version + 1, problems=()))

    def failed(self, problems: list[str]) -> None:
        """A build failed: pages keep what they show and put the problems above it."""
        self._change("problems", lambda s: replace(s, problems=tuple(problems)))

    def pdf_written(self, version: int) -> None:
        """The PDF of build ``version`` is in the preview folder."""
        self._change("pdf", lambda s: replace(s, pdf=s.pdf + 1, pdf_of=version, pdf_problems=()))

    def pdf_failed(self, problems: list[str]) -> None:
        self._change("pdf", lambda s: replace(s, pdf_problems=tuple(problems)))

    def listen(self) -> queue.SimpleQueue[str | None]:
        """A new stream's queue of ready-to-send events, the current state first."""
        listener: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        with self._lock:
            listener.put(_event("state", self._state))
            if self._closed:
                listener.put(CLOSED)
            self._listeners.add(listener)
        return listener

    def forget(self, listener: queue.SimpleQueue[str | None]) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def close(self) -> None:
        """End every stream (the server stops)."""
        with self._lock:
            self._closed = True
            for listener in self._listeners:
                listener.put(CLOSED)

    def _change(self, name: str, change: Callable[[State], State]) -> None:
        with self._lock:
            self._state = change(self._state)
            message = _event(name, self._state)
            for listener in self._listeners:
                listener.put(message)


def _event(name: str, state: State) -> str:
    """One server-sent event; the JSON holds no newline, so one ``data:`` line."""
    return f"event: {name}\ndata: {state.as_json()}\n\n"
