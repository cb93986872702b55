"""Indicators by ILACS judgement area, all declared in one registry."""

from __future__ import annotations


def load_all() -> None:
    """Import every indicator module so that the registry is complete."""
    # local trackers and the measures added for the whole of a SEF's evidence (issue 20)
    from . import (  # noqa: F401  # noqa: F401
        adopters,
        care_leavers,
        children_in_care,
        court,
        early_help,
        exploitation,
        fostering,
        help_protection,
        lado,
        leadership,
        missing,
        virtual_school,
    )


# The registry is complete as soon as any part of the package is imported (code that only reads
# REGISTRY, e.g. benchmarking a stored frame, must not depend on compute_indicators running first).
load_all()
