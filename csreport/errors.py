"""Errors that reach the user: each names the file or parameter, what was found, and the fix."""

from __future__ import annotations


class CsreportError(Exception):
    """Base class of every error csreport shows to a user (the CLI prints the message, no traceback)."""


class UnusableInputError(CsreportError):
    """An input file or database table cannot be used at all (unreadable, empty, missing a required column)."""


class ParameterError(CsreportError):
    """A parameter or params file is invalid (unknown key, bad period, unsafe unit name, ...)."""


class ReconciliationError(CsreportError):
    """Rows read did not equal rows accepted plus rows quarantined: a bug in csreport, never in the data."""
