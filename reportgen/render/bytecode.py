"""Compiled templates kept in ``PROJECT/.cache/jinja``, each file checked before use.

Jinja's own file cache checks a file's header and the template's source checksum,
then unmarshals the code: a flipped bit in the code itself would run as a different
template, or crash. Here every file carries the sha256 of Jinja's bytes
(:mod:`reportgen.cachefile`); a damaged one is removed and the template compiled again.
"""

from __future__ import annotations

from pathlib import Path

from jinja2.bccache import Bucket, FileSystemBytecodeCache

from reportgen.cachefile import read_entry, write_entry


class SealedBytecodeCache(FileSystemBytecodeCache):
    """Jinja's file system cache, with entries written whole and verified when read."""

    def load_bytecode(self, bucket: Bucket) -> None:
        data = read_entry(Path(self._get_cache_filename(bucket)))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_entry(Path(self._get_cache_filename(bucket)), bucket.bytecode_to_string())
