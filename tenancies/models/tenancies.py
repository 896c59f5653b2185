"""Second-hand tenancies (andrahandskontrakt) from move-in to move-out, with
the home insurance and income sources that hang on them.

Integrity rules and where they live:
- end date not before start, and an end reason exactly when there is an end
  date: check constraints below;
- one active tenancy per client: a partial unique constraint below;
- two tenancies of one apartment never overlap: on PostgreSQL an exclusion
  constraint over the date range (migration 0002, btree_gist); the services
  check the same in Python first, so SQLite behaves the same and users get a
  clear message instead of a database error.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit.versioning import VersionedModel
from referrals.models import Client


class EndReason(models.TextChoices):
    """Why a tenancy ended. Required on every ended tenancy: the 2018
    evaluation failed because none was recorded."""

    OWN_HOUSING = "own_housing", _("Own housing on the regular market")
    FIRST_HAND_TAKEOVER = "first_hand_takeover", _("Took over the first-hand contract")
    MOVED_WITHIN_PROGRAMME = "moved_within_programme", _("Moved within the programme")
    OTHER_PLACEMENT = "other_placement", _("Moved to another placement (treatment home, LSS, elderly care)")
    TERMINATED_ARREARS = "terminated_arrears", _("Terminated for rent arrears")
    TERMINATED_DISTURBANCE = "terminated_disturbance", _("Terminated for disturbance or damage")
    EVICTED = "evicted", _("Evicted")
    DIED = "died", _("Died")
    MOVED_AWAY_UNKNOWN = "moved_away_unknown", _("Moved away / unknown")


class TenancyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Housing administrators, case officers and managers: the tenancies
        of their unit's apartments. Bolotsar: those of the clients they may
        see."""
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        rule = Q()
        if user.has_role(Role.HOUSING_ADMIN) or user.has_role(Role.CASE_OFFICER) or user.has_role(Role.MANAGER):
            rule |= Q(apartment__unit_id=user.unit_id)
        if user.has_role(Role.PILOT):
            rule |= Q(client__in=Client.objects.visible_to(user))
        if not rule:
            return self.none()
        return self.filter(rule)

    def active(self):
        return self.filter(end_date__isnull=True)

    def held_on(self, day):
        """Tenancies running on `day` (the end date is the move-out day, inclusive)."""
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def overlapping(self, start, end):
        """Tenancies whose period meets [start, end] (end None = open)."""
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        return qs if end is None else qs.filter(start_date__lte=end)

    def with_self_supporting(self, day):
        """Annotate `is_self_supporting`: whether the tenant has an income
        source of a SELF_SUPPORTING_INCOME kind covering `day`.

        Income sources are registered on a tenancy and follow the tenant
        through internal moves: those of every tenancy of the same stay in the
        programme count (same client, same continuous_since), those of an
        earlier, separate stay do not."""
        income = IncomeSource.objects.filter(
            tenancy__client=OuterRef("client"),
            tenancy__continuous_since=OuterRef("continuous_since"),
            kind__in=SELF_SUPPORTING_INCOME,
            valid_from__lte=day,
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        return self.annotate(is_self_supporting=Exists(income))

    def self_supporting_on(self, day):
        """Tenancies held on `day` whose tenant is self-supporting that day."""
        return self.held_on(day).with_self_supporting(day).filter(is_self_supporting=True)


class Tenancy(VersionedModel):
    apartment = models.ForeignKey(
        "tenancies.Apartment", verbose_name=_("apartment"), on_delete=models.PROTECT, related_name="tenancies"
    )
    client = models.ForeignKey(
        "referrals.Client", verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="tenancies"
    )
    # The decision the move-in executed; empty for imported history.
    decision = models.ForeignKey(
        "referrals.Decision", verbose_name=_("decision"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="tenancies",
    )
    # A move-in registered by a housing administrator, who does not choose
    # decisions (issue 12 §7): the client's case officer links the decision
    # (services.moves.link_decision), which executes it from the move-in
    # date. Until then the tenancy says it waits for the link.
    # db_default: writers that bypass the model (a raw INSERT, COPY) leave it false.
    decision_pending = models.BooleanField(
        _("waiting for the decision to be linked"), default=False, db_default=False, editable=False,
    )
    start_date = models.DateField(_("move-in date"))
    end_date = models.DateField(_("move-out date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=30, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note on the ending"), max_length=300, blank=True)
    rent = models.PositiveIntegerField(_("monthly rent (öre)"), null=True, blank=True)
    contract_months = models.PositiveSmallIntegerField(_("contract period (months)"), default=1)
    notice_weeks = models.PositiveSmallIntegerField(_("notice period (weeks)"), default=2)
    renews_automatically = models.BooleanField(_("renewed automatically"), default=True)
    # Derived by the services (and the import), stored for SQL: whether this
    # tenancy follows one of the same client ended "moved within the
    # programme" (internal moves are left out of the KPIs counting new
    # tenancies), and since when the client has lived in the programme's
    # apartments without a break (internal moves count as continuous).
    is_internal_move = models.BooleanField(_("internal move"), default=False, editable=False)
    continuous_since = models.DateField(_("in the programme since"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TenancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["-start_date", "-id"]
        permissions = [("link_decision", _("Can link a tenancy to the decision it executes"))]
        constraints = [
            # A tenancy waits for its decision only while it has none:
            # services.moves.link_decision clears the flag as it links.
            models.CheckConstraint(
                condition=Q(decision_pending=False) | Q(decision__isnull=True),
                name="tenancies_tenancy_pending_without_decision",
            ),
            # services.tenancies.move_out refuses it with a message; the
            # overlap rule (TenancyQuerySet.overlapping, held_on) and every
            # housing KPI (reports.kpis.housing) assume periods run forwards.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="tenancies_tenancy_end_after_start",
            ),
            # Every ended tenancy has its reason, and only ended ones: the
            # end-reason figures (reports.kpis.housing.ended_in,
            # reports.charts.end_reasons_data) count every ended tenancy.
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(end_reason=""))
                | (Q(end_date__isnull=False) & ~Q(end_reason="")),
                name="tenancies_tenancy_end_reason_iff_ended",
            ),
            # A client lives in one programme apartment at a time; the move-in
            # service checks first to give a clear message
            # (services.tenancies.check_client_free).
            models.UniqueConstraint(
                fields=["client"], condition=Q(end_date__isnull=True), name="tenancies_tenancy_one_active_per_client"
            ),
            # The tenancy forms' MinValueValidator(1) (forms.tenancies) gives
            # the message; this catches the import and any other writer.
            models.CheckConstraint(condition=Q(contract_months__gte=1), name="tenancies_tenancy_contract_months_min"),
        ]
        indexes = [
            # An apartment's tenancies in order: the overlap check
            # (services.tenancies.first_overlap), move_out, the apartment's
            # timeline (views.apartments._timeline_tenancies) and status chart
            # (reports.charts.apartment_status_data).
            models.Index(fields=["apartment", "start_date"], name="tenancies_tenancy_apt_idx"),
            # A client's tenancies: services.tenancies.check_client_free and
            # preceding_tenancy, views.tenancies.client_tenancies.
            models.Index(fields=["client", "start_date"], name="tenancies_tenancy_client_idx"),
            # Tenancies started in a period: the KPI engine
            # (reports.kpis.housing, Year(year).dates("start_date")) and the
            # dashboard's first year (reports.views.dashboard.available_years).
            models.Index(fields=["start_date"], name="tenancies_tenancy_start_idx"),
            # Tenancies ended in a period for a reason: reports.kpis.housing.ended_in.
            models.Index(fields=["end_date", "end_reason"], name="tenancies_tenancy_end_idx"),
        ]

    def __str__(self):
        return f"{self.apartment} {self.start_date:%Y-%m-%d}–{self.end_date or ''}"

    @property
    def is_active(self):
        return self.end_date is None

    @property
    def audit_client(self):
        return self.client


class HomeInsurance(models.Model):
    tenancy = models.ForeignKey(Tenancy, verbose_name=_("tenancy"), on_delete=models.CASCADE, related_name="insurances")
    company = models.CharField(_("insurance company"), max_length=200)
    policy_number = models.CharField(_("policy number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("home insurance")
        verbose_name_plural = _("home insurances")
        ordering = ["-valid_until"]
        constraints = [
            # services.tenancies._check_period refuses it with a message first.
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="tenancies_insurance_until_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.company} {self.valid_until:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.tenancy.client


class IncomeKind(models.TextChoices):
    SALARY = "salary", _("Salary")
    PENSION = "pension", _("Pension")
    STUDENT_AID = "student_aid", _("Student aid")
    FINANCIAL_ASSISTANCE = "financial_assistance", _("Financial assistance")
    OTHER = "other", _("Other")


# A tenant is self-supporting on a day when one of these covers the day.
SELF_SUPPORTING_INCOME = (IncomeKind.SALARY, IncomeKind.PENSION, IncomeKind.STUDENT_AID)


class IncomeSource(models.Model):
    tenancy = models.ForeignKey(Tenancy, verbose_name=_("tenancy"), on_delete=models.CASCADE, related_name="incomes")
    kind = models.CharField(_("income source"), max_length=30, choices=IncomeKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")
        ordering = ["-valid_from"]
        constraints = [
            # services.tenancies._check_period refuses it with a message first;
            # TenancyQuerySet.with_self_supporting assumes periods run forwards.
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="tenancies_income_to_after_from",
            ),
        ]
        indexes = [
            # Self-supporting incomes covering a day: TenancyQuerySet.
            # with_self_supporting (kind__in, valid_from__lte), behind the KPI
            # reports.kpis.additional.self_supporting_on.
            models.Index(fields=["kind", "valid_from"], name="tenancies_income_kind_idx"),
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def audit_client(self):
        return self.tenancy.client
