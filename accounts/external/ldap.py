"""Sign-in against an LDAP directory or Active Directory (ldap3).

A service account binds (KNOWHOW_LDAP_BIND_DN, or anonymously), finds the one entry the user
filter matches under the base DN, reads the user's groups (the entry's memberOf, or a group
search when KNOWHOW_LDAP_GROUP_FILTER is set), and the password is then checked by binding as
that entry's DN on a second connection. TLS is ldaps:// or StartTLS (KNOWHOW_LDAP_STARTTLS), and
the server's certificate is always checked, against KNOWHOW_LDAP_CA_FILE when given, else the
system's CAs, with its host name. Every connection and answer waits at most
KNOWHOW_LDAP_TIMEOUT_SECONDS: a directory that is down or hangs is ServiceUnavailable within
seconds, and its details go to the log, not to the page.
"""
import logging
import math
import ssl
import uuid
from contextlib import contextmanager, suppress

from flask_babel import lazy_gettext as _l
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from accounts.external import ServiceUnavailable
from accounts.external.provisioning import ExternalIdentity

log = logging.getLogger(__name__)

DIRECTORY_DOWN = _l("The company directory does not answer, so Knowhow cannot check your password. "
                    "Try again in a few minutes; if it goes on, tell your administrator.")
MAX_GROUPS = 1000


class CheckedTls(Tls):
    """ldap3's TLS settings, with the certificate and host name checked by Python's own default
    context during the handshake. (ldap3 2.9.1 checks the name after it, with the deprecated
    ssl.match_hostname, and leaves the TLS socket of a refused name open.)"""

    def wrap_socket(self, connection, do_handshake=False):
        context = ssl.create_default_context(cafile=self.ca_certs_file)
        connection.socket = context.wrap_socket(connection.socket, server_hostname=connection.server.host,
                                                do_handshake_on_connect=do_handshake)


