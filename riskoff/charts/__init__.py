"""Chart builders (one module per chapter) and the shared caption/publish helpers."""
from .base import Caption, publish  # noqa: F401
from . import market  # noqa: F401
