"""Synthetic demonstration authority (no real child is represented)."""

from .generator import DEFAULT_EXTRACT, generate_authorities, generate_demo

__all__ = ["generate_demo", "generate_authorities", "DEFAULT_EXTRACT"]
