"""riskoff: data, metrics, charts and claims behind the book on the 20-21 Nov 2025 sell-off."""
from __future__ import annotations

__all__ = ["ArgumentError", "DataError"]

from pathlib import Path

from .errors import ArgumentError, DataError  # noqa: E402

_PACKAGE = Path(__file__).resolve().parent


def is_book_error(value: BaseException) -> bool:
    """Our own errors: DataError, ArgumentError, or a ValueError raised by riskoff's code.

    A ValueError raised anywhere else (a reader's own ``int('x')``, or pandas failing inside
    one of our calls: a bug of ours) keeps its full traceback.
    """
    if isinstance(value, (DataError, ArgumentError)):
        return True
    if not isinstance(value, ValueError):
        return False
    tb = value.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    try:
        return Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE)
    except (OSError, ValueError):
        return False


def _notebook_handler(shell, etype, value, tb, tb_offset=None):
    if is_book_error(value):
        print(f"{etype.__name__}: {value}")
        return None
    return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _short_errors_in_ipython() -> None:
    """In a notebook, show the book's own errors as one line instead of a traceback wall."""
    try:
        ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821
    except NameError:
        return
    ip.set_custom_exc((DataError, ValueError), _notebook_handler)


_short_errors_in_ipython()
