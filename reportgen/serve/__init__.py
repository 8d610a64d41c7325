"""``reportgen serve``: the briefing in a browser, rebuilt and reloaded on every save.

- :mod:`~reportgen.serve.pipeline` builds HTML first, then the PDF in the background,
  into ``PROJECT/.cache/preview`` (never ``build/``);
- :mod:`~reportgen.serve.watcher` watches ``seeds/``, ``charts/`` and ``templates/``;
- :mod:`~reportgen.serve.server` serves the page, its event stream and the PDF;
- :mod:`~reportgen.serve.page` adds the toolbar, the problems overlay and the reload
  script to the page as it is served.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Location, ReportError, relative
from reportgen.serve.events import Events
from reportgen.serve.pipeline import PreviewBuilder
from reportgen.serve.server import is_loopback, make_server
from reportgen.serve.watcher import watch

log = logging.getLogger(__name__)

#: The preview's own folder, inside the project's cache.
PREVIEW_DIR = Path(".cache") / "preview"


@dataclass(frozen=True)
class ServeOptions:
    project: Path
    host: str = "127.0.0.1"
    port: int = 0
    open_browser: bool = False


def serve(options: ServeOptions) -> int:
    """Serve the preview until SIGINT or SIGTERM; 0 then."""
    project = options.project.resolve()
    if not project.is_dir():
        raise ReportError("not a folder", Location(str(options.project)))
    folder = project / PREVIEW_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = Location(relative(folder, Path.cwd()))
        raise ReportError(f"cannot make the preview folder: {exc.strerror}", where) from None
    events = Events()
    server = make_server(options.host, options.port, folder, events)
    host, port = str(server.server_address[0]), int(server.server_address[1])
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    if not is_loopback(options.host):
        log.warning(
            "listening on %s: anyone who can reach this machine can read the briefing", host
        )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    builder = PreviewBuilder(project, folder, events)
    # Watching starts before the first build: a save made while it runs is not lost.
    pending: queue.SimpleQueue[set[Path] | None] = queue.SimpleQueue()
    pending.put(None)
    threads = [
        threading.Thread(target=server.serve_forever, name="preview-http", daemon=True),
        threading.Thread(
            target=_rebuild, args=(builder, pending, stop), name="preview-build", daemon=True
        ),
        threading.Thread(
            target=watch, args=(project, pending.put, stop), name="preview-watch", daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    print(f"preview of {relative(project, Path.cwd())} at {url} (Ctrl-C stops)", flush=True)
    if options.open_browser:
        webbrowser.open(url)
    while not stop.wait(0.5):
        pass
    events.close()
    server.shutdown()
    server.server_close()
    for thread in threads[1:]:
        thread.join(timeout=2)
    builder.close()
    print("preview stopped", flush=True)
    return 0


def _rebuild(
    builder: PreviewBuilder, pending: queue.SimpleQueue[set[Path] | None], stop: threading.Event
) -> None:
    """One build at a time, of everything that changed since the last one began."""
    builder.pdf.warm()
    while not stop.is_set():
        try:
            batch = [pending.get(timeout=0.5)]
        except queue.Empty:
            continue
        with contextlib.suppress(queue.Empty):
            while True:
                batch.append(pending.get_nowait())
        changed = None if None in batch else {p for paths in batch if paths for p in paths}
        builder.rebuild(changed)
