"""A real OpenID Connect provider for the tests: oidc-provider-mock (PyPI),
a Flask/authlib provider, served over HTTP on a free port in a thread.

The Bolots side talks to it over real HTTP (the token request and the JWKS),
exactly as to a municipality's provider; the tests play the browser: they
follow the redirect to the provider, "log in" there as a subject by posting
its authorization form, and follow the redirect back to Bolots' callback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from oidc_provider_mock import run_server_in_thread

CLIENT_ID = "bolots"
CLIENT_SECRET = "bolots-test-secret"

# The provider logs every code it issues with the person's claims (name,
# e-mail) at INFO. Those are the municipality's provider's own logs, not
# Bolots': in the suite they would land in the output that the log watch
# (config/tests/log_watch.py) searches for the test data's names, and a
# claimed name that happens to match one fails the run.
logging.getLogger("oidc_provider_mock").setLevel(logging.WARNING)


@dataclass
class Provider:
    base_url: str

    @property
    def issuer(self) -> str:
        return self.base_url

    def settings(self) -> dict[str, object]:
        """The deployment's settings for this provider (config/settings.py,
        block "issue 16 oidc"), as an operator would copy them from
        <issuer>/.well-known/openid-configuration."""
        discovery = requests.get(f"{self.base_url}/.well-known/openid-configuration", timeout=5).json()
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": discovery["issuer"],
            "OIDC_OP_AUTHORIZATION_ENDPOINT": discovery["authorization_endpoint"],
            "OIDC_OP_TOKEN_ENDPOINT": discovery["token_endpoint"],
            "OIDC_OP_JWKS_ENDPOINT": discovery["jwks_uri"],
            "OIDC_OP_USER_ENDPOINT": discovery["userinfo_endpoint"],
        }

    def set_claims(self, subject: str, **claims: object) -> None:
        """The person `subject` at the provider, with these claims in their
        ID token (acr, amr, ...)."""
        response = requests.put(f"{self.base_url}/users/{subject}", json=claims, timeout=5)
        response.raise_for_status()

    def log_in(self, authorize_url: str, subject: str) -> dict[str, str]:
        """Play the person at the provider's login page: post its form as
        `subject`; returns the query of the redirect back (code, state)."""
        response = requests.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def running_provider(**options):
    """Context manager: a provider on a free port (options of
    oidc_provider_mock.run_server_in_thread, e.g. access_token_max_age)."""
    return run_server_in_thread(port=0, **options)


def provider_for(server) -> Provider:
    return Provider(base_url=f"http://localhost:{server.server_port}")
