"""Hostile cases: Email delivery: settings, the delivery log, the lock and recipient files."""

from __future__ import annotations

from tests.hostile.harness import Case

EMAIL_ATTACKS: list[Case] = []
