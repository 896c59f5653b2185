import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .two_person import TwoPersonRequest


class Unit(models.Model):
    """An organisational unit (enhet) of the social services.

    Case officers and managers see the clients of their own unit; national
    deployments hold many units.
    """

    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["municipality", "name"]
        constraints = [
            # The demo data's unit step (accounts.demo.seed) finds existing
            # units by (municipality, name) so that a second run adds none;
            # the unit pickers (accounts.users.forms) show only __str__.
            models.UniqueConstraint(
                fields=["municipality", "name"], name="accounts_unit_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class UserQuerySet(models.QuerySet):
    def with_role(self, role):
        return self.filter(groups__name=role, is_active=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


def new_security_stamp():
    return secrets.token_hex(16)


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    # Second factor (accounts.login). A session is verified only while it
    # carries the stamp it was verified with; changing the stamp (device
    # reset, password change or reset, deactivation) ends the verification
    # of every other session at once, without a query per request.
    security_stamp = models.CharField(_("security stamp"), max_length=32, default=new_security_stamp, editable=False)
    second_factor_failures = models.PositiveSmallIntegerField(_("failed second-factor attempts"), default=0)
    second_factor_locked_at = models.DateTimeField(_("second factor locked"), null=True, blank=True)
    # Failed passwords before this time do not count towards the per-account
    # limit (accounts.login.throttle): set when an administrator unlocks.
    login_unlocked_at = models.DateTimeField(_("login unlocked"), null=True, blank=True)
    # The user's home address, optional, for one rule of the monthly log
    # review (logreview.rules.same_name_or_address: a read of a client who
    # lives at the user's address). Entered by the system administrator in
    # user administration; never shown outside it.
    home_street_address = models.CharField(_("home street address"), max_length=200, blank=True)
    home_postal_code = models.CharField(_("home postal code"), max_length=10, blank=True)
    # Login through the municipality's identity provider (accounts.oidc):
    # the provider's stable identifier of this person (the claim named by
    # OIDC_SUBJECT_CLAIM, `sub` by default) and the provider that issued it.
    # Set by a system administrator (manage.py link_oidc_subject), never from
    # the provider itself; empty for password-only accounts.
    oidc_issuer = models.CharField(_("identity provider"), max_length=255, blank=True, editable=False)
    oidc_subject = models.CharField(_("identity at the provider"), max_length=255, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            # One account per person at one provider: accounts.oidc.backend
            # finds the account by (issuer, subject) and refuses when unsure.
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"],
                condition=~models.Q(oidc_subject=""),
                name="accounts_user_unique_oidc_subject",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self):
        """Names of the user's role groups: from the per-user cache, with the
        permissions (accounts.permission_cache, accounts.backends)."""
        if not self.is_active or self.pk is None:
            return frozenset()
        from .permission_cache import roles_and_permissions

        return roles_and_permissions(self)[0]

    def has_role(self, role):
        return role in self.role_names

    @property
    def is_case_officer(self):
        return self.has_role(Role.CASE_OFFICER)

    @property
    def is_pilot(self):
        return self.has_role(Role.PILOT)

    @property
    def is_manager(self):
        return self.has_role(Role.MANAGER)


class Notification(models.Model):
    """An in-app message to one user (also e-mailed, see accounts.notifications).

    The text goes out by e-mail, so it must never carry personal data: say
    what happened and link to it ("Uppdrag #12 har accepterats").
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every page counts the user's unread notifications
            # (accounts.context_processors.navigation) and the notifications
            # page marks them read (accounts.views.notifications).
            models.Index(fields=["user", "read_at"], name="accounts_notification_user_idx"),
        ]

    def __str__(self):
        return self.text


class AccessRequestKind(models.TextChoices):
    ROLE = "role", _("Role")
    PERMISSION = "permission", _("Permission")
    UNIT = "unit", _("Unit")
    # Linking an identity at the municipality's provider to an account that
    # sees case data (accounts.oidc.services.link_to_account); value: the
    # IdentityLinkRequest's id.
    IDENTITY = "identity", _("Login through the municipality's login")


class AccessRequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccessRequest(TwoPersonRequest):
    """A grant of access to case data waiting for a second person.

    A system administrator asks (a role that sees case data, the
    protected-data permission, or a move to another unit for someone who
    holds such a role); it takes effect only when a manager of `unit`, who is
    neither the requester nor the account holder, approves it
    (accounts.users.services). Both steps are written to the account log.
    """

    subject = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, related_name="access_requests"
    )
    # The unit whose manager decides: the account's unit for a role or a
    # permission, the new unit for a move.
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="access_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=AccessRequestKind.choices)
    # A role name, a permission "app_label.codename", or the new unit's id.
    value = models.CharField(_("what"), max_length=150)
    # requested_by, requested_at, decided_by, decided_at, decision_note: TwoPersonRequest.
    state = models.CharField(
        _("state"), max_length=20, choices=AccessRequestState.choices, default=AccessRequestState.PENDING
    )

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["requested_at", "id"]
        permissions = [("decide_accessrequest", _("Can approve or reject access requests for the own unit"))]
        constraints = [
            # accounts.users.services.request_grant relies on this to keep one
            # pending request per grant (a second submit of the form adds none).
            models.UniqueConstraint(
                fields=["subject", "kind", "value"],
                condition=models.Q(state="pending"),
                name="accounts_accessrequest_one_pending",
            ),
            # The two-person rule in the database: the decider is neither
            # the requester nor the account holder (services.decide checks
            # it first, with a message; this catches any other path).
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("subject"))),
                name="accounts_accessrequest_two_persons",
            ),
        ]
        indexes = [
            # The managers' page lists a unit's pending requests
            # (accounts.users.services.pending_for, views.access_requests).
            models.Index(fields=["unit", "state"], name="accounts_accessreq_unit_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value_label}"

    @property
    def value_label(self):
        if self.kind == AccessRequestKind.UNIT:
            return str(self.unit)
        if self.kind == AccessRequestKind.PERMISSION:
            from .users.services import permission_label

            return permission_label(self.value)
        if self.kind == AccessRequestKind.IDENTITY:
            link = IdentityLinkRequest.objects.filter(pk=self.value).first()
            return link.label if link is not None else self.value
        return self.value


class IdentityLinkState(models.TextChoices):
    PENDING = "pending", _("Waiting for a system administrator")
    AWAITING_APPROVAL = "approval", _("Waiting for a manager's approval")
    LINKED = "linked", _("Linked")
    REJECTED = "rejected", _("Rejected")


OPEN_LINK_STATES = (IdentityLinkState.PENDING, IdentityLinkState.AWAITING_APPROVAL)


class IdentityLinkRequest(models.Model):
    """Someone logged in at the municipality's identity provider with an
    identity linked to no account (accounts.oidc.services.record_unknown_identity).
    A system administrator links it to the person's existing account or
    rejects it (accounts.oidc.link_views); a link to an account that sees
    case data waits for a manager's approval (an AccessRequest of kind
    IDENTITY). Staff data: the provider's identifier, when, and the name and
    e-mail the ID token carried, if any. No token is kept."""

    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("identity at the provider"), max_length=255)
    display_name = models.CharField(_("name at the provider"), max_length=200, blank=True)
    email = models.CharField(_("e-mail at the provider"), max_length=254, blank=True)
    first_seen_at = models.DateTimeField(_("first login"))
    last_seen_at = models.DateTimeField(_("last login"))
    logins = models.PositiveIntegerField(_("logins"), default=1)
    state = models.CharField(
        _("state"), max_length=20, choices=IdentityLinkState.choices, default=IdentityLinkState.PENDING
    )
    # The account the administrator chose (set from AWAITING_APPROVAL on).
    account = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity link request")
        verbose_name_plural = _("identity link requests")
        ordering = ["first_seen_at", "id"]
        constraints = [
            # record_unknown_identity relies on it: a second login of the
            # same identity refreshes the open request, never adds one.
            models.UniqueConstraint(
                fields=["issuer", "subject"],
                condition=models.Q(state__in=["pending", "approval"]),
                name="accounts_identitylinkrequest_one_open",
            ),
        ]
        indexes = [
            # The administrators' page and the flood limit count open requests.
            models.Index(fields=["state", "first_seen_at"], name="accounts_idlink_state_idx"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        who = " ".join(part for part in (self.display_name, f"<{self.email}>" if self.email else "") if part)
        return who or self.subject


class FormSubmission(models.Model):
    """A create form's single-use token, claimed by its first POST
    (accounts.submissions.single_submission); `target` is where that POST
    sent the user (the created record's page), for a second POST of it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    target = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            # accounts.submissions.single_submission relies on it: a second
            # POST of the same token waits for the first and then fails here.
            models.UniqueConstraint(fields=["user", "token"], name="accounts_formsubmission_one_per_token"),
        ]
        indexes = [
            # The removal of old claims (single_submission) by user and age.
            models.Index(fields=["user", "created_at"], name="accounts_formsub_age_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


# Models of the accounts.login and accounts.drafts packages live there;
# imported so that Django finds them in this app.
from .drafts.models import Draft  # noqa: E402, F401
from .login.models import SecondFactorReset  # noqa: E402, F401
