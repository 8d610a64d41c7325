"""Hostile cases: Outputs, caches, bad input values and size bounds."""

from __future__ import annotations

from tests.hostile.harness import Case

OUTPUT_ATTACKS: list[Case] = []
