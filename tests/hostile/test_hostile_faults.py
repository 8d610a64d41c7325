"""Faults a build or delivery meets in the field: an unwritable or full output folder,
a build killed mid-PDF, an SMTP server that drops the connection mid-DATA.

Every test here runs reportgen in a real process against a copy of the real
project whose ``build/`` holds a good build, and records the same figures as the
case table (tracebacks, outputs changed, bytes leaked) for ``make hostile``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import process_running
from tests.hostile.harness import (
    Run,
    argv_for,
    changed,
    copy_project,
    has_traceback,
    reportgen_env,
    run,
    snapshot,
)


@dataclass
class Scene:
    """A project copy whose OUT holds a good build of exactly these inputs."""

    project: Path
    out: Path
    before: dict[str, str] = field(default_factory=dict)

    def outputs_changed(self) -> list[str]:
        """Previous outputs that differ; new hidden staging folders are reported apart."""
        after = snapshot(self.out)
        return [k for k in changed(self.before, after) if not k.startswith(".staging-")]

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.out.glob(".staging-*"))


def _scene(tmp_path: Path, previous_build: Path, out: Path | None = None) -> Scene:
    project = copy_project(tmp_path / "project", previous_build.parent / "project")
    out = out or project / "build"
    shutil.copytree(previous_build, out, dirs_exist_ok=True)
    return Scene(project, out, snapshot(out))


def _record(
    record_property: pytest.RecordProperty, runs: list[Run], outputs_changed: int, leaked: int = 0
) -> None:
    record_property("group", "faults")
    record_property("tracebacks", sum(1 for r in runs if has_traceback(r)))
    record_property("outputs_changed", outputs_changed)
    record_property("bytes_leaked", leaked)
    record_property("seconds", round(sum(r.seconds for r in runs), 2))


def _touch_input(project: Path) -> None:
    """A harmless edit, so the build is not skipped as up to date."""
    with (project / "seeds/report.yaml").open("a", encoding="utf-8") as stream:
        stream.write("# edited\n")


def _one_line(r: Run, pattern: str) -> bool:
    import re

    return any(re.search(pattern, line) for line in r.stderr.splitlines())


# --- the output folder -----------------------------------------------------------------


def _without_root_powers(argv: list[str]) -> list[str]:
    """Root writes anywhere; drop the capabilities that let it, so that modes count."""
    if os.geteuid() != 0:
        return argv
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a folder unwritable")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps, *argv]


def test_output_folder_not_writable(
    tmp_path: Path, previous_build: Path, record_property: pytest.RecordProperty
) -> None:
    scene = _scene(tmp_path, previous_build)
    _touch_input(scene.project)
    for path in [scene.out, *scene.out.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = run(
            _without_root_powers(argv_for("build", scene.project, scene.out)),
            cwd=scene.project,
            timeout=300,
        )
    finally:
        for path in [scene.out, *scene.out.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    changed_now = scene.outputs_changed()
    _record(record_property, [result], int(bool(changed_now)))
    assert result.returncode == 1, result.stderr
    assert not has_traceback(result), result.stderr
    assert _one_line(result, r"(Permission denied|not writable|cannot write)"), result.stderr
    assert not changed_now
    assert not scene.leftovers()


def test_output_path_is_a_file(
    tmp_path: Path, previous_build: Path, record_property: pytest.RecordProperty
) -> None:
    scene = _scene(tmp_path, previous_build)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep me\n", encoding="utf-8")
    result = run(argv_for("build", scene.project, blocker), cwd=scene.project, timeout=300)
    _record(record_property, [result], int(blocker.read_text(encoding="utf-8") != "keep me\n"))
    assert result.returncode == 1, result.stderr
    assert not has_traceback(result), result.stderr
    assert _one_line(result, r"not-a-folder"), result.stderr
    assert blocker.read_text(encoding="utf-8") == "keep me\n"


def test_project_folder_missing(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    result = run(
        argv_for("check", tmp_path / "nowhere", tmp_path / "out"), cwd=tmp_path, timeout=60
    )
    _record(record_property, [result], 0)
    assert result.returncode == 1, result.stderr
    assert not has_traceback(result), result.stderr
    assert _one_line(result, r"nowhere/seeds: no seeds/ folder"), result.stderr


# --- disk full ---------------------------------------------------------------------------


def _mount_tmpfs(folder: Path, size: int) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_disk_full_mid_build(
    tmp_path: Path, previous_build: Path, record_property: pytest.RecordProperty
) -> None:
    """OUT on a tmpfs with room for the previous build and 64 KB more: the new charts,
    HTML and PDF cannot all be written (ENOSPC), and the old ones must survive."""
    out = tmp_path / "full"
    out.mkdir()
    size = (_tree_bytes(previous_build) // 4096 + 40) * 4096 + 64 * 1024
    if not _mount_tmpfs(out, size):
        pytest.skip("cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN)")
    try:
        scene = _scene(tmp_path, previous_build, out)
        _touch_input(scene.project)
        result = run(argv_for("build", scene.project, out), cwd=scene.project, timeout=300)
        changed_now = scene.outputs_changed()
        leftovers = scene.leftovers()
    finally:
        subprocess.run(["umount", str(out)], check=False)
    _record(record_property, [result], int(bool(changed_now)))
    assert result.returncode == 1, result.stderr
    assert not has_traceback(result), result.stderr
    assert _one_line(result, r"(No space left|disk full|no space)"), result.stderr
    assert not changed_now
    assert not leftovers


# --- killed mid-PDF -----------------------------------------------------------------------


def _start_build(scene: Scene) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*argv_for("build", scene.project, scene.out), "--force"],
        cwd=scene.project,
        env=reportgen_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell without job control starts background jobs with SIGINT ignored, and
        # Python then never raises KeyboardInterrupt: give the build the default action.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_pdf_stage(scene: Scene, proc: subprocess.Popen[str], limit: float = 240) -> bool:
    """True once the build has written its HTML to staging: it is now making the PDF."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if any(scene.out.glob(".staging-*/briefing.html")):
            time.sleep(0.3)  # well inside WeasyPrint's layout by now
            return proc.poll() is None
        time.sleep(0.05)
    return False


