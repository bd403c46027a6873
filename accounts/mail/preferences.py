"""How each person wants to hear of each kind of notification: in the app only, by e-mail at
once, or in the daily digest. Only choices that differ from the kind's default are stored, so a
new default reaches everyone who never chose."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from accounts.kinds import DELIVERIES, check_kind, default_delivery, get_kind, registered_kinds
from accounts.mail.models import NotificationPreference
from accounts.mail.smtp import mail_is_set_up
from accounts.mail.unsubscribe import DIGEST
from accounts.models import User
from errors import Invalid, NotFound
from extensions import db

DELIVERY_LABELS = {"app": _l("In the app only"), "email": _l("E-mail at once"), "digest": _l("Daily digest")}


def chosen_deliveries(user):
    """{kind: delivery} for every registered kind, as `user` chose or by default."""
    stored = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)).all())
    return {kind.name: stored.get(kind.name, kind.delivery) for kind in registered_kinds()}


def set_deliveries(user, choices):
    """Save `user`'s {kind: delivery} choices (kinds left out keep theirs).

    :raises Invalid: an unknown kind or delivery.
    """
    for kind, delivery in choices.items():
        try:
            check_kind(kind)
        except ValueError:
            raise Invalid(kind, _l("Unknown kind of notification.")) from None
        if delivery not in DELIVERIES:
            raise Invalid(kind, _l("Choose in the app only, e-mail at once or daily digest."))
    if not choices:
        return
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind.in_(list(choices))))
    db.session.add_all(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery)
                       for kind, delivery in choices.items() if delivery != default_delivery(kind))
    db.session.flush()


def deliveries_for(recipient_ids, kind):
    """{recipient id: delivery} a notification of `kind` written now gets: the person's choice,
    or "app" when e-mail is not set up or the person has no address to send to."""
    recipient_ids = set(recipient_ids)
    if not recipient_ids:
        return {}
    deliveries = dict.fromkeys(recipient_ids, "app")
    if not mail_is_set_up(current_app.config):
        return deliveries
    reachable = set(db.session.scalars(select(User.id).where(
        User.id.in_(recipient_ids), User.active.is_(True), User.email.is_not(None), User.email != "")))
    stored = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery).where(
            NotificationPreference.kind == kind, NotificationPreference.user_id.in_(reachable))).all())
    for recipient_id in reachable:
        deliveries[recipient_id] = stored.get(recipient_id, default_delivery(kind))
    return deliveries


def unsubscribe(user, kind):
    """Stop e-mails of `kind` for `user` (every digest kind for DIGEST): in the app only from now."""
    if kind == DIGEST:
        kinds = [name for name, delivery in chosen_deliveries(user).items() if delivery == "digest"]
    elif get_kind(kind) is None:
        raise NotFound(_l("This kind of notification no longer exists."))
    else:
        kinds = [kind]
    set_deliveries(user, dict.fromkeys(kinds, "app"))
    return kinds
