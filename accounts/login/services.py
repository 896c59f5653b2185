"""Second factor and login services: every change here is written to the
account log (audit.AccountEvent) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User, new_security_stamp
from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event

from .models import SecondFactorReset

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp.models import Device

# Session key holding the security stamp a session was verified with.
STAMP_SESSION_KEY = "second_factor_stamp"
BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "backup"


def confirmed_devices(user: User) -> list[Device]:
    """All confirmed second-factor devices (TOTP, backup codes, passkeys)."""
    from django_otp import devices_for_user

    return list(devices_for_user(user, confirmed=True))


def has_second_factor(user: User) -> bool:
    """Enrolled means an authenticator app or a passkey; backup codes alone
    are a fallback, not an enrolment."""
    return any(not isinstance(device, StaticDevice) for device in confirmed_devices(user))


def is_verified(request: HttpRequest) -> bool:
    """The session passed the second factor for the account as it is now."""
    user = request.user
    session = request.session
    return (
        user.is_authenticated
        and bool(session.get(DEVICE_ID_SESSION_KEY))
        and session.get(STAMP_SESSION_KEY) == user.security_stamp
    )


def mark_verified(request: HttpRequest, device: Device) -> None:
    """Record in the session that `device` verified the user; a new session
    key, so that a key seen before the second step is worthless after it."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[STAMP_SESSION_KEY] = request.user.security_stamp


def is_locked(user: User) -> bool:
    return user.second_factor_locked_at is not None


@transaction.atomic
def record_failure(request: HttpRequest, user: User) -> bool:
    """Count a failed second step; lock at the limit. True when now locked."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.second_factor_failures += 1
    ctx = AuditContext.from_request(request)
    log_account_event(ctx, user, AccountEventKind.LOGIN_FAILED, note="second factor")
    locked = user.second_factor_failures >= settings.SECOND_FACTOR_FAILURE_LIMIT
    if locked and user.second_factor_locked_at is None:
        user.second_factor_locked_at = timezone.now()
        log_account_event(ctx, user, AccountEventKind.LOCKED_OUT, note="second factor")
    user.save(update_fields=["second_factor_failures", "second_factor_locked_at"])
    request.user.second_factor_failures = user.second_factor_failures
    request.user.second_factor_locked_at = user.second_factor_locked_at
    return locked


@transaction.atomic
def record_success(request: HttpRequest, device: Device, *, method: str) -> None:
    user = request.user
    if user.second_factor_failures:
        User.objects.filter(pk=user.pk).update(second_factor_failures=0)
        user.second_factor_failures = 0
    mark_verified(request, device)
    log_account_event(AuditContext.from_request(request), user, AccountEventKind.LOGIN, note=method)


def verify_code(request: HttpRequest, code: str) -> Device | None:
    """Check a TOTP code or a backup code. Returns the device or None; a
    locked account is refused before any code is checked."""
    user = request.user
    if is_locked(user):
        return None
    code = "".join(code.split())
    device = match_token(user, code) if code else None
    if device is None:
        record_failure(request, user)
        return None
    method = "backup code" if isinstance(device, StaticDevice) else "authenticator app"
    record_success(request, device, method=method)
    return device


# --- Enrolment ---------------------------------------------------------------


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first use, so that
    reloading the enrolment page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG, drawn here: the secret never
    leaves the server for a QR service."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]


@transaction.atomic
def confirm_totp(request: HttpRequest, device: TOTPDevice, code: str) -> Enrolment | None:
    """Confirm the app by one correct code, give ten backup codes, verify."""
    code = "".join(code.split())
    if not code or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    ctx = AuditContext.from_request(request)
    log_account_event(ctx, device.user, AccountEventKind.SECOND_FACTOR_ENROLLED, after="authenticator app")
    codes = new_backup_codes(request, device.user)
    mark_verified(request, device)
    return Enrolment(device=device, backup_codes=codes)


@transaction.atomic
def new_backup_codes(request: HttpRequest, user: User) -> list[str]:
    """Replace the user's backup codes by ten new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    log_account_event(
        AuditContext.from_request(request), user, AccountEventKind.BACKUP_CODES_CREATED, after=str(BACKUP_CODE_COUNT)
    )
    return codes


