"""Reviewer-facing output: notebook display helpers, area reports and the HTML export."""

from .area import AreaReport

__all__ = ["AreaReport"]
