import re

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit import reads
from audit.versioning import VersionedModel
from core import personnummer

from .risks import RiskInformation


class TargetGroup(models.Model):
    """Target groups of the housing chain (missbruk, psykisk ohälsa, …),
    kept as data so that a unit can add its own."""

    # Data migration 0002_target_groups updates the groups by code
    # (update_or_create(code=…)), and tests and demo data pick them by it.
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ProtectionLevel(models.TextChoices):
    NONE = "none", _("None")
    CONFIDENTIALITY_MARK = "confidentiality_mark", _("Confidentiality mark")
    PROTECTED_REGISTRATION = "protected_registration", _("Protected registration")
    ASSUMED_IDENTITY = "assumed_identity", _("Assumed identity")


class LegalGender(models.TextChoices):
    MALE = "male", _("Man")
    FEMALE = "female", _("Woman")


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The clients `user` may open. The access rule for clients lives here.

        Case officers and managers: the clients of their own unit. Bolotsar:
        the clients of the orders they are assigned to while the order is
        under way (accepted or in progress). Everyone else, including system
        administrators: none.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        rule = Q()
        if user.unit_id and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER)):
            rule |= Q(unit_id=user.unit_id)
        if user.has_role(Role.PILOT):
            from .orders import Order, pilot_working_rule

            assigned = Order.objects.filter(pilot_working_rule(user), client=OuterRef("pk"))
            rule |= Q(Exists(assigned))
        if not rule:
            return self.none()
        return self.filter(rule)

    def search(self, term):
        """By name (every word must match a first or last name) or by the
        personal identity number: whole, partial or the last four digits.
        A term of digits never matches a client without a Swedish number
        (personal_number ""): `contains`/`endswith` a non-empty string."""
        term = (term or "").strip()
        if not term:
            return self
        compact = re.sub(r"[\s+-]", "", term)
        if compact.isdigit():
            if len(compact) == 4:
                return self.filter(personal_number__endswith=compact)
            return self.filter(personal_number__contains=compact)
        rule = Q()
        for word in term.split():
            rule &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return self.filter(rule)

    def for_list(self):
        return self.select_related("responsible_officer", "unit").prefetch_related(
            "target_groups"
        )


# Fields that protected personal data hides from users without the
# permission referrals.view_protected_client.
PROTECTED_FIELDS = ("phone", "street_address", "postal_code", "city")


