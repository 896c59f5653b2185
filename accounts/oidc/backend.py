"""mozilla-django-oidc's backend, made strict and Bolots-shaped.

- The ID token must be signed with the configured algorithm by a key of the
  provider's JWKS, issued by the configured issuer, for this client (`aud`,
  and `azp` when several audiences), not expired, with the nonce of this
  login. The library itself checks only the signature and the nonce.
- The account is the one a system administrator linked to the provider's
  identifier (User.oidc_issuer, oidc_subject). No account is ever created
  and nothing about roles or unit is taken from the provider; an unknown
  identity becomes a link request (services.record_unknown_identity).
- It answers no permission questions: accounts.backends.RoleAwareModelBackend
  does, so that permissions have one source whichever way a person logged in.

Why a login was refused is left on the request (REFUSAL_ATTR) for the
callback view's Swedish page.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import User
from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event

from . import config, services

logger = logging.getLogger(__name__)

REFUSAL_ATTR = "oidc_refusal"
SUBJECT_ATTR = "oidc_subject"
STRONG_ATTR = "oidc_strong"
LINK_REQUESTED_ATTR = "oidc_link_requested"


class TokenRefused(SuspiciousOperation):
    """The ID token failed a check; the message names which (no claims)."""


class BolotsOIDCBackend(OIDCAuthenticationBackend):
    def get_payload_data(self, token, key):
        # Never an unsigned token, whatever OIDC_ALLOW_UNSECURED_JWT says.
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused("malformed token") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise TokenRefused("unexpected algorithm")
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=config.issuer(),
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRefused("expired token") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRefused("wrong audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRefused("wrong issuer") from exc
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"invalid token ({type(exc).__name__})") from exc
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise TokenRefused("wrong authorized party")
        return payload

    def retrieve_matching_jwk(self, token):
        """The provider's key for this token. The library insists on a `kid`
        header; a token may omit it when the provider publishes one key
        (RFC 7517 §4.5), as small providers do: then that one key, if its
        algorithm fits, else nothing."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused("malformed token") from exc
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, verify=self.get_settings("OIDC_VERIFY_SSL", True),
                                timeout=self.get_settings("OIDC_TIMEOUT", None))
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("alg", header.get("alg")) == header.get("alg")]
        if len(keys) != 1:
            raise TokenRefused("no single key for a token without kid")
        return jwt.PyJWK(keys[0])

    def get_or_create_user(self, access_token, id_token, payload):
        """Find the linked account from the verified ID token alone (no
        userinfo request: nothing else of the provider's is used)."""
        request = self.request
        subject = config.subject_of(payload)
        if not subject:
            raise TokenRefused("no subject claim")
        user = User.objects.filter(oidc_issuer=config.issuer(), oidc_subject=subject).first()
        if user is None:
            setattr(request, REFUSAL_ATTR, "unknown")
            setattr(request, SUBJECT_ATTR, subject)
            # A request for the system administrators to link it (name and
            # e-mail claims only; the token is not kept).
            recorded = services.record_unknown_identity(config.issuer(), subject, payload)
            setattr(request, LINK_REQUESTED_ATTR, recorded)
            logger.warning(
                "OIDC login refused: no account linked to the subject (%s)",
                "link request recorded" if recorded else "link request limit reached",
            )
            return None
        if not user.is_active:
            setattr(request, REFUSAL_ATTR, "inactive")
            log_account_event(
                AuditContext.from_request(request), user, AccountEventKind.LOGIN_FAILED, note="identity provider: inactive"
            )
            logger.warning("OIDC login refused: account %s is inactive", user.pk)
            return None
        setattr(request, STRONG_ATTR, config.strong_authentication(payload))
        return user

    # Permissions are RoleAwareModelBackend's alone (see the module's doc).
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_user(self, user_id):
        # Sessions are bound to RoleAwareModelBackend at login (views); this
        # is only reached for a session bound here, and then an inactive
        # account gets no user, as with ModelBackend.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
