"""The notification knowledge impact sends: an article that hurts customers goes to review."""
from flask_babel import lazy_gettext as _l

from accounts.notifications import register_kind

register_kind("impact_review_requested", _l(
    "“%(title)s” in %(category)s went back to review: agents who used it resolved %(fcr)s of"
    " %(contacts)s contacts first time, against %(baseline)s for the same agents without it"
    " (%(lift)s points, 95 %% interval %(low)s to %(high)s)."))
