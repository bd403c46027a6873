"""Mentor profiles, matching, mentorships with goals, sessions and measured impact."""