def _pdf_workers(parent: int) -> set[int]:
    """The PDF worker processes ``parent`` started (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"reportgen.pdf.worker" in cmdline:
            found.add(int(stat.parent.name))
    return found


def _gone(pids: set[int], limit: float = 10) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not any(process_running(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_build_killed_mid_pdf(
    how: str, tmp_path: Path, previous_build: Path, record_property: pytest.RecordProperty
) -> None:
    scene = _scene(tmp_path, previous_build)
    proc = _start_build(scene)
    started = time.monotonic()
    in_pdf = _wait_for_pdf_stage(scene, proc)
    workers = _pdf_workers(proc.pid)
    if in_pdf:
        proc.send_signal(getattr(signal, how))
    stdout, stderr = proc.communicate(timeout=120)
    killed = Run("build", [], proc.returncode, stdout, stderr, time.monotonic() - started)
    changed_now = scene.outputs_changed()
    # The next build must work, and must not be fooled by what the killed one left.
    again = run(argv_for("build", scene.project, scene.out), cwd=scene.project, timeout=300)
    _record(record_property, [killed, again], int(bool(changed_now)))
    assert in_pdf, f"the build never reached the PDF stage: {stderr}"
    # The PDF worker goes with the build, even when the build had no chance to stop it.
    assert workers, "no PDF worker was running during the PDF stage"
    assert _gone(workers), f"PDF worker(s) {workers} outlived the {how}ed build"
    if how == "SIGKILL":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, stderr
        assert not has_traceback(killed), stderr
        assert "interrupted" in stderr
        assert not scene.leftovers(), "an interrupted build left its staging folder"
    assert not changed_now, f"outputs changed: {changed_now}"
    assert again.returncode == 0, again.stderr
    assert not has_traceback(again), again.stderr
    # A SIGKILL skips every cleanup; the next build removes what the dead one left.
    assert not scene.leftovers(), "the next build kept a killed build's staging folder"
    from reportgen.build import is_up_to_date

    assert is_up_to_date(scene.project, scene.out, {"html", "pdf"})


# --- SMTP drops the connection mid-DATA ---------------------------------------------------


class DroppingSmtp:
    """A minimal SMTP server on loopback that hangs up after part of the message."""

    def __init__(self, keep_bytes: int = 2000) -> None:
        self.keep_bytes = keep_bytes
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.data_commands = 0
        self.received = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        conn.sendall(b"220 localhost ESMTP ready\r\n")
        while True:
            line = stream.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                conn.sendall(b"250-localhost\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n")
            elif verb == b"DATA":
                self.data_commands += 1
                conn.sendall(b"354 go ahead\r\n")
                while self.received < self.keep_bytes:
                    chunk = stream.readline()
                    if not chunk:
                        return
                    self.received += len(chunk)
                conn.shutdown(socket.SHUT_RDWR)
                return
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dropping_smtp() -> Iterator[DroppingSmtp]:
    server = DroppingSmtp()
    yield server
    server.close()


def test_smtp_drops_connection_mid_data(
    tmp_path: Path,
    previous_build: Path,
    dropping_smtp: DroppingSmtp,
    record_property: pytest.RecordProperty,
) -> None:
    scene = _scene(tmp_path, previous_build)
    env = reportgen_env(
        {
            "REPORTGEN_SMTP_HOST": "127.0.0.1",
            "REPORTGEN_SMTP_PORT": str(dropping_smtp.port),
            "REPORTGEN_SMTP_SECURITY": "none",
            "REPORTGEN_MAIL_FROM": "Briefings <briefings@example.org>",
            "REPORTGEN_SMTP_TIMEOUT": "10",
            "REPORTGEN_SMTP_ATTEMPTS": "3",
            "REPORTGEN_SMTP_RETRY_DELAY": "0.01",
        }
    )
    argv = [
        sys.executable,
        "-m",
        "reportgen",
        "email",
        "--project",
        str(scene.project),
        "--out",
        str(scene.out),
        "--to",
        "analyst@example.org",
    ]
    result = run(argv, cwd=scene.project, timeout=120, env=env)
    # Delivery adds its log (and lock); what the build made must stay as it was.
    changed_now = [k for k in scene.outputs_changed() if k in scene.before]
    _record(record_property, [result], int(bool(changed_now)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert not has_traceback(result), result.stderr
    assert dropping_smtp.data_commands == 1, "a message the server may have got was sent again"
    assert dropping_smtp.received >= dropping_smtp.keep_bytes
    text = result.stdout + result.stderr
    assert re.search(r"(UNKNOWN|uncertain).*analyst@example\.org", text), text
    log = (scene.out / "deliveries.jsonl").read_text(encoding="utf-8")
    assert "analyst@example.org" in log
    assert not changed_now
