"""Synthetic demonstration authority (no real child is represented)."""

from .generator import DEFAULT_EXTRACT, generate_demo

__all__ = ["generate_demo", "DEFAULT_EXTRACT"]
