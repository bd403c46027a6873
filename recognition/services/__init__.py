"""Resolution-data services: import, metrics, top performers and score settings.

Other domains call these (e.g. mentoring's mentor matching uses `category_strength`, titles use
`rank_performers` and `agent_metrics`); views and the API are thin layers over them.
"""
from recognition.services.batches import (
                                           Preview,
                                           get_batch_or_404,
                                           iter_row_errors,
                                           list_batches,
                                           page_row_errors,
                                           preview_resolutions,
)
from recognition.services.dashboards import (
                                           AgentDashboard,
                                           TeamDashboard,
                                           agent_dashboard,
                                           agent_weekly_rows,
                                           team_dashboard,
)
from recognition.services.directory import list_teams, team_led_by
from recognition.services.import_runs import (
                                           get_import_run_or_404,
                                           import_run_progress,
                                           runs_without_batch,
                                           start_import_run,
)
from recognition.services.imports import ImportSummary, UnreadableFile, import_resolutions, summarize_batch
from recognition.services.metrics import (
                                           Metrics,
                                           grouped_metrics,
                                           period_metrics,
                                           recompute_metrics,
                                           refresh_metrics,
                                           weekly_metrics,
)
from recognition.services.performers import (
                                           CategoryStrength,
                                           Leaderboard,
                                           agent_metrics,
                                           category_strength,
                                           holds_title,
                                           rank_performers,
                                           title_candidates,
)
from recognition.services.score_settings import load_ranking_settings, update_ranking_settings

__all__ = [
    "AgentDashboard", "CategoryStrength", "ImportSummary", "Leaderboard", "Metrics", "Preview",
    "TeamDashboard", "UnreadableFile", "agent_dashboard", "agent_metrics", "agent_weekly_rows",
    "category_strength", "get_batch_or_404", "get_category_or_404", "get_import_run_or_404",
    "grouped_metrics", "holds_title", "import_resolutions", "import_run_progress", "iter_row_errors",
    "list_batches",
    "list_teams", "load_ranking_settings", "page_row_errors", "period_metrics",
    "preview_resolutions", "rank_performers", "recompute_metrics", "refresh_metrics",
    "runs_without_batch", "start_import_run", "summarize_batch", "team_dashboard", "team_led_by",
    "title_candidates", "update_ranking_settings", "weekly_metrics",
]
