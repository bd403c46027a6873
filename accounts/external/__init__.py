"""Company sign-in: OpenID Connect (oidc.py) and LDAP / Active Directory (ldap.py), the users they
provision and keep in step (provisioning.py, groups.py), and which way a password is checked
(passwords.py)."""


class SignInRefused(Exception):
    """A sign-in that cannot go ahead, with the message to show (translated, lazily)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class ServiceUnavailable(SignInRefused):
    """The identity provider or the directory did not answer, or not as it should: nothing was
    decided about the person, who may try again in a moment."""
