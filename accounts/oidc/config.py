"""The deployment's OpenID Connect settings, read in one place.

Password + second factor stays the login of deployments without a provider:
everything here answers "off" unless the client and the provider's
endpoints are configured (config/settings.py, block "issue 16 oidc").
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

# Without these the flow cannot run; the user endpoint is not needed (the
# claims Bolots reads come from the signed ID token).
REQUIRED_SETTINGS = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


def is_configured() -> bool:
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def issuer() -> str:
    return settings.OIDC_OP_ISSUER.rstrip("/")


def subject_claim() -> str:
    return settings.OIDC_SUBJECT_CLAIM


def subject_of(claims: Mapping[str, object]) -> str:
    value = claims.get(subject_claim())
    return value if isinstance(value, str) else ""


def strong_authentication(claims: Mapping[str, object]) -> str:
    """What in the ID token asserts strong authentication ("acr=…" or
    "amr=…"), or "" when nothing the deployment trusts does.

    An `acr` counts when it is one of OIDC_STRONG_ACR_VALUES; an `amr` list
    counts when it holds any of OIDC_STRONG_AMR_VALUES (each configured value
    must mean strong on its own, e.g. "mfa", never "pwd"). Both empty: the
    provider's word is never enough and the second step always follows.
    """
    acr = claims.get("acr")
    if isinstance(acr, str) and acr in settings.OIDC_STRONG_ACR_VALUES:
        return f"acr={acr}"
    amr = claims.get("amr")
    if isinstance(amr, str):
        amr = [amr]
    if isinstance(amr, list):
        trusted = [value for value in amr if isinstance(value, str) and value in settings.OIDC_STRONG_AMR_VALUES]
        if trusted:
            return "amr=" + ",".join(trusted)
    return ""


def exempt_from_password_lockout(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: django-axes counts failed passwords; a login
    the provider refused or Bolots could not match is not one. Counted, five
    unlinked newcomers behind the municipality's shared address would lock
    every colleague's provider login there for 15 minutes (django-axes locks
    the address for the user name None). Successful logins stay in axes'
    AccessLog: its login handler does not ask this."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == "accounts:oidc-callback"
