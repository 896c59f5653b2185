"""Apartments the social services rent first-hand and sublet, their keys and
the complaints and damage logged against them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.versioning import VersionedModel
from referrals.models import Client, DecisionKind


class ApartmentKind(models.TextChoices):
    TRAINING = "training", _("Training apartment")
    TRIAL = "trial", _("Trial apartment")
    EMERGENCY = "emergency", _("Emergency apartment")
    HOUSING_FIRST = "housing_first", _("Housing First")

    @property
    def decision_kind(self):
        """The kind of decision a move-in into this kind of apartment executes."""
        return {
            ApartmentKind.TRAINING: DecisionKind.TRAINING_APARTMENT,
            ApartmentKind.TRIAL: DecisionKind.TRIAL_APARTMENT,
            ApartmentKind.EMERGENCY: DecisionKind.EMERGENCY_HOUSING,
            ApartmentKind.HOUSING_FIRST: DecisionKind.HOUSING_FIRST,
        }[self]


class Tenure(models.TextChoices):
    MUNICIPAL_TENANT_OWNER = "municipal_tenant_owner", _("Municipality-owned tenant-owner flat")
    RENTAL = "rental", _("Rented (hyresrätt)")


class ApartmentStatus(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    OCCUPIED = "occupied", _("Occupied")
    REPAIR = "repair", _("Under repair")
    BEING_RETURNED = "being_returned", _("Being returned")
    LEFT_PROGRAMME = "left_programme", _("Left the programme")


class ApartmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The access rule for apartments.

        Housing administrators, case officers and managers: their unit's
        apartments. Bolotsar: the apartments where a client they may see
        (see Client.visible_to) lives now.
        """
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        rule = Q()
        if user.has_role(Role.HOUSING_ADMIN) or user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
            rule |= Q(unit_id=user.unit_id)
        if user.has_role(Role.PILOT):
            from .tenancies import Tenancy

            current = Tenancy.objects.filter(
                apartment=OuterRef("pk"),
                end_date__isnull=True,
                client__in=Client.objects.visible_to(user),
            )
            rule |= Q(Exists(current))
        if not rule:
            return self.none()
        return self.filter(rule)

    def in_programme(self):
        return self.exclude(status=ApartmentStatus.LEFT_PROGRAMME)


