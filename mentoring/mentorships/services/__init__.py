"""Mentor profiles, matching, requests, mentorships, sessions and their measured impact.

Views, the API and other domains use these names (`from mentoring.mentorships import services as mentorships`).
Importing the package registers the permission rules and notification kinds of mentoring.
"""
from mentoring.mentorships import permissions  # noqa: F401  (registers the rules)
from mentoring.mentorships.services.goals import (
                                                  GOAL_METRICS,
                                                  GOAL_MIN_SAMPLE,
                                                  Goal,
                                                  describe_goal,
                                                  format_metric,
                                                  goal_outcome,
                                                  validate_goal,
)
from mentoring.mentorships.services.impact import Impact, ImpactWindows, baseline_window, impact_windows, measure_impact
from mentoring.mentorships.services.lifecycle import (
                                                  MentorOutcomes,
                                                  assign_mentorship,
                                                  begin_mentorship,
                                                  close_mentorship,
                                                  get_mentorship_or_404,
                                                  goal_summary,
                                                  mentor_outcomes,
                                                  mentorship_path,
                                                  mentorships_of,
                                                  team_mentorships,
)
from mentoring.mentorships.services.matching import MentorPool, MentorSuggestion, suggest_mentors
from mentoring.mentorships.services.needs import HELP_GAPS, HelpNeed, agents_needing_help
from mentoring.mentorships.services.profiles import (
                                                  approve_mentor_profile,
                                                  get_profile,
                                                  get_profile_or_404,
                                                  mentor_profiles,
                                                  pending_profiles,
                                                  remaining_capacity,
                                                  save_mentor_profile,
)
from mentoring.mentorships.services.requests import (
                                                  accept_mentoring_request,
                                                  create_mentoring_request,
                                                  create_mentorship,
                                                  decline_mentoring_request,
                                                  get_request_or_404,
                                                  requests_for_mentor,
                                                  requests_of_mentee,
                                                  withdraw_mentoring_request,
)
from mentoring.mentorships.services.sessions import list_sessions, log_session

__all__ = [
    "GOAL_METRICS", "GOAL_MIN_SAMPLE", "Goal", "HELP_GAPS", "HelpNeed", "Impact", "ImpactWindows",
    "MentorOutcomes", "MentorPool", "MentorSuggestion", "accept_mentoring_request",
    "agents_needing_help", "approve_mentor_profile", "assign_mentorship", "baseline_window",
    "begin_mentorship", "close_mentorship", "create_mentoring_request", "create_mentorship",
    "decline_mentoring_request", "describe_goal", "format_metric", "get_mentorship_or_404",
    "get_profile", "get_profile_or_404", "get_request_or_404", "goal_outcome", "goal_summary",
    "impact_windows", "list_sessions", "log_session", "measure_impact", "mentor_outcomes",
    "mentor_profiles", "mentorship_path", "mentorships_of", "pending_profiles",
    "remaining_capacity", "requests_for_mentor", "requests_of_mentee", "save_mentor_profile",
    "suggest_mentors", "team_mentorships", "validate_goal", "withdraw_mentoring_request",
]
