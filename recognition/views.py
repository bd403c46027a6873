"""Recognition pages."""
from recognition import recognition  # noqa: F401
