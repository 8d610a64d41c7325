"""Hostile cases: Templates and the markup audit: sandbox escapes, audit bypasses, math in labels."""

from __future__ import annotations

from tests.hostile.harness import Case

TEMPLATE_ATTACKS: list[Case] = []