class Client(RiskInformation, VersionedModel):
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="clients"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    personal_number = models.CharField(
        _("personal identity number"),
        max_length=12,
        blank=True,
        help_text=_("YYYYMMDD-NNNN, YYMMDD-NNNN or YYMMDD+NNNN (100 years or older)."),
    )
    # Derived from the personal identity number on every save (see save());
    # stored because statistics group by them in the database. For a person
    # without a Swedish number (personal_number "") they are entered in the
    # client form (forms.clients.ClientForm), which requires them then.
    birth_date = models.DateField(_("date of birth"), editable=False)
    legal_gender = models.CharField(
        _("legal gender"), max_length=10, choices=LegalGender.choices, editable=False
    )
    is_coordination_number = models.BooleanField(
        _("coordination number"), default=False, editable=False
    )
    # The code IVO's e-service asks for a person without a Swedish number
    # (ÅÅÅÅMMDD-T123 / ÅÅÅÅMMDD-TF10, services.ivo_identity). Given once, when
    # the person is first saved without a number, and never changed, so the
    # person keeps it in every report; kept when a number is added later.
    ivo_code = models.CharField(_("IVO code"), max_length=13, blank=True, default="", editable=False)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="clients"
    )
    children_in_home = models.PositiveSmallIntegerField(
        _("children in the home"),
        default=0,
        help_text=_("Number of children living in the household."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The monthly log review flags every read of a staff member's file
    # (logreview.rules.staff): colleagues reading each other's files is the
    # classic misuse the review exists to find.
    is_municipal_staff = models.BooleanField(
        _("employed by the municipality"), default=False,
        help_text=_("The client works for the municipality: every read of the file is reviewed."),
    )
    # The client's current risk information (docs/architecture.md "Risk
    # information belongs to the client"): edited only through
    # referrals.services.risks (save_tracked, so the field history says who
    # changed what); new orders are prefilled from it and every visit form
    # shows it. Not address data: protection does not hide it.
    risk_animals = models.BooleanField(_("animals in the home"), default=False)
    risk_substance_use = models.BooleanField(_("known or suspected substance use"), default=False)
    risk_violence = models.BooleanField(_("violence in close relationships"), default=False)
    risk_children = models.BooleanField(_("children in the home"), default=False)
    risk_threats = models.BooleanField(_("threats or weapons"), default=False)
    risk_notes = models.TextField(_("other risks"), blank=True)
    # Who and when, for "last changed" beside the risks without reading the
    # history (set by services.risks on a change; the data migration set it
    # from the order the risks were taken from).
    risk_changed_at = models.DateTimeField(_("risk information changed"), null=True, blank=True, editable=False)
    risk_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("risk information changed by"), on_delete=models.PROTECT,
        null=True, blank=True, editable=False, related_name="+",
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible case officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for_clients",
    )
    protection_level = models.CharField(
        _("protected personal data"),
        max_length=30,
        choices=ProtectionLevel.choices,
        default=ProtectionLevel.NONE,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("view_protected_client", _("Can see protected personal data")),
            # Case officers (their unit's clients) and the assigned bolotsar
            # (ClientQuerySet.visible_to): views.risks.client_risk_edit.
            ("change_client_risk", _("Can update clients' risk information")),
        ]
        constraints = [
            # One file per person with a Swedish number; any number of people
            # without one (""). The client form checks this first to name who
            # holds the number (referrals.forms.ClientForm); transfers and the
            # register importer find the holder by it.
            models.UniqueConstraint(
                fields=["personal_number"], condition=~Q(personal_number=""),
                name="referrals_client_unique_personal_number_given",
            ),
            # One person per IVO code: Client.save() picks the smallest free
            # code and retries on this constraint when another save took it
            # first (services.ivo_identity.next_ivo_code).
            models.UniqueConstraint(
                fields=["ivo_code"], condition=~Q(ivo_code=""), name="referrals_client_unique_ivo_code",
            ),
        ]
        indexes = [
            # The client list: a unit's clients by name (views.clients.client_list
            # through ClientQuerySet.visible_to(...).for_list()).
            models.Index(fields=["unit", "last_name", "first_name"], name="referrals_client_unit_name_idx"),
            # An officer's caseload: services.reassignment (the clients to move)
            # and services.plans.reviews_due for a case officer.
            models.Index(fields=["responsible_officer"], name="referrals_client_officer_idx"),
        ]

    def __str__(self):
        return self.full_name

    @classmethod
    def from_db(cls, db, field_names, values):
        # Every client read from the database is reported to the read
        # recorder, which logs it at the end of the request or task
        # (audit/reads.py): no page can show a client without a log row.
        instance = super().from_db(db, field_names, values)
        reads.saw(instance)
        return instance

    def save(self, *args, **kwargs):
        if self.personal_number:
            parsed = personnummer.parse(self.personal_number)
            self.personal_number = parsed.digits
            self.birth_date = parsed.birth_date
            self.is_coordination_number = parsed.is_coordination_number
            self.legal_gender = LegalGender.MALE if parsed.is_male else LegalGender.FEMALE
        else:
            self.is_coordination_number = False
        if self.personal_number or self.ivo_code:
            super().save(*args, **kwargs)
            return
        self._save_with_new_ivo_code(*args, **kwargs)

    def _save_with_new_ivo_code(self, *args, **kwargs):
        """Save a person without a Swedish number, giving them their IVO code.

        Generated here, at the first save without a number, rather than when
        a report first needs it: the code is then on the client page from
        registration, every report (of any quarter, by anyone) reads the
        same stored value, and no report view has to write. Two saves may
        pick the same smallest free code at once: the unique constraint
        refuses the second, which tries the next free one (in a savepoint,
        so the surrounding transaction goes on)."""
        from ..services.ivo_identity import IVO_CODE_ATTEMPTS, next_ivo_code

        for attempt in range(IVO_CODE_ATTEMPTS):
            self.ivo_code = next_ivo_code(self.birth_date, self.legal_gender)
            try:
                with transaction.atomic(using=kwargs.get("using")):
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = Client.objects.filter(ivo_code=self.ivo_code).exclude(pk=self.pk).exists()
                self.ivo_code = ""
                if not taken or attempt == IVO_CODE_ATTEMPTS - 1:
                    raise

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def has_swedish_number(self):
        return bool(self.personal_number)

    @property
    def personal_number_display(self):
        """The number, or for a person without one the words and the birth
        date (which tells two people of the same name apart in lists)."""
        if self.personal_number:
            return personnummer.format_digits(self.personal_number)
        return _("No Swedish number (born %(date)s)") % {"date": date_format(self.birth_date, "Y-m-d")}

    @property
    def is_protected(self):
        return self.protection_level != ProtectionLevel.NONE

    def contact_visible_to(self, user):
        """May `user` see this client's address and phone? The rule is
        referrals.protection's (address, phone and which apartment alike)."""
        from ..protection import may_see_whereabouts

        return may_see_whereabouts(user, self)

    # For the access log (audit.services).
    @property
    def audit_client(self):
        return self

    @property
    def audit_label(self):
        return self.full_name