def log_passkey_added(request: HttpRequest, device: Device) -> None:
    log_account_event(AuditContext.from_request(request), request.user, AccountEventKind.SECOND_FACTOR_ENROLLED, after="passkey")


def passkey_enrolled(request: HttpRequest, device: Device) -> None:
    log_account_event(AuditContext.from_request(request), request.user, AccountEventKind.SECOND_FACTOR_ENROLLED, after="passkey")
    mark_verified(request, device)


# --- Unlock and two-person reset -------------------------------------------


@transaction.atomic
def unlock_second_factor(ctx: AuditContext, subject: User) -> None:
    User.objects.filter(pk=subject.pk).update(second_factor_failures=0, second_factor_locked_at=None)
    log_account_event(ctx, subject, AccountEventKind.UNLOCKED, note="second factor")


class ResetError(Exception):
    pass


@transaction.atomic
def request_reset(ctx: AuditContext, subject: User, reason: str) -> SecondFactorReset:
    if ctx.user.pk == subject.pk:
        raise ResetError("own account")
    if SecondFactorReset.objects.filter(subject=subject, status=SecondFactorReset.Status.PENDING).exists():
        raise ResetError("pending")
    reset = SecondFactorReset.objects.create(subject=subject, requested_by=ctx.user, reason=reason[:300])
    log_account_event(ctx, subject, AccountEventKind.SECOND_FACTOR_RESET_REQUESTED, note=reason)
    return reset


def may_approve(user: User, reset: SecondFactorReset) -> bool:
    return (
        user.has_perm("accounts.approve_secondfactorreset")
        and user.unit_id is not None
        and user.unit_id == reset.subject.unit_id
        and user.pk not in (reset.requested_by_id, reset.subject_id)
    )


@transaction.atomic
def approve_reset(ctx: AuditContext, reset: SecondFactorReset) -> None:
    """The second person approves: every device goes, the account's other
    sessions lose their verification, the next login enrols anew."""
    reset = SecondFactorReset.objects.select_for_update().select_related("subject").get(pk=reset.pk)
    if reset.status != SecondFactorReset.Status.PENDING or not may_approve(ctx.user, reset):
        raise ResetError("not allowed")
    subject = reset.subject
    before = ", ".join(sorted(type(device).__name__ for device in confirmed_devices(subject)))
    for device in confirmed_devices(subject):
        device.delete()
    TOTPDevice.objects.filter(user=subject).delete()
    User.objects.filter(pk=subject.pk).update(
        security_stamp=new_security_stamp(), second_factor_failures=0, second_factor_locked_at=None
    )
    reset.status = SecondFactorReset.Status.APPROVED
    reset.decided_by = ctx.user
    reset.decided_at = timezone.now()
    reset.save(update_fields=["status", "decided_by", "decided_at"])
    log_account_event(ctx, subject, AccountEventKind.SECOND_FACTOR_RESET, before=before, after="", note=reset.reason)


@transaction.atomic
def cancel_reset(ctx: AuditContext, reset: SecondFactorReset) -> None:
    SecondFactorReset.objects.filter(pk=reset.pk, status=SecondFactorReset.Status.PENDING).update(
        status=SecondFactorReset.Status.CANCELLED, decided_by=ctx.user, decided_at=timezone.now()
    )
    log_account_event(ctx, reset.subject, AccountEventKind.SECOND_FACTOR_RESET, note="cancelled")


# --- Passwords -----------------------------------------------------------------


def password_changed(request: HttpRequest, user: User) -> None:
    """After a change: other sessions end (Django's session hash, and a new
    stamp for the second factor); this session stays verified."""
    User.objects.filter(pk=user.pk).update(security_stamp=new_security_stamp())
    user.refresh_from_db(fields=["security_stamp"])
    update_session_auth_hash(request, user)
    if request.session.get(DEVICE_ID_SESSION_KEY):
        request.session[STAMP_SESSION_KEY] = user.security_stamp
    log_account_event(AuditContext.from_request(request), user, AccountEventKind.PASSWORD_CHANGED)


def password_reset(request: HttpRequest, user: User) -> None:
    """A reset through the e-mail link: nothing is logged in; the next
    login still asks for the second factor."""
    User.objects.filter(pk=user.pk).update(security_stamp=new_security_stamp())
    log_account_event(AuditContext.from_request(request), user, AccountEventKind.PASSWORD_RESET)
