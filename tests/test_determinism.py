"""Same inputs, same bytes: HTML, SVG, PNG and PDF do not depend on where, when or how
the build runs.

Two builds run in separate processes from two copies of the project at different
paths, with different TZ, LANG/LC_ALL, working directories and hash seeds. The
second also runs on a different day: under libfaketime (Debian package
``faketime``) 1,000 days ahead when it is installed, otherwise through a wrapper
that moves ``time.time``, ``time.time_ns`` and ``datetime.now`` 1,000 days ahead
before reportgen starts.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, copy_project, require_locale


def reportgen_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra)
    env["PYTHONPATH"] = str(REPO)
    return env


_SHIFT_DAYS = 1000
_WRAPPER = f"""
import datetime as _dt, runpy, sys, time as _time
_shift = {_SHIFT_DAYS} * 86400
_real_time, _real_ns = _time.time, _time.time_ns
_time.time = lambda: _real_time() + _shift
_time.time_ns = lambda: _real_ns() + _shift * 10**9
class _Shifted(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _dt.datetime.fromtimestamp(_time.time(), tz)
    @classmethod
    def utcnow(cls):
        return _dt.datetime.utcfromtimestamp(_time.time())
    @classmethod
    def today(cls):
        return cls.now()
_dt.datetime = _Shifted
sys.argv = ["reportgen", *sys.argv[1:]]
runpy.run_module("reportgen", run_name="__main__")
"""


def _outputs(out: Path) -> dict[str, str]:
    """sha256 of every HTML, SVG, PNG and PDF output."""
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.suffix in (".html", ".svg", ".png", ".pdf") and ".staging-" not in str(p)
    }


def _build(project: Path, out: Path, cwd: Path, env: dict[str, str], later: bool) -> str:
    args = ["build", "--project", str(project), "--out", str(out), "--force"]
    if not later:
        argv = [sys.executable, "-m", "reportgen", *args]
        how = "now"
    elif shutil.which("faketime"):
        argv = ["faketime", "-f", f"+{_SHIFT_DAYS}d", sys.executable, "-m", "reportgen", *args]
        how = "libfaketime"
    else:
        argv = [sys.executable, "-c", _WRAPPER, *args]
        how = "shifted time module"
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"build ({how}) failed:\n{result.stderr}"
    return how


def test_builds_are_byte_identical_across_zone_locale_folder_and_day(tmp_path: Path) -> None:
    require_locale("de_DE.UTF-8")
    first, second = tmp_path / "a" / "project", tmp_path / "b" / "elsewhere" / "project"
    copy_project(first)
    copy_project(second)
    (tmp_path / "cwd-a").mkdir()
    (tmp_path / "cwd-b" / "deeper").mkdir(parents=True)
    env_a = reportgen_env(
        {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"}
    )
    env_b = reportgen_env(
        {
            "TZ": "Pacific/Kiritimati",
            "LANG": "de_DE.UTF-8",
            "LC_ALL": "de_DE.UTF-8",
            "PYTHONHASHSEED": "12345",
        }
    )
    _build(first, tmp_path / "out-a", tmp_path / "cwd-a", env_a, later=False)
    how = _build(second, tmp_path / "out-b", tmp_path / "cwd-b" / "deeper", env_b, later=True)

    a, b = _outputs(tmp_path / "out-a"), _outputs(tmp_path / "out-b")
    assert {"briefing.html", "briefing.pdf"} <= a.keys()
    assert any(name.endswith(".svg") for name in a), "no charts were drawn"
    differing = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    assert not differing, f"outputs differ ({how}): {differing}"


def test_the_clock_shift_really_happens(tmp_path: Path) -> None:
    """The determinism test above proves nothing if the later build ran today."""
    probe = "import datetime; print(datetime.datetime.now().date())"
    today = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    if shutil.which("faketime"):
        argv = ["faketime", "-f", f"+{_SHIFT_DAYS}d", sys.executable, "-c", probe]
    else:
        argv = [
            sys.executable,
            "-c",
            _WRAPPER.replace('runpy.run_module("reportgen", run_name="__main__")', probe),
        ]
    later = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    assert later != today
