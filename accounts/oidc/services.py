"""What happens after the provider vouched for a user, and the link between
an account and the provider's identifier. Account-log rows are written here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.login.services import STAMP_SESSION_KEY, has_second_factor
from accounts.models import User
from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event

if TYPE_CHECKING:
    from django.http import HttpRequest

# Stands in the session where a second-factor device's id would: a session
# verified by the provider's strong authentication, not by a Bolots device.
# accounts.login.services.is_verified accepts any value together with the
# account's security stamp, so a device reset or password change ends these
# sessions' verification too. Not a django-otp persistent id
# ("app_label.model/pk"), so django-otp finds no device behind it.
STRONG_AUTH_SESSION_MARKER = "oidc/strong-authentication"


def mark_strongly_authenticated(request: HttpRequest, user: User, strong: str) -> None:
    """The provider asserted strong authentication: the session counts as
    past the second step, and the login is logged as a second step is."""
    request.session.cycle_key()
    request.session[DEVICE_ID_SESSION_KEY] = STRONG_AUTH_SESSION_MARKER
    request.session[STAMP_SESSION_KEY] = user.security_stamp
    log_account_event(AuditContext.from_request(request), user, AccountEventKind.LOGIN, note=f"identity provider ({strong})")


def next_step(user: User) -> str:
    """URL name of the step after a login the provider did not make strong:
    the same as after a password."""
    return "accounts:verify" if has_second_factor(user) else "accounts:enrol"


class LinkError(Exception):
    pass


@transaction.atomic
def link_subject(ctx: AuditContext, user: User, issuer: str, subject: str) -> None:
    """Link (or, with an empty subject, unlink) an account to the provider's
    identifier of its holder. The account's roles and unit are untouched:
    the link only says who may use the account, as a password would."""
    before = "linked" if user.oidc_subject else ""
    user.oidc_issuer = issuer.rstrip("/") if subject else ""
    user.oidc_subject = subject
    try:
        with transaction.atomic():
            user.save(update_fields=["oidc_issuer", "oidc_subject"])
    except IntegrityError as exc:
        raise LinkError("the identifier is already linked to another account") from exc
    # The identifier itself stays out of the log: the issuer says enough.
    log_account_event(
        ctx, user, AccountEventKind.PERMISSIONS_CHANGED, before=before, after=user.oidc_issuer,
        note="identity provider linked" if subject else "identity provider unlinked",
    )
