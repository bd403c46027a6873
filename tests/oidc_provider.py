"""An OpenID provider for the tests, built from Authlib's own server classes (authorization code
grant with PKCE and the OpenID Connect code extension), served by werkzeug in a thread on a free
127.0.0.1 port: discovery, JWKS, authorization, token, userinfo and end-session endpoints,
RS256-signed ID tokens.

A test says who signs in next (`provider.person = {...claims...}`); the authorization endpoint
approves at once and redirects back with a code, as a provider does after its own sign-in page.
`provider.forge_signatures()` signs ID tokens from then on with a key the JWKS does not hold
(same key id); `provider.requests` records what the endpoints were asked.
"""
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Error, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

KEY_ID = "test-key-1"
CLIENT_ID = "knowhow"
CLIENT_SECRET = "knowhow-client-secret"


class Client(ClientMixin):
    """The one registered client: Knowhow, confidential, any redirect URI on 127.0.0.1/localhost."""

    client_id = CLIENT_ID

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(part for part in (scope or "").split() if part in ("openid", "profile", "email", "groups"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(("http://localhost/", "http://localhost:", "http://127.0.0.1"))

    def check_client_secret(self, client_secret):
        return client_secret == CLIENT_SECRET

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, **values):
        self.__dict__.update(values)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Provider:
    """The provider's state and its Flask application; `start()` serves it, `stop()` ends it."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.signing_key = self.key
        self.person = None
        self.groups_in_id_token = True
        self.codes, self.access_tokens, self.requests = {}, {}, []
        self.server = self.thread = None
        self.app = self._make_app()

    @property
    def issuer(self):
        return "http://127.0.0.1:%d" % self.server.server_port

    def forge_signatures(self):
        """Sign ID tokens with another key under the published key id (a forged token)."""
        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})

    def reset(self):
        self.signing_key, self.person, self.groups_in_id_token = self.key, None, True
        self.codes.clear()
        self.access_tokens.clear()
        self.requests.clear()

    def start(self):
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def _claims(self, person, scope, in_id_token):
        """The person's claims for `scope`, and the groups unless they are left out of ID tokens."""
        claims = dict(UserInfo(person).filter(scope))
        if "groups" in person and (self.groups_in_id_token or not in_id_token):
            claims["groups"] = person["groups"]
        return claims

    def _make_app(self):
        provider = self
        app = Flask("test-openid-provider")

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                provider.codes[code] = AuthorizationCode(
                    code=code, client_id=req.client.client_id, redirect_uri=req.payload.redirect_uri,
                    scope=req.scope, person=req.user, nonce=req.payload.data.get("nonce"),
                    auth_time=int(time.time()), code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                return item if item is not None and item.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.signing_key

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": KEY_ID}

            def exists_nonce(self, nonce, req):
                return any(item.nonce == nonce for item in provider.codes.values())

            def generate_user_info(self, person, scope):
                return provider._claims(person, scope, in_id_token=True)

        def save_token(token, req):
            provider.access_tokens[token["access_token"]] = req.user

        server = AuthorizationServer(app, query_client=lambda client_id: Client() if client_id == CLIENT_ID else None,
                                     save_token=save_token)
        server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.issuer
            return jsonify({
                "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks", "userinfo_endpoint": base + "/userinfo",
                "end_session_endpoint": base + "/logout", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            provider.requests.append(("authorize", request.args.to_dict()))
            if request.args.get("code_challenge_method") != "S256":  # this provider insists on PKCE
                return jsonify({"error": "invalid_request"}), 400
            try:
                grant = server.get_consent_grant(end_user=provider.person)
            except OAuth2Error as error:
                return jsonify({"error": error.error}), 400
            return server.create_authorization_response(grant=grant, grant_user=provider.person)

        @app.post("/token")
        def token():
            provider.requests.append(("token", request.form.to_dict()))
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
            person = provider.access_tokens.get(access_token) if scheme.lower() == "bearer" else None
            provider.requests.append(("userinfo", {"known": person is not None}))
            if person is None:
                return jsonify({"error": "invalid_token"}), 401
            return jsonify(provider._claims(person, "openid profile email", in_id_token=False))

        return app
