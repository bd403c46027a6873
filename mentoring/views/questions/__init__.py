"""Question and answer pages: lists and queues, the question page, asking, answering, the actions."""
from mentoring.views.questions import actions, pages, writing  # noqa: F401  (routes register)
