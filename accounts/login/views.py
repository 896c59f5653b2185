"""Login (password, then second factor), enrolment, passwords, unlocks.

Thin views: the rules and the account log live in services and throttle.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp_webauthn.utils import get_credential_model

from accounts.forms import LoginForm
from accounts.models import User
from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event
from core.client_ip import client_ip

from . import services, throttle
from .forms import CodeForm, EnrolForm, ResetRequestForm, SwedishPasswordResetForm
from .middleware import second_factor_exempt


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _with_next(url, request):
    target = request.POST.get("next") or request.GET.get("next")
    return f"{url}?{urlencode({'next': target})}" if target else url


def _has_passkey(user):
    return get_credential_model().objects.filter(user=user, confirmed=True).exists()


class LoginView(auth_views.LoginView):
    """Step one: the password. Then the second step (or enrolment)."""

    second_factor_exempt = True
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        reason = throttle.blocked(request.POST.get("username", "")[:150], client_ip(request))
        if reason:
            subject = User.objects.filter(username=request.POST.get("username", "")[:150]).first()
            if subject is not None:
                log_account_event(AuditContext.from_request(request), subject, AccountEventKind.LOCKED_OUT, note=f"{reason} limit")
            return render(request, "accounts/login/throttled.html", {"reason": reason}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # A wrong password for an existing account goes to its account log
        # (the limits count django-axes' rows; this is for the review).
        subject = User.objects.filter(username=self.request.POST.get("username", "")[:150]).first()
        if subject is not None:
            log_account_event(AuditContext.from_request(self.request), subject, AccountEventKind.LOGIN_FAILED, note="password")
        return super().form_invalid(form)

    def form_valid(self, form):
        super().form_valid(form)
        user = form.get_user()
        step = "accounts:verify" if services.has_second_factor(user) else "accounts:enrol"
        return HttpResponseRedirect(_with_next(reverse(step), self.request))


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"
    second_factor_exempt = True


@second_factor_exempt
@never_cache
@login_required
def verify(request):
    """Step two: a code from the app, a backup code, or a passkey."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not services.has_second_factor(user):
        return redirect(_with_next(reverse("accounts:enrol"), request))
    locked = services.is_locked(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not locked and form.is_valid():
        if services.verify_code(request, form.cleaned_data["code"]):
            return redirect(_next_url(request))
        locked = services.is_locked(user)
        if not locked:
            left = settings.SECOND_FACTOR_FAILURE_LIMIT - user.second_factor_failures
            form.add_error("code", _("Wrong code. %(left)s attempts left before the second step is locked.") % {"left": left})
    status = 403 if locked else 200
    return render(
        request,
        "accounts/login/verify.html",
        {"form": form, "locked": locked, "has_passkey": _has_passkey(user), "next": request.GET.get("next", "")},
        status=status,
    )


@second_factor_exempt
@never_cache
@login_required
def enrol(request):
    """First login: connect an authenticator app (or a passkey)."""
    user = request.user
    if services.has_second_factor(user):
        return redirect(_with_next(reverse("accounts:verify"), request))
    device = services.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = services.confirm_totp(request, device, form.cleaned_data["code"])
        if enrolment is not None:
            return render(
                request,
                "accounts/login/backup_codes.html",
                {"codes": enrolment.backup_codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", _("The code did not match. Check the time on your phone and enter the code now shown."))
    return render(
        request,
        "accounts/login/enrol.html",
        {
            "form": form,
            "qr_svg": services.qr_svg(device),
            "secret": services.grouped(services.totp_secret(device)),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def security(request):
    """The user's own page: second factors, backup codes, password."""
    from django_otp.plugins.otp_static.models import StaticToken

    user = request.user
    return render(
        request,
        "accounts/login/security.html",
        {
            "has_app": user.totpdevice_set.filter(confirmed=True).exists(),
            "passkeys": list(get_credential_model().objects.filter(user=user, confirmed=True)),
            "backup_codes_left": StaticToken.objects.filter(device__user=user).count(),
        },
    )


@never_cache
@login_required
@require_POST
def backup_codes(request):
    codes = services.new_backup_codes(request, request.user)
    return render(request, "accounts/login/backup_codes.html", {"codes": codes, "next": reverse("accounts:security")})


# --- Passwords -------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/login/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form):
        user = form.save()
        services.password_changed(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/login/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and always answers the same, so that the
    page never tells whether an address has an account."""

    second_factor_exempt = True
    form_class = SwedishPasswordResetForm
    template_name = "accounts/login/password_reset.html"
    email_template_name = "accounts/login/password_reset_email.txt"
    subject_template_name = "accounts/login/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form):
        ctx = AuditContext.from_request(self.request)
        for user in form.get_users(form.cleaned_data["email"]):
            log_account_event(ctx, user, AccountEventKind.PASSWORD_RESET_REQUESTED)
        return super().form_valid(form)

    @property
    def extra_email_context(self):
        # The link points at SITE_URL, never at the Host header of the
        # request, which a sender could choose.
        return {"site_url": settings.SITE_URL, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    second_factor_exempt = True
    template_name = "accounts/login/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link's page. The reset logs nobody in (post_reset_login is off):
    the next login asks for the password and then the second factor."""

    second_factor_exempt = True
    template_name = "accounts/login/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset(self.request, form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    second_factor_exempt = True
    template_name = "accounts/login/password_reset_complete.html"


# --- Unlocks and two-person reset (system administrator, manager) -------------


def _may_administer(user):
    return user.has_perm("accounts.change_user")


def _may_approve(user):
    return user.has_perm("accounts.approve_secondfactorreset")


@never_cache
@login_required
def locks(request):
    """Locked logins and second-factor resets: system administrators unlock
    and ask for resets; managers approve resets of their unit's accounts."""
    user = request.user
    admin, approver = _may_administer(user), _may_approve(user)
    if not (admin or approver):
        raise PermissionDenied
    pending = services.SecondFactorReset.objects.filter(status="pending").select_related("subject", "requested_by")
    if not admin:
        pending = pending.filter(subject__unit_id=user.unit_id)
    context = {
        "admin": admin,
        "approver": approver,
        "pending": [(reset, services.may_approve(user, reset)) for reset in pending],
    }
    if admin:
        context.update(
            password_locked=throttle.locked_usernames(),
            factor_locked=list(User.objects.filter(second_factor_locked_at__isnull=False)),
            reset_form=ResetRequestForm(requester=user),
        )
    return render(request, "accounts/login/locks.html", context)


@login_required
@require_POST
def unlock_password(request):
    if not _may_administer(request.user):
        raise PermissionDenied
    username = request.POST.get("username", "")[:150]
    throttle.unlock(username)
    subject = User.objects.filter(username=username).first()
    if subject is not None:
        log_account_event(AuditContext.from_request(request), subject, AccountEventKind.UNLOCKED, note="password")
    messages.success(request, _("The login is unlocked."))
    return redirect("accounts:login-locks")


@login_required
@require_POST
def unlock_second_factor(request, user_id):
    if not _may_administer(request.user):
        raise PermissionDenied
    subject = get_object_or_404(User, pk=user_id)
    services.unlock_second_factor(AuditContext.from_request(request), subject)
    messages.success(request, _("The second step is unlocked."))
    return redirect("accounts:login-locks")


@login_required
@require_POST
def request_reset(request):
    if not _may_administer(request.user):
        raise PermissionDenied
    form = ResetRequestForm(request.POST, requester=request.user)
    if form.is_valid():
        try:
            services.request_reset(AuditContext.from_request(request), form.cleaned_data["user"], form.cleaned_data["reason"])
        except services.ResetError:
            messages.error(request, _("A reset of this account is already waiting for approval."))
        else:
            messages.success(request, _("The reset waits for a manager of the account's unit to approve it."))
    else:
        messages.error(request, _("Choose an account and give a reason."))
    return redirect("accounts:login-locks")


@login_required
@require_POST
def approve_reset(request, reset_id):
    reset = get_object_or_404(services.SecondFactorReset.objects.select_related("subject"), pk=reset_id)
    if not services.may_approve(request.user, reset):
        # A manager of another unit, the requester, or a role without the
        # permission: nothing to see here.
        raise PermissionDenied
    try:
        services.approve_reset(AuditContext.from_request(request), reset)
    except services.ResetError:
        messages.error(request, _("The reset is no longer waiting for approval."))
    else:
        messages.success(request, _("The second factor is reset. The user enrols again at the next login."))
    return redirect("accounts:login-locks")
