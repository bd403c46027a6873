"""The score settings page (leads and admins); every change is audited."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from core.views import committing
from errors import Invalid
from recognition import services
from recognition.forms import ScoreSettingsForm
from recognition.views import recognition


@recognition.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Weights and thresholds of the top-performer score."""
    require(current_user, "score_settings.edit")
    current = services.load_ranking_settings()
    form = ScoreSettingsForm(data=current.as_dict())
    if form.validate_on_submit():
        with committing(form, refusals=(Invalid,)) as change:
            services.update_ranking_settings(current_user, **form.values())
        if change.ok:
            flash(_("Score settings saved."), "success")
            return redirect(url_for("recognition.settings"))
    return render_template("recognition/settings.html", form=form, current=current)
