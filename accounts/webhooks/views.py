"""Pages: the administrators' webhooks, each with its delivery log."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.permissions import require
from accounts.views import accounts
from accounts.webhooks import services
from accounts.webhooks.events import EVENT_LABELS
from accounts.webhooks.forms import WebhookForm
from core.views import committing
from extensions import db


@accounts.route("/admin/webhooks", methods=["GET", "POST"])
@login_required
def admin_webhooks():
    """The registered webhooks, and a form to add one (its secret is shown once, here)."""
    require(current_user, "admin.webhooks")
    form = WebhookForm()
    new_secret = None
    if form.validate_on_submit():
        with committing(form) as change:
            webhook = services.create_webhook(current_user, form.url.data, form.events.data,
                                              form.description.data)
        if change.ok:
            new_secret = webhook.secret
            form = WebhookForm(formdata=None)
    return render_template("accounts/webhooks.html", form=form, new_secret=new_secret,
                           webhooks=services.all_webhooks(), last=services.last_deliveries(),
                           labels=EVENT_LABELS)


@accounts.route("/admin/webhooks/<int:webhook_id>", methods=["GET", "POST"])
@login_required
def admin_webhook(webhook_id):
    """One webhook: change its address, events or state, and read its delivery log."""
    require(current_user, "admin.webhooks")
    webhook = services.get_webhook_or_404(webhook_id)
    form = WebhookForm(obj=webhook)
    if form.validate_on_submit():
        with committing(form) as change:
            services.update_webhook(current_user, webhook, form.url.data, form.events.data,
                                    form.description.data, form.active.data)
        if change.ok:
            flash(_("The webhook is saved."), "success")
            return redirect(url_for("accounts.admin_webhook", webhook_id=webhook.id))
    return _webhook_page(webhook, form)


def _webhook_page(webhook, form, new_secret=None):
    return render_template("accounts/webhook.html", webhook=webhook, form=form, new_secret=new_secret,
                           deliveries=services.recent_deliveries(webhook), labels=EVENT_LABELS)


@accounts.post("/admin/webhooks/<int:webhook_id>/secret")
@login_required
def admin_webhook_secret(webhook_id):
    """A new secret for the webhook, shown this once."""
    require(current_user, "admin.webhooks")
    webhook = services.get_webhook_or_404(webhook_id)
    secret = services.rotate_secret(current_user, webhook)
    db.session.commit()
    return _webhook_page(webhook, WebhookForm(obj=webhook, formdata=None), new_secret=secret)


@accounts.post("/admin/webhooks/<int:webhook_id>/ping")
@login_required
def admin_webhook_ping(webhook_id):
    """Send the webhook a test event."""
    require(current_user, "admin.webhooks")
    webhook = services.get_webhook_or_404(webhook_id)
    services.ping_webhook(webhook)
    db.session.commit()
    flash(_("A test event is on its way: its delivery shows in the log below."), "success")
    return redirect(url_for("accounts.admin_webhook", webhook_id=webhook.id))


@accounts.post("/admin/webhooks/<int:webhook_id>/delete")
@login_required
def admin_webhook_delete(webhook_id):
    """Remove a webhook and its delivery log."""
    require(current_user, "admin.webhooks")
    webhook = services.get_webhook_or_404(webhook_id)
    services.delete_webhook(current_user, webhook)
    db.session.commit()
    flash(_("The webhook is removed."), "success")
    return redirect(url_for("accounts.admin_webhooks"))
