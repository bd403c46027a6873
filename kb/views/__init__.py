"""Knowledge-base pages, under /kb."""
from kb.views import articles, categories, feedback, history, lifecycle, review, search  # noqa: F401
