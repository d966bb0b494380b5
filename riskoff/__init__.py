"""riskoff: data, metrics, charts and claims behind the book on the 20-21 Nov 2025 sell-off."""
from __future__ import annotations

__all__ = ["DataError"]

from .errors import DataError  # noqa: E402


def _short_errors_in_ipython() -> None:
    """In a notebook, show our own errors as one line instead of a traceback wall."""
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return

    def handler(shell, etype, value, tb, tb_offset=None):
        print(f"{etype.__name__}: {value}")

    ip.set_custom_exc((DataError, ValueError), handler)


_short_errors_in_ipython()
