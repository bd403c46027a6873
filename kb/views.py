"""Knowledge-base pages."""
from kb import kb, models  # noqa: F401  (models register with the metadata)
