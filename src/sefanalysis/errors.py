"""Errors the user sees as one clear line, never as a traceback."""

from __future__ import annotations


class SefError(Exception):
    """Base class: the message is complete and is printed to the user as it is."""


class PeriodError(SefError):
    """A period end or window that is not accepted."""


class DataError(SefError):
    """Input data that cannot be used; ``report_path`` points at the validation report."""

    def __init__(self, message: str, report_path: str | None = None) -> None:
        super().__init__(message)
        self.report_path = report_path