class Apartment(VersionedModel):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="apartments")
    object_number = models.CharField(_("object number"), max_length=50)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    # From the unit's fixed lists (models.lists), not free text.
    area = models.ForeignKey(
        "tenancies.Area", verbose_name=_("area"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="apartments", help_text=_("District or part of the municipality."),
    )
    rooms = models.DecimalField(_("rooms"), max_digits=3, decimal_places=1)
    size_m2 = models.DecimalField(_("size (m²)"), max_digits=6, decimal_places=1)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    has_lift = models.BooleanField(_("lift"), default=False)
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    kind = models.CharField(_("kind of apartment"), max_length=20, choices=ApartmentKind.choices)
    tenure = models.CharField(_("tenure"), max_length=30, choices=Tenure.choices)
    # Required by the apartment form and the import; nullable only for rows
    # the data migration (0005) could not give one.
    landlord = models.ForeignKey(
        "tenancies.Landlord", verbose_name=_("first-hand landlord"), on_delete=models.PROTECT, null=True,
        related_name="apartments",
    )
    lease_start = models.DateField(_("lease start"), null=True, blank=True)
    lease_end = models.DateField(_("lease end"), null=True, blank=True)
    monthly_cost = models.PositiveIntegerField(_("monthly cost to social services (öre)"), null=True, blank=True)
    rent = models.PositiveIntegerField(_("rent charged to the tenant (öre)"), null=True, blank=True)
    # Maintained by the move-in and move-out services; repair, return and
    # leaving the programme are set by the housing administrator.
    status = models.CharField(_("status"), max_length=20, choices=ApartmentStatus.choices, default=ApartmentStatus.VACANT)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ApartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("apartment")
        verbose_name_plural = _("apartments")
        ordering = ["street_address", "object_number"]
        permissions = [("import_register", _("Can import the apartment and tenancy register"))]
        constraints = [
            # The register import matches apartments on this
            # (tenancies/importer/planning.py), and
            # forms.apartments.ApartmentForm.clean_object_number refuses a
            # duplicate with a message first.
            models.UniqueConstraint(fields=["unit", "object_number"], name="tenancies_apartment_unique_object_number"),
            # ApartmentForm.clean and the import check these first with a
            # message; vacancy and lease figures (reports.kpis.additional.
            # in_programme) assume a lease never ends before it starts.
            models.CheckConstraint(
                condition=Q(lease_end__isnull=True) | Q(lease_start__isnull=True) | Q(lease_end__gte=models.F("lease_start")),
                name="tenancies_apartment_lease_end_after_start",
            ),
            # ApartmentForm.clean_rooms / clean_size_m2 and the import's
            # parsers refuse these with a message first.
            models.CheckConstraint(condition=Q(rooms__gt=0), name="tenancies_apartment_rooms_positive"),
            models.CheckConstraint(condition=Q(size_m2__gt=0), name="tenancies_apartment_size_positive"),
        ]
        indexes = [
            # The apartment lists' filters within a unit (views.apartments.
            # _filtered: status, kind, area; the distinct areas for the filter
            # form) and the vacant list (apartment_vacant_list,
            # forms.tenancies.vacant_apartments_for).
            models.Index(fields=["unit", "status"], name="tenancies_apartment_status_idx"),
            models.Index(fields=["unit", "kind"], name="tenancies_apartment_kind_idx"),
            models.Index(fields=["unit", "area"], name="tenancies_apartment_area_idx"),
        ]

    def __str__(self):
        return f"{self.street_address} ({self.object_number})"

    @property
    def decision_kind(self):
        return ApartmentKind(self.kind).decision_kind

    @property
    def audit_label(self):
        # The access log's client column names people, not places: the log
        # review lists a protected client's tenancy rows beside apartment
        # rows, and the address there would connect the two
        # (referrals.protection). The row still names the record by type and id.
        return ""


class KeySet(models.Model):
    """Keys to an apartment: how many, their tag, where they are kept."""

    apartment = models.ForeignKey(Apartment, verbose_name=_("apartment"), on_delete=models.CASCADE, related_name="keys")
    count = models.PositiveSmallIntegerField(_("number of keys"), default=1)
    tag = models.CharField(_("key tag"), max_length=50, blank=True)
    kept_at = models.CharField(_("where kept"), max_length=200, help_text=_("E.g. the key cabinet, or the tenant."))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("keys")
        verbose_name_plural = _("keys")
        ordering = ["id"]

    def __str__(self):
        return f"{self.count} × {self.tag or '–'}"


class ComplaintKind(models.TextChoices):
    DISTURBANCE = "disturbance", _("Disturbance")
    DAMAGE = "damage", _("Damage")
    OTHER = "other", _("Other")


class ComplaintSource(models.TextChoices):
    LANDLORD = "landlord", _("Landlord")
    NEIGHBOUR = "neighbour", _("Neighbour")
    HOUSING_ASSOCIATION = "housing_association", _("Housing association")
    STAFF = "staff", _("Staff")


class Complaint(VersionedModel):
    """A complaint or damage, logged per apartment and the tenancy at the time.

    Versioned (audit.versioning) for the action taken, which is written
    later and may be edited by two people at once."""

    apartment = models.ForeignKey(Apartment, verbose_name=_("apartment"), on_delete=models.PROTECT, related_name="complaints")
    # The tenancy running on `occurred_on`, found by the service; empty when
    # the apartment was vacant.
    tenancy = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("tenancy"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="complaints",
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ComplaintKind.choices)
    source = models.CharField(_("reported by"), max_length=30, choices=ComplaintSource.choices)
    description = models.TextField(_("description"))
    action_taken = models.TextField(_("action taken"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint or damage")
        verbose_name_plural = _("complaints and damage")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            # An apartment's complaints newest first: views.apartments._complaints.
            models.Index(fields=["apartment", "occurred_on"], name="tenancies_complaint_apt_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.tenancy.client if self.tenancy_id else None


def days_between(start, end=None):
    """Length in days of a period whose both ends are inclusive."""
    return ((end or date.today()) - start).days + 1
