"""Project files are read as regular files of bounded size, or refused with their place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from reportgen.errors import ReportError
from reportgen.readfile import lines_if_readable, read_regular


def _refusal(path: Path, limit: int = 100) -> str:
    with pytest.raises(ReportError) as caught:
        read_regular(path, "seeds/facts/x.yaml", limit, "fact file")
    assert caught.value.location is not None
    assert caught.value.location.path == "seeds/facts/x.yaml"
    return caught.value.message


def test_a_folder_a_fifo_and_a_device_are_refused_without_waiting(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    found: list[str] = []
    # A FIFO with no writer would block a blocking open for ever: read in a thread.
    reader = threading.Thread(
        target=lambda: found.extend(_refusal(p) for p in (folder, fifo, zero))
    )
    reader.start()
    reader.join(10)
    assert found == ["not a regular file"] * 3
    assert lines_if_readable(fifo, 100) is None


def test_a_file_over_the_bound_names_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * 250)
    assert _refusal(big) == "file is 250 bytes, more than the 100 a fact file may be"
    assert _refusal(tmp_path / "missing.yaml").startswith("cannot read: ")


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("a: 1\nb: 2\n", encoding="utf-8")
    assert read_regular(good, "good.yaml", 100) == b"a: 1\nb: 2\n"
    assert lines_if_readable(good, 100) == ["a: 1", "b: 2"]
