"""Recognition pages: resolution-data imports, leaderboards, performance dashboards, settings."""
from recognition.views import imports, performance, settings  # noqa: F401  (routes register)
from recognition.awards import views as _awards_views  # noqa: E402,F401