class Directory:
    """The directory of the KNOWHOW_LDAP_* settings."""

    def __init__(self, config):
        self.config = config
        url = config["LDAP_URL"]
        tls = CheckedTls(validate=ssl.CERT_REQUIRED, ca_certs_file=config["LDAP_CA_FILE"] or None)
        self.server = Server(url, use_ssl=url.startswith("ldaps://"), tls=tls, get_info=NONE,
                             connect_timeout=config["LDAP_TIMEOUT_SECONDS"])
        # ldap3 sets the socket's receive timeout in whole seconds.
        self.receive_timeout = max(1, math.ceil(config["LDAP_TIMEOUT_SECONDS"]))

    def authenticate(self, username, password):
        """The identity of the directory's user with these credentials, or None for a wrong
        username or password.

        :raises ServiceUnavailable: the directory is down, slow, refuses the service account or
            fails the certificate check.
        """
        if not username or not password:  # an empty password would be an anonymous bind: "success"
            return None
        try:
            with self._connection(self.config["LDAP_BIND_DN"] or None,
                                  self.config["LDAP_BIND_PASSWORD"] or None) as service:
                if not service.bound:
                    log.error("LDAP: the service account's bind was refused: %s", service.result)
                    raise ServiceUnavailable(DIRECTORY_DOWN)
                entry = self._find_user(service, username)
                if entry is None:
                    return None
                groups = self._groups(service, entry)
            with self._connection(entry["dn"], password) as user:
                if not user.bound:
                    return None
        except LDAPException as error:
            log.error("LDAP: %s at %s: %s", type(error).__name__, self.config["LDAP_URL"], error)
            raise ServiceUnavailable(DIRECTORY_DOWN) from None
        return self._identity(entry, groups, username)

    @contextmanager
    def _connection(self, user, password):
        """A connection opened, with StartTLS when set, and bound (see `.bound`); closed after."""
        connection = Connection(self.server, user=user, password=password, read_only=True,
                                receive_timeout=self.receive_timeout,
                                raise_exceptions=False, auto_referrals=False)
        try:
            connection.open()
            if self.config["LDAP_STARTTLS"] and not self.config["LDAP_URL"].startswith("ldaps://"):
                connection.start_tls()
            connection.bind()
            yield connection
        finally:
            with suppress(LDAPException):  # the socket is gone already (a timeout, a refused StartTLS)
                connection.unbind()
            if connection.socket is not None:
                connection.socket.close()  # ldap3 keeps the socket of a connection that failed to open

    def _search(self, connection, base, search_filter, attributes, size_limit):
        connection.search(base, search_filter, SUBTREE, attributes=attributes, size_limit=size_limit,
                          time_limit=self.receive_timeout)
        if connection.result["description"] not in ("success", "sizeLimitExceeded"):
            log.error("LDAP: a search under %s failed: %s", base, connection.result)
            raise ServiceUnavailable(DIRECTORY_DOWN)
        return [item for item in connection.response or () if item.get("type") == "searchResEntry"]

    def _find_user(self, connection, username):
        config = self.config
        attributes = [name for name in (config["LDAP_USERNAME_ATTRIBUTE"], config["LDAP_NAME_ATTRIBUTE"],
                                        config["LDAP_EMAIL_ATTRIBUTE"], config["LDAP_LOCALE_ATTRIBUTE"],
                                        config["LDAP_ID_ATTRIBUTE"]) if name]
        if not config["LDAP_GROUP_FILTER"]:
            attributes.append("memberOf")
        search_filter = config["LDAP_USER_FILTER"].replace("{username}", escape_filter_chars(username))
        entries = self._search(connection, config["LDAP_BASE_DN"], search_filter, attributes, 2)
        if len(entries) > 1:
            log.warning("LDAP: the user filter matches several entries for %r; none signs in", username)
        return entries[0] if len(entries) == 1 else None

    def _groups(self, connection, entry):
        config = self.config
        if not config["LDAP_GROUP_FILTER"]:
            return tuple(_text(value) for value in _values(entry, "memberOf")[:MAX_GROUPS])
        search_filter = config["LDAP_GROUP_FILTER"].replace("{dn}", escape_filter_chars(entry["dn"]))
        found = self._search(connection, config["LDAP_GROUP_BASE_DN"] or config["LDAP_BASE_DN"],
                             search_filter, ["cn"], MAX_GROUPS)
        return tuple(item["dn"] for item in found)

    def _identity(self, entry, groups, typed_username):
        config = self.config

        def first(attribute):
            values = _values(entry, attribute) if attribute else []
            return _text(values[0]) if values else ""

        id_values = _values(entry, config["LDAP_ID_ATTRIBUTE"])
        subject = _entry_id(config["LDAP_ID_ATTRIBUTE"], id_values[0]) if id_values else entry["dn"].lower()
        return ExternalIdentity(source="ldap", subject=subject,
                                username=first(config["LDAP_USERNAME_ATTRIBUTE"]) or typed_username,
                                display_name=first(config["LDAP_NAME_ATTRIBUTE"]),
                                email=first(config["LDAP_EMAIL_ATTRIBUTE"]),
                                locale=first(config["LDAP_LOCALE_ATTRIBUTE"]), groups=groups)


def _values(entry, attribute):
    """The raw values of an entry's attribute (any case of its name), as bytes."""
    for name, values in (entry.get("raw_attributes") or {}).items():
        if name.lower() == attribute.lower():
            return list(values)
    return []


def _text(raw):
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _entry_id(attribute, raw):
    """An entry's id as text: Active Directory's objectGUID (16 bytes) as its GUID, others as the
    text they are (OpenLDAP's entryUUID)."""
    if attribute.lower() == "objectguid" and isinstance(raw, bytes) and len(raw) == 16:
        return str(uuid.UUID(bytes_le=raw))
    try:
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    except UnicodeDecodeError:
        return raw.hex()
