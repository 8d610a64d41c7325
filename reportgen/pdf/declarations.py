"""WeasyPrint's C declarations, parsed once per machine instead of once per PDF.

WeasyPrint declares the Pango, HarfBuzz and fontconfig functions it calls in cffi's
in-line ABI mode: every import parses the C with pycparser, a large share of what a
PDF worker needs before it can start on a page (``make bench`` measures it). cffi can
write parsed declarations out as an out-of-line FFI (``FFI.emit_python_code``), which
loads in a fraction of that time and calls the same library functions.

:func:`parsed_once` wraps the import of WeasyPrint: the first time, cffi parses as
usual and the result is written to the cache (``~/.cache/reportgen/cffi``, keyed by
the declarations' text and the cffi and Python versions); after that the FFI is
built from the file. The file's arguments are read as literals
(:func:`ast.literal_eval`) and handed to cffi's backend: nothing in the cache is
ever executed. Each file starts with the sha256 of the rest
(:mod:`reportgen.cachefile`): a damaged one is removed and written again. Anything
unexpected (an unreadable or altered file, a cffi that writes another shape, a
second ``cdef``) falls back to cffi's own parsing. The folder
is trusted as Python's own ``__pycache__`` is: whoever can write to it can already
change the user's code.

``tests/test_engine.py`` checks that a PDF made with the cached declarations is
byte-identical to one made with WeasyPrint imported the ordinary way.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportgen.cachefile import read_entry, write_entry

log = logging.getLogger(__name__)

#: The out-of-line module's name; it is never imported, only read.
_MODULE = "_reportgen_weasyprint_ffi"


def default_cache_dir() -> Path:
    """Where parsed declarations are kept: per user, like matplotlib's and fontconfig's caches."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reportgen" / "cffi"


@contextlib.contextmanager
def parsed_once(cache_dir: Path | None) -> Iterator[None]:
    """Within the block, ``cffi.FFI()`` reuses declarations cached in ``cache_dir``.

    Meant to wrap ``import weasyprint`` and nothing else; without ``cache_dir``
    nothing changes."""
    if cache_dir is None:
        yield
        return
    import cffi  # type: ignore[import-untyped]

    original = cffi.FFI

    def cached_ffi() -> _CachedFFI:
        return _CachedFFI(original, cache_dir)

    cffi.FFI = cached_ffi
    try:
        yield
    finally:
        cffi.FFI = original


class _CachedFFI:
    """Stands for a ``cffi.FFI``: its first ``cdef`` may come from the cache.

    Every other attribute is the FFI's own, so the library code sees cffi's API.
    """

    def __init__(self, parsing_ffi: type[Any], cache_dir: Path) -> None:
        self._parsing_ffi = parsing_ffi
        self._cache_dir = cache_dir
        self._ffi: Any = None
        self._cdefs: list[tuple[str, dict[str, Any]]] = []

    def cdef(self, csource: str, **options: Any) -> None:
        self._cdefs.append((csource, options))
        if len(self._cdefs) == 1 and not options and self._ffi is None:
            entry = self._cache_dir / f"{_key(csource)}.py"
            self._ffi = _load(entry)
            if self._ffi is not None:
                log.debug("WeasyPrint's C declarations from %s", entry)
                return
            self._ffi = self._parsing_ffi()
            self._ffi.cdef(csource)
            _save(self._ffi, entry)
            return
        # More than one cdef: cffi parses them all, as it would have without us.
        replay = self._parsing_ffi()
        for source, source_options in self._cdefs:
            replay.cdef(source, **source_options)
        self._ffi = replay

    def __getattr__(self, name: str) -> Any:
        if self._ffi is None:
            self._ffi = self._parsing_ffi()
        return getattr(self._ffi, name)


def _key(csource: str) -> str:
    import cffi

    versions = f"{cffi.__version__}\0{sys.version}\0{platform.machine()}\0"
    return hashlib.sha256((versions + csource).encode()).hexdigest()[:32]


def _load(entry: Path) -> Any:
    """The FFI described by ``entry``, or None if it is missing or not what cffi writes."""
    data = read_entry(entry)  # checked against its own sha256; a damaged one is removed
    if data is None:
        return None
    try:
        text = data.decode("ascii")
        name, arguments = _ffi_arguments(text)
        import _cffi_backend  # type: ignore[import-untyped]

        return _cffi_backend.FFI(name, **arguments)
    except Exception as exc:  # noqa: BLE001 - any doubt means parsing as cffi does
        log.debug("ignoring %s: %s", entry, exc)
        return None


def _ffi_arguments(text: str) -> tuple[str, dict[str, Any]]:
    """The literal arguments of the one ``_cffi_backend.FFI(...)`` call in ``text``."""
    tree = ast.parse(text)
    body = [node for node in tree.body if not isinstance(node, ast.Import)]
    if len(body) != 1 or not isinstance(body[0], ast.Assign):
        raise ValueError("not one assignment")
    call = body[0].value
    if not (
        isinstance(call, ast.Call)
        and ast.unparse(call.func) == "_cffi_backend.FFI"
        and len(call.args) == 1
    ):
        raise ValueError("not a _cffi_backend.FFI call")
    name = ast.literal_eval(call.args[0])
    if name != _MODULE:
        raise ValueError(f"written for {name!r}")
    arguments: dict[str, Any] = {}
    for keyword in call.keywords:
        if not (keyword.arg and keyword.arg.startswith("_")):
            raise ValueError("an argument cffi does not write")
        # literal_eval refuses names and calls: an _includes of other modules ends up here.
        arguments[keyword.arg] = ast.literal_eval(keyword.value)
    return name, arguments


def _save(ffi: Any, entry: Path) -> None:
    """Write ``ffi``'s declarations to ``entry`` (whole, by rename); a failure costs only time."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=entry.parent, prefix=".") as scratch:
            written = Path(scratch) / "ffi.py"
            ffi.set_source(_MODULE, None)
            # cffi says "generating FILE" on stdout, which belongs to the caller.
            with contextlib.redirect_stdout(io.StringIO()):
                ffi.emit_python_code(str(written))
            write_entry(entry, written.read_bytes())
    except Exception as exc:  # noqa: BLE001 - a read-only home, a full disk, a cffi change
        log.debug("cannot cache WeasyPrint's C declarations in %s: %s", entry.parent, exc)
