"""Indicators by ILACS judgement area, all declared in one registry."""

from __future__ import annotations


def load_all() -> None:
    """Import every indicator module so that the registry is complete."""
    from . import care_leavers, children_in_care, help_protection, leadership  # noqa: F401


# The registry is complete as soon as any part of the package is imported (code that only reads
# REGISTRY, e.g. benchmarking a stored frame, must not depend on compute_indicators running first).
load_all()
