"""What happens after the provider vouched for a user, and the link between
an account and the provider's identifier. Account-log rows are written here."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.login.services import STAMP_SESSION_KEY, has_second_factor
from accounts.models import (
    OPEN_LINK_STATES,
    AccessRequest,
    AccessRequestKind,
    AccessRequestState,
    IdentityLinkRequest,
    IdentityLinkState,
    User,
)
from accounts.users.services import CASE_DATA_ROLES, holds_protected_permission, request_grant
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
    if subject:
        # A request of the same identity waiting on users:identity_links is
        # answered by this link, whichever way it was made (page or command).
        IdentityLinkRequest.objects.filter(
            issuer=user.oidc_issuer, subject=subject, state__in=OPEN_LINK_STATES
        ).update(
            state=IdentityLinkState.LINKED, account=user, decided_at=timezone.now(),
            decided_by=ctx.user if getattr(ctx.user, "is_authenticated", False) else None,
        )
    # The identifier itself stays out of the log: the issuer says enough.
    log_account_event(
        ctx, user, AccountEventKind.PERMISSIONS_CHANGED, before=before, after=user.oidc_issuer,
        note="identity provider linked" if subject else "identity provider unlinked",
    )


# --- Link requests: an unknown identity, linked on a page (issue 16 §3) ------
#
# A provider login with an identity linked to no account records an
# IdentityLinkRequest; a system administrator (accounts.change_user, the work
# of `manage.py link_oidc_subject`) links it to the person's existing account
# on users:identity_links, or rejects it. The two-person rule applies as to
# any other way into case data: linking gives whoever holds the identity the
# account's access (with strong authentication even without Bolots' second
# step), so a link to an account that sees case data waits for a manager of
# the account's unit who is neither the administrator nor the account holder
# (an AccessRequest of kind IDENTITY, decided on users:access_requests). A
# link to an account without case data (another system administrator) takes
# effect at once. Nobody links an identity to their own account.

NAME_LENGTH = 200
EMAIL_LENGTH = 254


def _claim(claims, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def shown_claims(claims) -> dict[str, str]:
    """The name and e-mail the ID token carries, if any (scopes `profile`
    and `email`): only what helps the administrator recognise the person."""
    name = _claim(claims, "name") or " ".join(
        part for part in (_claim(claims, "given_name"), _claim(claims, "family_name")) if part
    )
    return {"display_name": name[:NAME_LENGTH], "email": _claim(claims, "email")[:EMAIL_LENGTH]}


def record_unknown_identity(issuer: str, subject: str, claims) -> bool:
    """Note a completed provider login whose identity no account has: the
    open request of that identity is refreshed (time, count, name, e-mail),
    or a new one is made while fewer than OIDC_LINK_REQUESTS_MAX are open.
    Returns whether the identity has an open request now."""
    now = timezone.now()
    shown = {key: value for key, value in shown_claims(claims).items() if value}
    open_requests = IdentityLinkRequest.objects.filter(state__in=OPEN_LINK_STATES)
    if open_requests.filter(issuer=issuer, subject=subject).update(
        last_seen_at=now, logins=F("logins") + 1, **shown
    ):
        return True
    # Two logins at once may pass this count together: the limit is a bound
    # on growth, not an exact figure.
    if open_requests.count() >= settings.OIDC_LINK_REQUESTS_MAX:
        return False
    try:
        with transaction.atomic():
            IdentityLinkRequest.objects.create(
                issuer=issuer, subject=subject, first_seen_at=now, last_seen_at=now, **shown
            )
    except IntegrityError:
        pass  # the same identity's other login made it (accounts_identitylinkrequest_one_open)
    return True


def purge_link_requests(now=None) -> int:
    """Nightly (beat `purge-link-requests`): delete the link requests that
    nobody needs any more, OIDC_LINK_REQUESTS_KEEP_DAYS after their last
    event. A request names a person (their name and e-mail at the provider),
    so it is not kept without a purpose: a decided one (linked or rejected)
    is in the account log already (who linked or rejected what, when), and
    an open one whose holder has not logged in again for that long is
    abandoned; keeping it would also hold a place under
    OIDC_LINK_REQUESTS_MAX. A request waiting for a manager's approval is
    kept whatever its age: the access request on the managers' page refers
    to it. Returns how many were deleted (the count only is logged)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OIDC_LINK_REQUESTS_KEEP_DAYS)
    decided = Q(state__in=(IdentityLinkState.LINKED, IdentityLinkState.REJECTED), decided_at__lt=cutoff)
    abandoned = Q(state=IdentityLinkState.PENDING, last_seen_at__lt=cutoff)
    deleted, _by_model = IdentityLinkRequest.objects.filter(decided | abandoned).delete()
    return deleted


class LinkRefused(Exception):
    """The chosen account cannot be linked; the message goes beside the field."""


def _holds_case_data(account: User) -> bool:
    roles = set(account.groups.values_list("name", flat=True))
    return bool(roles & CASE_DATA_ROLES) or holds_protected_permission(account)


def _check_administrator(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.has_perm("accounts.change_user")):
        raise PermissionDenied


