"""The form of each person's e-mail choices: one choice per kind of notification."""
from flask_babel import gettext as _
from wtforms import SelectField

from accounts.kinds import DELIVERIES, kind_label, registered_kinds
from accounts.mail.preferences import DELIVERY_LABELS
from core.forms import Form

FIELD_PREFIX = "delivery_"


def delivery_form(chosen):
    """A form with a choice per registered kind, showing `chosen` ({kind: delivery}); the
    kind's default is marked in its choices."""
    class DeliveryForm(Form):
        def choices(self):
            """{kind: delivery} as submitted."""
            return {field.name.removeprefix(FIELD_PREFIX): field.data for field in self
                    if field.name.startswith(FIELD_PREFIX)}

    for kind in registered_kinds():
        options = [(delivery, _("%(choice)s (default)", choice=DELIVERY_LABELS[delivery])
                    if delivery == kind.delivery else str(DELIVERY_LABELS[delivery])) for delivery in DELIVERIES]
        field = SelectField(kind_label(kind.name), choices=lambda options=options: options,
                            default=chosen.get(kind.name, kind.delivery))
        setattr(DeliveryForm, FIELD_PREFIX + kind.name, field)
    return DeliveryForm()
