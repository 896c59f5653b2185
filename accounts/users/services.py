"""User administration: the only code that changes who may see what.

Rules (docs/access.md, "User administration"):

- Only holders of `accounts.change_user` (system administrators) administer
  accounts, and never their own: their own roles, unit, permissions and
  active state are changed by someone else.
- Nobody is made superuser here; superuser accounts are the operator's and
  are not administered by non-superusers.
- Taking access away (removing a role, the protected-data permission,
  deactivating) takes effect at once. Giving access to case data (a role in
  CASE_DATA_ROLES, the protected-data permission, a move to another unit for
  an account holding such a role) becomes an AccessRequest that takes effect
  only when a manager of the unit concerned approves it; that manager is
  neither the requester nor the account holder (the two-person rule).
- Every change is written to the account log (audit.AccountEvent) with who,
  whom, what, before and after. The signals in accounts.users.signals log
  changes made any other way (shell, Django's admin); changes made here are
  logged once, by these functions.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event

from ..models import AccessRequest, AccessRequestKind, AccessRequestState, Unit, User
from ..roles import Role

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet

# Roles whose holders see case data (clients, orders, visits, tenants):
# granting one needs a manager's approval. The system administrator role
# sees no case data (accounts.roles) and is granted directly, logged.
CASE_DATA_ROLES = frozenset({Role.CASE_OFFICER, Role.PILOT, Role.MANAGER, Role.HOUSING_ADMIN})



def protected_permission() -> str:
    """The protected-data permission, "app_label.codename": the one
    permission the user administration gives an account directly (the form's
    "protected" box), and only with a manager's approval like a role that
    sees case data.

    Which permission that is belongs to the app that holds the protected
    people (referrals); accounts sits below it, so that app declares it on
    its AppConfig as `protected_data_permission`, and exactly one app must."""
    declared = [
        config.protected_data_permission
        for config in django_apps.get_app_configs()
        if getattr(config, "protected_data_permission", None)
    ]
    if len(declared) != 1:
        raise ImproperlyConfigured(
            f"Exactly one app must declare AppConfig.protected_data_permission; found {declared or 'none'}."
        )
    return declared[0]


# Set while a service function changes an account, so that the safety-net
# signals (accounts.users.signals) do not log the same change twice.
_in_service: ContextVar[bool] = ContextVar("accounts_users_in_service", default=False)


@contextmanager
def _service_change() -> Iterator[None]:
    token = _in_service.set(True)
    try:
        yield
    finally:
        _in_service.reset(token)


def in_service_change() -> bool:
    return _in_service.get()


class AccountChangeRefused(Exception):
    """A change the rules forbid; the message is shown to the user."""


@dataclass
class ChangeResult:
    applied: list[str] = field(default_factory=list)
    requested: list[AccessRequest] = field(default_factory=list)


def permission_label(dotted: str) -> str:
    if dotted == protected_permission():
        return _("May see protected personal data")
    return dotted


def _roles_text(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "–"


def _permission_object(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _has_direct_permission(user: User, dotted: str) -> bool:
    app_label, codename = dotted.split(".", 1)
    return user.user_permissions.filter(content_type__app_label=app_label, codename=codename).exists()


def holds_protected_permission(user: User) -> bool:
    """Whether the account itself was given the protected-data permission
    (roles never carry it: accounts.tests.test_roles)."""
    return _has_direct_permission(user, protected_permission())


def _check_may_administer(actor: User, subject: User | None = None) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.has_perm("accounts.change_user")):
        raise PermissionDenied
    if subject is None:
        return
    if subject.pk == actor.pk:
        raise AccountChangeRefused(
            _("You cannot change your own roles, unit, permissions or active state. Ask another administrator.")
        )
    if subject.is_superuser and not actor.is_superuser:
        raise AccountChangeRefused(_("Superuser accounts are managed by the operator, not here."))


def _refuse_superuser(superuser: bool) -> None:
    if superuser:
        raise AccountChangeRefused(_("Nobody is made superuser through the user administration."))


def _forget_cached_access(user: User) -> None:
    # has_perm and role_names cache per instance; the next check must see the change.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "role_names", "_acl_token"):
        user.__dict__.pop(attr, None)


def request_grant(ctx: AuditContext, subject: User, *, kind: str, value: str, unit: Unit) -> AccessRequest:
    """File one pending grant (or return the one already pending) and log it."""
    pending = AccessRequest.objects.filter(
        subject=subject, kind=kind, value=value, state=AccessRequestState.PENDING
    ).first()
    if pending is not None:
        return pending
    access_request = AccessRequest.objects.create(
        subject=subject, kind=kind, value=value, unit=unit, requested_by=ctx.user
    )
    log_account_event(
        ctx, subject, AccountEventKind.GRANT_REQUESTED,
        after=f"{access_request.get_kind_display()}: {access_request.value_label}",
        note=_("Waiting for a manager of %(unit)s.") % {"unit": unit},
    )
    return access_request


def _apply_roles(ctx: AuditContext, subject: User, names: set[str], *, note: str = "") -> None:
    before = set(subject.groups.values_list("name", flat=True))
    if before == names:
        return
    subject.groups.set(Group.objects.filter(name__in=names))
    _forget_cached_access(subject)
    log_account_event(
        ctx, subject, AccountEventKind.ROLES_CHANGED, before=_roles_text(before), after=_roles_text(names), note=note
    )


def _apply_permission(ctx: AuditContext, subject: User, dotted: str, granted: bool, *, note: str = "") -> None:
    if _has_direct_permission(subject, dotted) == granted:
        return
    permission = _permission_object(dotted)
    if granted:
        subject.user_permissions.add(permission)
    else:
        subject.user_permissions.remove(permission)
    _forget_cached_access(subject)
    label = permission_label(dotted)
    log_account_event(
        ctx, subject, AccountEventKind.PERMISSIONS_CHANGED,
        before=label if not granted else "–", after=label if granted else "–", note=note,
    )


def _apply_unit(ctx: AuditContext, subject: User, unit: Unit | None, *, note: str = "") -> None:
    if subject.unit_id == (unit.pk if unit else None):
        return
    before = str(subject.unit) if subject.unit_id else "–"
    # Logged before the move, under the old unit, so that its managers see
    # the account leave; the new unit's managers see it through the account
    # (audit.views.account_events).
    log_account_event(ctx, subject, AccountEventKind.UNIT_CHANGED, before=before, after=str(unit) if unit else "–",
                      note=note)
    subject.unit = unit
    subject.save(update_fields=["unit"])


@transaction.atomic
def change_access(
    ctx: AuditContext,
    subject: User,
    *,
    unit: Unit | None,
    roles: set[str],
    protected: bool,
    superuser: bool = False,
) -> ChangeResult:
    """Bring the account's unit, roles and protected-data permission to the
    wanted state: reductions now, grants of case data as requests."""
    actor = ctx.user
    _check_may_administer(actor, subject)
    _refuse_superuser(superuser)
    subject = User.objects.select_for_update().get(pk=subject.pk)
    unknown = set(roles) - set(Role.ALL)
    if unknown:
        raise AccountChangeRefused(_("Unknown role."))
    result = ChangeResult()
    with _service_change():
        current = set(subject.groups.values_list("name", flat=True))
        protected_perm = protected_permission()
        holds_case_data = bool(current & CASE_DATA_ROLES) or _has_direct_permission(subject, protected_perm)

        # Unit. A move gives the case data of the new unit to someone who
        # holds a case-data role, so it waits for that unit's manager.
        target_unit = unit
        if subject.unit_id != (unit.pk if unit else None):
            if unit is not None and holds_case_data and (roles & CASE_DATA_ROLES or protected):
                result.requested.append(
                    request_grant(ctx, subject, kind=AccessRequestKind.UNIT, value=str(unit.pk), unit=unit)
                )
            else:
                _apply_unit(ctx, subject, unit)
                result.applied.append(_("unit"))
        else:
            target_unit = subject.unit

        # Roles: removals and roles without case data now; the rest asked for.
        grants = (roles - current) & CASE_DATA_ROLES
        if grants and target_unit is None:
            raise AccountChangeRefused(_("Choose a unit before giving a role that sees case data."))
        now = (current & roles) | ((roles - current) - CASE_DATA_ROLES)
        if now != current:
            _apply_roles(ctx, subject, now)
            result.applied.append(_("roles"))
        for name in sorted(grants):
            result.requested.append(
                request_grant(ctx, subject, kind=AccessRequestKind.ROLE, value=name, unit=target_unit)
            )

        # The protected-data permission, given directly to the account.
        has_protected = _has_direct_permission(subject, protected_perm)
        if has_protected and not protected:
            _apply_permission(ctx, subject, protected_perm, False)
            result.applied.append(_("permissions"))
        elif protected and not has_protected:
            if target_unit is None:
                raise AccountChangeRefused(_("Choose a unit before giving a role that sees case data."))
            result.requested.append(
                request_grant(ctx, subject, kind=AccessRequestKind.PERMISSION, value=protected_perm,
                              unit=target_unit)
            )

        # Requests the form no longer asks for are withdrawn (as rejected by
        # the administrator), so that a manager cannot approve a stale one.
        wanted = {(r.kind, r.value) for r in result.requested}
        # Identity links are not on this form (accounts.oidc.services).
        for stale in AccessRequest.objects.filter(subject=subject, state=AccessRequestState.PENDING).exclude(
            kind=AccessRequestKind.IDENTITY
        ):
            if (stale.kind, stale.value) not in wanted:
                _withdraw(ctx, stale)
    return result


def _withdraw(ctx: AuditContext, access_request: AccessRequest) -> None:
    # decided_by stays empty: the requester may not decide (the database
    # constraint accounts_accessrequest_two_persons), and nobody approved.
    access_request.record_decision(AccessRequestState.REJECTED, None, _("Withdrawn by the administrator."))
    log_account_event(
        ctx, access_request.subject, AccountEventKind.GRANT_REJECTED,
        before=f"{access_request.get_kind_display()}: {access_request.value_label}",
        note=access_request.decision_note,
    )


@transaction.atomic
def create_user(
    ctx: AuditContext,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    unit: Unit | None,
    roles: set[str],
    protected: bool,
    superuser: bool = False,
) -> tuple[User, ChangeResult]:
    """A new account without a usable password (the holder sets one through
    the password reset by e-mail) and without access to case data until a
    manager approves the requested roles."""
    _check_may_administer(ctx.user)
    _refuse_superuser(superuser)
    with _service_change():
        user = User(username=username, first_name=first_name, last_name=last_name, email=email, unit=unit)
        user.set_unusable_password()
        user.save()
        log_account_event(ctx, user, AccountEventKind.CREATED, after=str(unit) if unit else "–")
    result = change_access(ctx, user, unit=unit, roles=roles, protected=protected)
    return user, result


@transaction.atomic
def set_active(ctx: AuditContext, subject: User, active: bool) -> None:
    """Deactivate (at once: access ends) or reactivate an account. A
    reactivated account gets back the roles it held, which were approved
    when they were granted."""
    _check_may_administer(ctx.user, subject)
    subject = User.objects.select_for_update().get(pk=subject.pk)
    if subject.is_active == active:
        return
    with _service_change():
        subject.is_active = active
        subject.save(update_fields=["is_active"])
        log_account_event(
            ctx, subject, AccountEventKind.ACTIVATED if active else AccountEventKind.DEACTIVATED,
            before=_("active") if not active else _("inactive"),
            after=_("active") if active else _("inactive"),
        )


def may_decide(user: User, access_request: AccessRequest) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm("accounts.decide_accessrequest")
        and user.unit_id == access_request.unit_id
        and user.pk not in (access_request.requested_by_id, access_request.subject_id)
    )


@transaction.atomic
def decide(ctx: AuditContext, access_request: AccessRequest, *, approve: bool, note: str = "") -> AccessRequest:
    """The second person's step: approve (the grant takes effect now) or reject."""
    access_request = AccessRequest.objects.select_for_update().select_related("subject", "unit").get(
        pk=access_request.pk
    )
    if not may_decide(ctx.user, access_request):
        raise PermissionDenied
    if access_request.state != AccessRequestState.PENDING:
        raise AccountChangeRefused(_("This request has already been decided."))
    subject = User.objects.select_for_update().get(pk=access_request.subject_id)
    if approve and access_request.kind != AccessRequestKind.UNIT and subject.unit_id != access_request.unit_id:
        raise AccountChangeRefused(_("The account has moved to another unit since the request. Reject it."))
    if approve and not subject.is_active:
        raise AccountChangeRefused(_("The account is deactivated. Reject the request."))
    access_request.record_decision(
        AccessRequestState.APPROVED if approve else AccessRequestState.REJECTED, ctx.user, note
    )
    what = f"{access_request.get_kind_display()}: {access_request.value_label}"
    requested = _("Requested by %(user)s.") % {"user": access_request.requested_by}
    with _service_change():
        log_account_event(
            ctx, subject, AccountEventKind.GRANT_APPROVED if approve else AccountEventKind.GRANT_REJECTED,
            after=what if approve else "", before="" if approve else what, note=f"{requested} {note}".strip(),
        )
        if approve:
            if access_request.kind == AccessRequestKind.ROLE:
                names = set(subject.groups.values_list("name", flat=True)) | {access_request.value}
                _apply_roles(ctx, subject, names, note=requested)
            elif access_request.kind == AccessRequestKind.PERMISSION:
                _apply_permission(ctx, subject, access_request.value, True, note=requested)
            elif access_request.kind == AccessRequestKind.IDENTITY:
                # The administrator linked an identity at the municipality's
                # login to this account (accounts.oidc.services.link_to_account).
                from ..oidc.services import LinkRefused, complete_approved_link

                try:
                    complete_approved_link(ctx, access_request)
                except LinkRefused as refusal:
                    raise AccountChangeRefused(str(refusal)) from refusal
            else:
                _apply_unit(ctx, subject, access_request.unit, note=requested)
        elif access_request.kind == AccessRequestKind.IDENTITY:
            from ..oidc.services import close_rejected_link

            close_rejected_link(access_request, ctx.user)
    return access_request


def pending_for(user: User) -> QuerySet[AccessRequest]:
    """The pending requests `user` may decide, for the managers' page."""
    if not (user.is_authenticated and user.unit_id and user.has_perm("accounts.decide_accessrequest")):
        return AccessRequest.objects.none()
    return (
        AccessRequest.objects.filter(unit_id=user.unit_id, state=AccessRequestState.PENDING)
        .exclude(requested_by=user)
        .exclude(subject=user)
        .select_related("subject", "requested_by", "unit")
    )
