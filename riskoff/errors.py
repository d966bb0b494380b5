"""Errors the book shows to readers as one line (see riskoff/__init__.py)."""


class DataError(Exception):
    """A cached file is missing, changed or implausible. The message names file and fix."""


class ArgumentError(ValueError):
    """A reader passed an argument a view cannot use. The message names it and what is allowed."""


class RefreshError(Exception):
    """One series could not be refreshed; its cached file is left untouched."""
