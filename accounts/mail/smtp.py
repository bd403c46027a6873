"""Handing a message to the SMTP server of KNOWHOW_SMTP_URL (smtplib).

`smtp://[user:password@]host[:port]` speaks plain SMTP and upgrades with StartTLS (refusing a
server that does not offer it) unless KNOWHOW_SMTP_STARTTLS is off; `smtps://` speaks TLS from
the first byte. Certificates are checked against the system's authorities, or KNOWHOW_SMTP_CA_FILE.
KNOWHOW_SMTP_USERNAME and KNOWHOW_SMTP_PASSWORD win over the URL's (passwords with `@` or `:`).
"""
import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class MailNotSent(Exception):
    """The server did not take the message; `permanent` when trying again cannot help (5xx)."""

    def __init__(self, reason, permanent=False):
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None
    ca_file: str | None
    timeout: float


def smtp_settings(config):
    """The SMTP server of `config`, or None when e-mail is not set up."""
    url = config.get("SMTP_URL")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("KNOWHOW_SMTP_URL must look like smtp://host:587 or smtps://host:465")
    implicit_tls = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname, port=parts.port or (465 if implicit_tls else 25), implicit_tls=implicit_tls,
        starttls=not implicit_tls and bool(config.get("SMTP_STARTTLS", True)),
        username=config.get("SMTP_USERNAME") or (unquote(parts.username) if parts.username else None),
        password=config.get("SMTP_PASSWORD") or (unquote(parts.password) if parts.password else None),
        ca_file=config.get("SMTP_CA_FILE"), timeout=float(config.get("SMTP_TIMEOUT", 10)))


def mail_is_set_up(config):
    return bool(config.get("SMTP_URL"))


def send_message(settings, message):
    """Hand `message` (an EmailMessage with its recipients in To) to the server.

    :raises MailNotSent: the connection failed or the server refused; permanent for a 5xx.
    """
    try:
        with _connect(settings) as server:
            refused = server.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        raise MailNotSent(_describe(error.recipients), permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as error:
        raise MailNotSent("%d %s" % (error.smtp_code, _text(error.smtp_error)),
                          permanent=error.smtp_code >= 500) from None
    except (smtplib.SMTPException, OSError) as error:  # refused connection, timeout, TLS, hang-up
        raise MailNotSent("%s: %s" % (type(error).__name__, error)) from None
    if refused:  # some of several recipients; Knowhow sends to one at a time
        raise MailNotSent(_describe(refused), permanent=True)


def _connect(settings):
    context = ssl.create_default_context(cafile=settings.ca_file)
    if settings.implicit_tls:
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            server.starttls(context=context)  # SMTPNotSupportedError when not offered: never in clear
        if settings.username:
            server.login(settings.username, settings.password or "")
    except BaseException:
        server.close()
        raise
    return server


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(recipients):
    return "; ".join("%s: %d %s" % (address, code, _text(reply)) for address, (code, reply) in recipients.items())
