"""The e-mails themselves: one notification, or a digest of several, in the recipient's language.

Each is a plain-text part and an HTML alternative (`lang`, and `dir="rtl"` for Persian and
Arabic), with Content-Language, and the signed one-click unsubscribe link both in the body and in
the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058), which mail clients show as a
button and POST to.
"""
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from accounts.kinds import kind_label, notification_html, notification_text
from accounts.mail.unsubscribe import DIGEST, unsubscribe_token
from config import RTL_LANGUAGES
from core.clock import utcnow

SUBJECT_MAX_CHARS = 150
# A digest lists at most this many notifications and counts the rest.
DIGEST_MAX_ITEMS = 50
# CRLF, and header lines as long as RFC 5322 allows, so that a long List-Unsubscribe address is
# written as it is rather than as encoded words that mail clients would not follow.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


def page_url(endpoint, **values):
    """The absolute address of a page, from a job too (no request): KNOWHOW_BASE_URL + its path."""
    return current_app.config["BASE_URL"] + current_app.url_map.bind("").build(endpoint, values)


def absolute_url(path):
    """A stored path ("/kb/3") as an absolute address; anything else leads to the start page."""
    base = current_app.config["BASE_URL"]
    return base + path if path.startswith("/") and not path.startswith("//") else base + "/"


def recipient_locale(user):
    return user.locale if user.locale in current_app.config["LANGUAGES"] else "en"


def notification_message(notification):
    """The e-mail of one notification sent at once."""
    user = notification.recipient
    locale = recipient_locale(user)
    with force_locale(locale):
        token = unsubscribe_token(user, notification.kind)
        context = {
            "lang": locale, "dir": "rtl" if locale in RTL_LANGUAGES else "ltr",
            "sentence": notification_text(notification), "sentence_html": notification_html(notification),
            "link": absolute_url(notification.url), "kind_label": kind_label(notification.kind),
            "unsubscribe_url": page_url("accounts.unsubscribe", token=token),
            "settings_url": page_url("accounts.notification_settings"),
        }
        subject = _("Knowhow: %(sentence)s", sentence=context["sentence"])
        text = render_template("accounts/mail/notification.txt", **context)
        html = render_template("accounts/mail/notification.html", subject=subject, **context)
    return _message(user, locale, subject, text, html, context["unsubscribe_url"])


def digest_message(user, notifications, total):
    """The daily digest of `user`: the first of `notifications` (of `total`), oldest first."""
    locale = recipient_locale(user)
    listed = notifications[:DIGEST_MAX_ITEMS]
    with force_locale(locale):
        items = [{"text": notification_text(item), "html": notification_html(item),
                  "link": absolute_url(item.url), "created_at": item.created_at} for item in listed]
        kinds = [{"label": kind_label(kind), "unsubscribe_url": page_url(
                  "accounts.unsubscribe", token=unsubscribe_token(user, kind))}
                 for kind in dict.fromkeys(item.kind for item in listed)]
        unsubscribe_url = page_url("accounts.unsubscribe", token=unsubscribe_token(user, DIGEST))
        context = {
            "lang": locale, "dir": "rtl" if locale in RTL_LANGUAGES else "ltr", "items": items,
            "more": total - len(listed), "kinds": kinds, "unsubscribe_url": unsubscribe_url,
            "settings_url": page_url("accounts.notification_settings"),
            "notifications_url": page_url("accounts.notifications"),
        }
        subject = ngettext("Knowhow: your daily digest, %(num)d notification",
                           "Knowhow: your daily digest, %(num)d notifications", total)
        text = render_template("accounts/mail/digest.txt", **context)
        html = render_template("accounts/mail/digest.html", subject=subject, **context)
    return _message(user, locale, subject, text, html, unsubscribe_url)


def _one_line(text, limit):
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _message(user, locale, subject, text, html, unsubscribe_url):
    """An EmailMessage to `user`. :raises ValueError: the stored address cannot be written."""
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = _one_line(subject, SUBJECT_MAX_CHARS)
    message["From"] = sender
    message["To"] = Address(display_name=_one_line(user.name, 80), addr_spec=user.email.strip())
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = "<%s>" % unsubscribe_url
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = locale  # after the parts: set_content moves Content-* into them
    return message
