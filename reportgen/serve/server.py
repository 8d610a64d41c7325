"""The preview's HTTP server: three addresses, loopback by default, nothing else served.

``/`` is the briefing with the preview's additions, ``/events`` the stream of build
news, ``/briefing.pdf`` the latest PDF. Every other path is a 404, so no folder is
listed and no ``..`` or symlink leads anywhere; the two files are read from the preview
folder without following a symlink. A request whose ``Host`` is not the address the
server was started on is refused (403): a web page on another site cannot reach the
preview by pointing its own domain name at 127.0.0.1 (DNS rebinding).

The standard library's threading server is enough here: one user, a handful of
connections, and one of them per open page held by the event stream.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import queue
import secrets
import socket
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from reportgen.build import HTML_NAME, PDF_NAME
from reportgen.errors import Location, ReportError
from reportgen.serve.events import CLOSED, Events
from reportgen.serve.page import content_security_policy, preview_page

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
#: A comment line now and then keeps an idle event stream from being cut by a proxy.
_KEEPALIVE_S = 15.0
#: A file the preview serves is a briefing; past this it is not one it wrote.
_MAX_FILE = 256 * 1024 * 1024


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` headers the server answers: the address it was started on, and the
    loopback names when it listens there (a wildcard address listens everywhere)."""
    names = {_bracketed(host)}
    wildcard = host in ("0.0.0.0", "::", "")  # noqa: S104 - what the user asked for
    if is_loopback(host) or wildcard:
        names.update(LOOPBACK_NAMES)
    if wildcard:
        names.add(socket.gethostname())
    return frozenset(f"{name.lower()}:{port}" for name in names if name)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class Site:
    """What the handlers serve from."""

    folder: Path
    events: Events
    hosts: frozenset[str]
    #: With a wildcard address, any IP literal is also a fine Host (rebinding needs a name).
    any_ip: bool = False


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    # Another process on the port is an error to report, never a port to share.
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.site = site
        super().__init__(address, PreviewHandler)


def make_server(host: str, port: int, folder: Path, events: Events) -> PreviewServer:
    """Listen on ``host:port`` (0: a free port); a ReportError when that is not possible."""
    site = Site(folder, events, frozenset())
    try:
        server = PreviewServer((host.strip("[]"), port), site)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReportError(
            f"cannot listen on {_bracketed(host)}:{port}: {reason}", Location("--host/--port")
        ) from None
    bound = server.server_address[1]
    site.hosts = allowed_hosts(host.strip("[]"), bound)
    site.any_ip = host in ("0.0.0.0", "::")  # noqa: S104
    return server


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "reportgen-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _refuse_method(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "the preview only answers GET and HEAD")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self, body: bool) -> None:
        site = self.server.site
        if not self._host_allowed(site):
            self._plain(HTTPStatus.FORBIDDEN, "unexpected Host header", body)
            return
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._page(site, body)
        elif path == "/events" and body:
            self._stream(site.events)
        elif path == f"/{PDF_NAME}":
            self._file(site.folder / PDF_NAME, "application/pdf", body)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "not found", body)

    def _host_allowed(self, site: Site) -> bool:
        values = self.headers.get_all("Host") or []
        if len(values) != 1:
            return False
        host = values[0].strip().lower()
        if host in site.hosts:
            return True
        if site.any_ip:
            name, _, port = host.rpartition(":")
            server_port = str(self.server.server_address[1])
            return port == server_port and _is_ip(name.strip("[]"))
        return False

    def _page(self, site: Site, body: bool) -> None:
        briefing = _read(site.folder / HTML_NAME)
        nonce = secrets.token_urlsafe(18)
        text = preview_page(
            briefing.decode("utf-8") if briefing is not None else None, site.events.state, nonce
        )
        self._send(
            HTTPStatus.OK,
            text.encode("utf-8"),
            "text/html; charset=utf-8",
            body,
            {"Content-Security-Policy": content_security_policy(nonce)},
        )

    def _file(self, path: Path, kind: str, body: bool) -> None:
        data = _read(path)
        if data is None:
            self._plain(HTTPStatus.NOT_FOUND, "not made yet", body)
            return
        self._send(HTTPStatus.OK, data, kind, body)

    def _stream(self, events: Events) -> None:
        self.send_response(HTTPStatus.OK)
        self._security_headers()
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        listener = events.listen()
        try:
            self.wfile.write(b"retry: 500\n\n")
            while True:
                try:
                    message = listener.get(timeout=_KEEPALIVE_S)
                except queue.Empty:
                    message = ": still here\n\n"
                if message is CLOSED:
                    break
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except OSError:
            pass  # the page went away
        finally:
            events.forget(listener)
            self.close_connection = True

    def _plain(self, status: HTTPStatus, text: str, body: bool = True) -> None:
        self._send(status, f"{text}\n".encode(), "text/plain; charset=utf-8", body)

    def _send(
        self,
        status: HTTPStatus,
        data: bytes,
        kind: str,
        body: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self._security_headers(extra.items() if extra else ())
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _security_headers(self, extra: Iterable[tuple[str, str]] = ()) -> None:
        # A preview is always about to change: nothing of it is worth keeping.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in extra:
            self.send_header(name, value)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _read(path: Path) -> bytes | None:
    """A regular file of the preview folder, never through a symlink; None if absent."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_FILE:
            return None
        return handle.read()
