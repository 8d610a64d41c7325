"""The lock files agree with pyproject.toml, and the tests run against what they pin.

``make lock`` writes ``requirements/report.txt`` (a build) and ``requirements/test.txt``
(a build plus the tools and test libraries) from pyproject.toml's ranges. A dependency
added to one side and not the other, an entry without a hash, or an environment that is
not the locked one fails here, before the byte-identical PDF promise quietly breaks.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

REPORT_LOCK = REPO / "requirements" / "report.txt"
TEST_LOCK = REPO / "requirements" / "test.txt"
FROM_PYPROJECT = "reportgen (pyproject.toml)"


@dataclass
class Pin:
    version: str
    hashes: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)


def read_lock(path: Path) -> dict[str, Pin]:
    """The pins of a pip-compile lock file, with their hashes and ``# via`` lines."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    in_via = False
    for line in path.read_text(encoding="utf-8").splitlines():
        pinned = re.match(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", line)
        if pinned:
            current = pins.setdefault(canonicalize_name(pinned[1]), Pin(pinned[2]))
            in_via = False
        elif current and (found := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            current.hashes.add(found[1])
        elif current and (via := re.match(r"^\s+# via (.+)$", line)):
            current.via.add(via[1].strip())
            in_via = False
        elif current and re.match(r"^\s+# via$", line):
            in_via = True
        elif current and in_via and (item := re.match(r"^\s+#\s+(.+)$", line)):
            current.via.add(item[1].strip())
    return pins


def pyproject() -> dict[str, list[Requirement]]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return {
        "runtime": [Requirement(r) for r in data["project"]["dependencies"]],
        "dev": [Requirement(r) for r in data["project"]["optional-dependencies"]["dev"]],
        "build": [Requirement(r) for r in data["build-system"]["requires"]],
    }


def direct(pins: dict[str, Pin]) -> set[str]:
    return {name for name, pin in pins.items() if FROM_PYPROJECT in pin.via}


@pytest.mark.parametrize("lock", [REPORT_LOCK, TEST_LOCK], ids=["report", "test"])
def test_every_pin_is_exact_and_hashed(lock: Path) -> None:
    pins = read_lock(lock)
    assert len(pins) > 20, f"{lock} pins too little to be a whole lock"
    unhashed = sorted(name for name, pin in pins.items() if not pin.hashes)
    assert not unhashed, f"{lock.name}: no --hash for {unhashed}"
    text = lock.read_text(encoding="utf-8")
    assert not re.search(r"^[A-Za-z0-9._-]+\s*(>=|<=|~=|>|<|!=)", text, re.M), "ranges in a lock"
    assert not re.search(r"^-e |^git\+|^https?://", text, re.M), "a lock pins index releases only"


def test_the_build_lock_holds_exactly_pyprojects_dependencies() -> None:
    wanted = pyproject()
    pins = read_lock(REPORT_LOCK)
    names = {canonicalize_name(r.name) for r in wanted["runtime"]}
    assert direct(pins) == names, "requirements/report.txt disagrees with pyproject.toml"
    for requirement in wanted["runtime"] + wanted["build"]:
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not in requirements/report.txt"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{requirement.name}=={pin.version} is outside pyproject.toml's {requirement}"
        )


def test_the_test_lock_adds_exactly_the_dev_set() -> None:
    wanted = pyproject()
    pins = read_lock(TEST_LOCK)
    names = {canonicalize_name(r.name) for r in wanted["runtime"] + wanted["dev"]}
    assert direct(pins) == names, "requirements/test.txt disagrees with pyproject.toml"
    for requirement in wanted["runtime"] + wanted["dev"] + wanted["build"]:
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not in requirements/test.txt"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{requirement.name}=={pin.version} is outside pyproject.toml's {requirement}"
        )


def test_a_build_installs_the_same_releases_the_tests_run() -> None:
    report, test = read_lock(REPORT_LOCK), read_lock(TEST_LOCK)
    missing = sorted(set(report) - set(test))
    assert not missing, f"in report.txt but not test.txt: {missing}"
    for name, pin in report.items():
        assert (pin.version, pin.hashes) == (test[name].version, test[name].hashes), name


def test_the_environment_is_the_locked_one() -> None:
    """The tests (and the PDF bytes they compare) ran against exactly the locked releases."""
    wrong = []
    for name, pin in read_lock(TEST_LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} not installed (locked {pin.version})")
            continue
        if Version(installed) != Version(pin.version):
            wrong.append(f"{name} {installed}, locked {pin.version}")
    assert not wrong, "run make test (it installs from the lock): " + "; ".join(wrong)
