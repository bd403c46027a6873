"""Peer questions and mentoring pages."""
from mentoring import mentoring  # noqa: F401
