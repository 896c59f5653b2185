"""The housing chain in motion (docs/housing-chain.md): vacancies with their
ready-from date, the waiting decisions' needs and priorities, and the offers
that match one to the other.

Who writes what:
- Vacancy: opened by the move-out and by an apartment entering the programme,
  closed by the move-in (tenancies.services.vacancies); the housing
  administrator sets the ready-from date.
- HousingNeeds and WaitingPriority: the case officer, on the waiting list
  (tenancies.services.waiting).
- ApartmentOffer: the case officer, from a vacancy's candidates
  (tenancies.services.offers); every offer also writes the IVO offers log
  (referrals.Offer), so that a declined offer reaches the IVO report.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.versioning import VersionedModel
from referrals.models import OfferDeclineReason


class VacancyReason(models.TextChoices):
    MOVE_OUT = "move_out", _("Move-out")
    ENTERED_PROGRAMME = "entered_programme", _("Entered the programme")


class VacancyQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_on__isnull=True)

    def meeting(self, first, last):
        """Vacancies with at least one empty day in [first, last]
        (a vacancy is the half-open range [vacant_from, ended_on))."""
        return self.filter(vacant_from__lte=last).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))


class Vacancy(VersionedModel):
    """An apartment standing empty: from the first empty day (the day after
    the move-out, or the day it entered the programme) up to, not including,
    the next move-in day (`ended_on`). Days empty = ended_on (or today + 1)
    minus vacant_from."""

    # Derived from the tenancies (services.vacancies.rebuild_vacancies): it
    # goes with its apartment, and a culled tenancy only clears ended_by.
    apartment = models.ForeignKey(
        "tenancies.Apartment", verbose_name=_("apartment"), on_delete=models.CASCADE, related_name="vacancies"
    )
    reason = models.CharField(_("why it is empty"), max_length=30, choices=VacancyReason.choices)
    vacant_from = models.DateField(_("empty from"))
    ready_from = models.DateField(
        _("ready from"), null=True, blank=True,
        help_text=_("When repairs, cleaning and the key return are done and a tenant can move in."),
    )
    ready_note = models.CharField(_("what remains before it is ready"), max_length=300, blank=True)
    ended_on = models.DateField(_("empty until"), null=True, blank=True, help_text=_("The next move-in day."))
    ended_by = models.ForeignKey(
        "tenancies.Tenancy", verbose_name=_("ended by the tenancy"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["vacant_from", "id"]
        constraints = [
            # tenancies.services.vacancies.open_vacancy reuses the open one;
            # the vacancy list and the matching assume at most one.
            models.UniqueConstraint(
                fields=["apartment"], condition=Q(ended_on__isnull=True), name="tenancies_vacancy_one_open"
            ),
            # The occupancy figures (reports.kpis.occupancy) count
            # ended_on - vacant_from days and assume it is never negative.
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("vacant_from")),
                name="tenancies_vacancy_end_after_start",
            ),
        ]
        indexes = [
            # Vacancies meeting a period: reports.kpis.occupancy and the vacancy list.
            models.Index(fields=["apartment", "vacant_from"], name="tenancies_vacancy_apt_idx"),
            models.Index(fields=["ended_on"], name="tenancies_vacancy_ended_idx"),
        ]

    def __str__(self):
        return f"{self.apartment_id} {self.vacant_from:%Y-%m-%d}–{self.ended_on or ''}"


class HousingNeeds(VersionedModel):
    """What a waiting decision needs of an apartment; the matching
    (tenancies.services.matching) fits vacancies to it."""

    decision = models.OneToOneField(
        "referrals.Decision", verbose_name=_("decision"), on_delete=models.CASCADE, related_name="housing_needs"
    )
    rooms_min = models.DecimalField(_("at least rooms"), max_digits=3, decimal_places=1, null=True, blank=True)
    rooms_max = models.DecimalField(_("at most rooms"), max_digits=3, decimal_places=1, null=True, blank=True)
    needs_lift = models.BooleanField(_("needs a lift or ground floor"), default=False)
    max_floor = models.SmallIntegerField(_("highest floor"), null=True, blank=True)
    accessibility = models.CharField(_("other accessibility needs"), max_length=300, blank=True)
    areas = models.ManyToManyField(
        "tenancies.Area", verbose_name=_("areas"), blank=True, related_name="+",
        help_text=_("Leave empty if any area of the municipality will do."),
    )
    children = models.PositiveSmallIntegerField(_("children who will live there"), default=0)
    notes = models.TextField(_("other needs"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("housing needs")
        verbose_name_plural = _("housing needs")
        constraints = [
            # forms refuse it with a message; the matching assumes min <= max.
            models.CheckConstraint(
                condition=Q(rooms_min__isnull=True) | Q(rooms_max__isnull=True) | Q(rooms_max__gte=models.F("rooms_min")),
                name="tenancies_needs_rooms_range",
            ),
        ]

    def __str__(self):
        return str(self.decision_id)

    @property
    def audit_client(self):
        return self.decision.client


class WaitingPriority(models.Model):
    """A priority the case officer set on a waiting decision, with the
    reason. Rows are never changed: the newest is in force, the older ones
    are its history (tenancies.services.waiting.set_priority)."""

    class Level(models.IntegerChoices):
        URGENT = 1, _("Urgent")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")

    decision = models.ForeignKey(
        "referrals.Decision", verbose_name=_("decision"), on_delete=models.CASCADE, related_name="waiting_priorities"
    )
    level = models.PositiveSmallIntegerField(_("priority"), choices=Level.choices)
    reason = models.CharField(_("reason for the priority"), max_length=500)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set"), auto_now_add=True)

    class Meta:
        verbose_name = _("waiting priority")
        verbose_name_plural = _("waiting priorities")
        ordering = ["-set_at", "-id"]
        indexes = [
            # The waiting list's newest priority per decision (services.waiting).
            models.Index(fields=["decision", "-set_at"], name="tenancies_priority_dec_idx"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.set_at:%Y-%m-%d}"

    @property
    def audit_client(self):
        return self.decision.client


class OfferState(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted, move-in planned")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MOVED_IN = "moved_in", _("Moved in")

    @classmethod
    def open_states(cls):
        """An offer holds its apartment while pending or accepted."""
        return [cls.PENDING, cls.ACCEPTED]


class ApartmentOffer(VersionedModel):
    """A vacant apartment offered to a waiting decision: which apartment,
    the planned move-in date and the day to answer by. Accepted: the move-in
    is planned; declined: the reason is kept and the decision stays
    non-executed. `ivo_offer` is the matching row of the IVO offers log."""

    apartment = models.ForeignKey(
        "tenancies.Apartment", verbose_name=_("apartment"), on_delete=models.PROTECT, related_name="offers"
    )
    vacancy = models.ForeignKey(
        Vacancy, verbose_name=_("vacancy"), on_delete=models.PROTECT, null=True, blank=True, related_name="offers"
    )
    decision = models.ForeignKey(
        "referrals.Decision", verbose_name=_("decision"), on_delete=models.PROTECT, related_name="apartment_offers"
    )
    ivo_offer = models.OneToOneField(
        "referrals.Offer", verbose_name=_("offer in the IVO log"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="apartment_offer",
    )
    offered_on = models.DateField(_("offered on"))
    move_in_on = models.DateField(_("planned move-in"))
    answer_by = models.DateField(_("answer by"))
    state = models.CharField(_("state"), max_length=20, choices=OfferState.choices, default=OfferState.PENDING)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=OfferDeclineReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("offered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("apartment offer")
        verbose_name_plural = _("apartment offers")
        ordering = ["-offered_on", "-id"]
        constraints = [
            # One open offer per apartment: tenancies.services.offers.make_offer
            # checks first with a message; this refuses the concurrent second
            # offer (tested on PostgreSQL with two connections).
            models.UniqueConstraint(
                fields=["apartment"], condition=Q(state__in=["pending", "accepted"]),
                name="tenancies_offer_one_open_per_apartment",
            ),
            # A declined offer says why (the IVO report's offers log shows it).
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="tenancies_offer_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(answer_by__gte=models.F("offered_on")), name="tenancies_offer_answer_after_offer"
            ),
        ]
        indexes = [
            # A decision's offers (the waiting list, the decision page).
            models.Index(fields=["decision", "state"], name="tenancies_offer_decision_idx"),
        ]

    def __str__(self):
        return f"{self.offered_on:%Y-%m-%d} {self.get_state_display()}"

    @property
    def audit_client(self):
        return self.decision.client
