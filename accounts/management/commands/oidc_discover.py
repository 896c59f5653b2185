"""Print the environment lines for an identity provider, read from its
discovery document, for the operator to put in the environment file:

    manage.py oidc_discover https://login.kommun.se/realms/personal

Endpoints are read once, at setup, rather than at every start: a provider
that is down must not stop Bolots from starting (password logins go on).
"""

import requests
from django.core.management.base import BaseCommand, CommandError

FIELDS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
}


class Command(BaseCommand):
    help = "Print the OIDC_OP_* environment lines from a provider's discovery document."

    def add_arguments(self, parser):
        parser.add_argument("issuer")

    def handle(self, issuer, **options):
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"No discovery document at {url}: {exc}") from exc
        # OpenID Connect Discovery §4.3: the document must name the issuer it
        # was fetched for, or it is not to be used.
        if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
            raise CommandError(f"The document names another issuer: {document.get('issuer')!r}.")
        missing = [key for key in FIELDS.values() if key != "userinfo_endpoint" and not document.get(key)]
        if missing:
            raise CommandError(f"The document lacks {', '.join(missing)}.")
        if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
            self.stderr.write("The provider does not offer RS256: set OIDC_RP_SIGN_ALGO to one it offers.")
        for name, key in FIELDS.items():
            if document.get(key):
                self.stdout.write(f"{name}={document[key]}")
