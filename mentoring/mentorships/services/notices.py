"""The notifications mentoring sends, and the links they open (built outside requests too)."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

register_kind("mentoring_request_received", _l("%(actor)s asks you for mentoring in %(category)s."),
              delivery="email")
register_kind("mentoring_request_open",
              _l("%(mentee)s is looking for a mentor in %(category)s: you are among the best matches."))
register_kind("mentoring_proposed", _l("%(actor)s proposes mentoring for you in %(category)s."))
register_kind("mentoring_request_accepted", _l("%(actor)s accepted your mentoring request in %(category)s."))
register_kind("mentoring_request_declined",
              _l("%(actor)s declined your mentoring request in %(category)s. %(reason)s"))
register_kind("mentorship_assigned",
              _l("%(actor)s set up mentoring in %(category)s: %(mentor)s mentors %(mentee)s."))
register_kind("mentoring_session_logged", _l("%(actor)s logged the mentoring session of %(date)s."))
register_kind("mentorship_closed", _l("%(actor)s closed the mentorship in %(category)s."))
register_kind("mentoring_goal_reached", _l("Goal reached: %(mentee)s met the %(category)s goal (%(goal)s)."))
register_kind("mentor_profile_pending",
              _l("%(actor)s offers to mentor in %(categories)s and needs a lead's approval."))
register_kind("mentor_profile_approved", _l("%(actor)s approved your mentor profile."))


def link(endpoint, **values):
    """The path of a page, also from the CLI and the demo loader, where url_for has no request."""
    return current_app.url_map.bind("").build(endpoint, values)