@transaction.atomic
def link_to_account(ctx: AuditContext, link_request, account: User):
    """Link the identity of a pending request to `account`. Returns the
    AccessRequest when the link waits for a manager, else None (linked).
    Raises LinkRefused with the reason in Swedish."""
    actor = ctx.user
    _check_administrator(actor)
    link_request = IdentityLinkRequest.objects.select_for_update().get(pk=link_request.pk)
    if link_request.state != IdentityLinkState.PENDING:
        raise LinkRefused(_("This request has already been handled."))
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.pk == actor.pk:
        raise LinkRefused(_("You cannot link an identity to your own account. Ask another administrator."))
    if account.is_superuser and not actor.is_superuser:
        raise LinkRefused(_("Superuser accounts are managed by the operator, not here."))
    if not account.is_active:
        raise LinkRefused(_("The account is deactivated."))
    if account.oidc_subject:
        if account.oidc_issuer == link_request.issuer:
            raise LinkRefused(
                _("The account is already linked to another identity at the municipality's login. "
                  "Remove that link on the account's page first.")
            )
        raise LinkRefused(_("The account is linked to another identity provider. Remove that link first."))
    if User.objects.filter(oidc_issuer=link_request.issuer, oidc_subject=link_request.subject).exists():
        raise LinkRefused(_("This identity is already linked to another account."))
    link_request.account = account
    if _holds_case_data(account):
        if account.unit_id is None:
            raise LinkRefused(_("The account sees case data but has no unit whose manager could approve the link."))
        link_request.state = IdentityLinkState.AWAITING_APPROVAL
        link_request.save(update_fields=["account", "state"])
        return request_grant(
            ctx, account, kind=AccessRequestKind.IDENTITY, value=str(link_request.pk), unit=account.unit
        )
    _apply_link(ctx, link_request, account, decided_by=actor)
    return None


def _apply_link(ctx: AuditContext, link_request, account: User, *, decided_by: User) -> None:
    try:
        link_subject(ctx, account, link_request.issuer, link_request.subject)
    except LinkError as exc:
        raise LinkRefused(_("This identity is already linked to another account.")) from exc
    link_request.account = account
    link_request.state = IdentityLinkState.LINKED
    link_request.decided_by = decided_by
    link_request.decided_at = timezone.now()
    link_request.save(update_fields=["account", "state", "decided_by", "decided_at"])


def complete_approved_link(ctx: AuditContext, access_request) -> None:
    """A manager approved an IDENTITY access request (accounts.users.services.decide):
    the link is made now, if the account and the identity are still free;
    else LinkRefused (the decision is rolled back)."""
    link_request = IdentityLinkRequest.objects.select_for_update().filter(pk=access_request.value).first()
    if link_request is None or link_request.state != IdentityLinkState.AWAITING_APPROVAL:
        raise LinkRefused(_("The login request is no longer waiting. Reject the request."))
    account = User.objects.select_for_update().get(pk=access_request.subject_id)
    if account.oidc_subject:
        raise LinkRefused(_("The account has been linked to another identity since. Reject the request."))
    _apply_link(ctx, link_request, account, decided_by=ctx.user)


def close_rejected_link(access_request, by: User | None) -> None:
    """An IDENTITY access request was rejected or withdrawn: its link request
    is closed too (the person's next login makes a new one)."""
    IdentityLinkRequest.objects.filter(pk=access_request.value, state=IdentityLinkState.AWAITING_APPROVAL).update(
        state=IdentityLinkState.REJECTED, decided_by=by, decided_at=timezone.now()
    )


@transaction.atomic
def reject_link_request(ctx: AuditContext, link_request) -> None:
    """The administrator rejects an open request. One waiting for a manager
    is withdrawn there too, logged on its account; a request with no account
    chosen changes no account, so the request itself keeps who and when."""
    _check_administrator(ctx.user)
    link_request = IdentityLinkRequest.objects.select_for_update().get(pk=link_request.pk)
    if link_request.state not in (IdentityLinkState.PENDING, IdentityLinkState.AWAITING_APPROVAL):
        raise LinkRefused(_("This request has already been handled."))
    waiting = AccessRequest.objects.filter(
        kind=AccessRequestKind.IDENTITY, value=str(link_request.pk), state=AccessRequestState.PENDING
    ).select_related("subject").first()
    if waiting is not None:
        waiting.record_decision(AccessRequestState.REJECTED, None, _("Withdrawn by the administrator."))
        log_account_event(
            ctx, waiting.subject, AccountEventKind.GRANT_REJECTED, before=str(waiting),
            note=_("Withdrawn by the administrator."),
        )
    link_request.state = IdentityLinkState.REJECTED
    link_request.decided_by = ctx.user
    link_request.decided_at = timezone.now()
    link_request.save(update_fields=["state", "decided_by", "decided_at"])


def unlink_account(ctx: AuditContext, account: User) -> None:
    """Remove an account's link (taking a way in away: at once, logged).
    Not one's own, like every other change of one's own account."""
    _check_administrator(ctx.user)
    if account.pk == ctx.user.pk:
        raise LinkRefused(_("You cannot change your own account. Ask another administrator."))
    if account.is_superuser and not ctx.user.is_superuser:
        raise LinkRefused(_("Superuser accounts are managed by the operator, not here."))
    if not account.oidc_subject:
        raise LinkRefused(_("The account is not linked to the municipality's login."))
    link_subject(ctx, account, "", "")
