"""Move-in, move-out and internal move: the three ways a tenancy starts or
ends. Each runs in one transaction with its audit entries.

A move-in executes the client's decision (referrals.services.decisions) and
marks the apartment occupied; a move-out records the end reason and frees the
apartment (or takes it out of the programme after a first-hand takeover).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import Change, log_access, record_changes
from audit.versioning import claim_version
from referrals.models import Decision
from referrals.services.decisions import execute_decision

from ..models import Apartment, ApartmentStatus, EndReason, Tenancy

OVERLAP_CONSTRAINT = "tenancies_tenancy_no_overlap"
ONE_ACTIVE_CONSTRAINT = "tenancies_tenancy_one_active_per_client"


class TenancyError(ValidationError):
    """A rule refuses the move; the message is Swedish and for the user.
    Nothing has been written when it is raised."""

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message, code=code)
        self.field = field


def _date(day):
    return day.strftime("%Y-%m-%d")


def _lock_apartment(apartment):
    # Serialises move-ins into the same apartment: the second waits here and
    # then sees the first one's tenancy (PostgreSQL; SQLite serialises writes).
    return Apartment.objects.select_for_update().get(pk=apartment.pk)


def check_no_overlap(apartment, start, end=None, exclude=None):
    clash = Tenancy.objects.filter(apartment=apartment).overlapping(start, end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    clash = clash.order_by("start_date").first()
    if clash:
        until = _date(clash.end_date) if clash.end_date else _("until further notice")
        raise TenancyError(
            _("The apartment is let from %(start)s to %(end)s; tenancies of one apartment cannot overlap.")
            % {"start": _date(clash.start_date), "end": until},
            code="overlap",
            field="start_date",
        )


def preceding_tenancy(client, start):
    """The client's latest tenancy ended before `start` (or None)."""
    return (
        Tenancy.objects.filter(client=client, end_date__lt=start)
        .order_by("-end_date", "-start_date")
        .first()
    )


def derive_programme_fields(tenancy):
    """Set is_internal_move and continuous_since from the client's history.

    An internal move follows a tenancy of the same client ended "moved within
    the programme"; it continues that tenancy's time in the programme (the
    three-year takeover rule counts internal moves as continuous).
    """
    previous = preceding_tenancy(tenancy.client, tenancy.start_date)
    if previous is not None and previous.end_reason == EndReason.MOVED_WITHIN_PROGRAMME:
        tenancy.is_internal_move = True
        tenancy.continuous_since = previous.continuous_since
    else:
        tenancy.is_internal_move = False
        tenancy.continuous_since = tenancy.start_date
    return tenancy


def _save_new(tenancy):
    """Insert, turning the database's own refusals (two simultaneous
    move-ins) into the messages the checks above would have given."""
    try:
        with transaction.atomic():
            tenancy.save()
    except IntegrityError as error:
        text = str(error)
        if OVERLAP_CONSTRAINT in text:
            raise TenancyError(
                _("Someone else moved a tenant into the apartment for the same period just now. "
                  "Nothing was saved; reload the apartment and check."),
                code="overlap",
                field="start_date",
            ) from None
        if ONE_ACTIVE_CONSTRAINT in text or "client_id" in text:
            raise TenancyError(
                _("The client already has an active tenancy. Move the client out first, or use an internal move."),
                code="active_tenancy",
            ) from None
        raise


def _check_decision(decision, client, apartment, start):
    if decision is None:
        raise TenancyError(_("Choose the decision the move-in executes."), code="no_decision", field="decision")
    if decision.client_id != client.pk:
        raise TenancyError(_("The decision belongs to another client."), code="wrong_client", field="decision")
    if decision.kind != apartment.decision_kind:
        raise TenancyError(
            _("A %(apartment)s needs a decision on %(kind)s; the chosen decision is on %(chosen)s.")
            % {
                "apartment": apartment.get_kind_display().lower(),
                "kind": Decision(kind=apartment.decision_kind).get_kind_display().lower(),
                "chosen": decision.get_kind_display().lower(),
            },
            code="wrong_kind",
            field="decision",
        )
    if not decision.is_granted or decision.executed_on or decision.closed_on:
        raise TenancyError(
            _("The decision must be granted and not yet executed or closed."), code="decision_used", field="decision"
        )
    if start < decision.valid_from or (decision.valid_to and start > decision.valid_to):
        raise TenancyError(
            _("The move-in date must be within the decision's validity (%(period)s).")
            % {"period": f"{_date(decision.valid_from)} – {_date(decision.valid_to) if decision.valid_to else ''}"},
            code="outside_validity",
            field="start_date",
        )


def _check_apartment_can_take(apartment):
    if apartment.status == ApartmentStatus.LEFT_PROGRAMME:
        raise TenancyError(
            _("The apartment has left the programme and cannot be let."), code="left_programme", field="apartment"
        )


@transaction.atomic
def move_in(ctx, tenancy):
    """Start `tenancy` (unsaved: apartment, client, decision, start date,
    rent, terms filled in): checks the rules, creates it, marks the apartment
    occupied and executes the decision, all in one transaction."""
    apartment = _lock_apartment(tenancy.apartment)
    _check_apartment_can_take(apartment)
    _check_decision(tenancy.decision, tenancy.client, apartment, tenancy.start_date)
    if Tenancy.objects.filter(client=tenancy.client, end_date__isnull=True).exists():
        raise TenancyError(
            _("The client already has an active tenancy. Move the client out first, or use an internal move."),
            code="active_tenancy",
            field="client",
        )
    check_no_overlap(apartment, tenancy.start_date)
    tenancy.apartment = apartment
    tenancy.created_by = ctx.user
    if tenancy.rent is None:
        tenancy.rent = apartment.rent
    derive_programme_fields(tenancy)
    _save_new(tenancy)
    execute_decision(ctx, tenancy.decision, tenancy.start_date, note=_("Move-in to %(apartment)s") % {"apartment": apartment})
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    log_access(ctx, AccessAction.CREATE, tenancy)
    return tenancy


def _set_status(ctx, apartment, status):
    if apartment.status == status:
        return
    old = apartment.get_status_display()
    claim_version(apartment, apartment.version)
    apartment.status = status
    apartment.save(update_fields=["status", "version"])
    record_changes(ctx, apartment, [Change("status", str(Apartment._meta.get_field("status").verbose_name),
                                           old, apartment.get_status_display())])


@transaction.atomic
def move_out(ctx, tenancy, end_date, end_reason, note="", *, expected_version=None):
    """End `tenancy` on `end_date` (the move-out day) with a reason from the
    catalogue. The apartment becomes vacant, or leaves the programme when the
    tenant took over the first-hand contract."""
    current = Tenancy.objects.select_for_update().select_related("apartment", "client").get(pk=tenancy.pk)
    if current.end_date is not None:
        raise TenancyError(
            _("The tenancy already ended on %(date)s.") % {"date": _date(current.end_date)}, code="ended"
        )
    if end_reason not in EndReason.values:
        raise TenancyError(_("Choose why the tenancy ends."), code="no_reason", field="end_reason")
    if end_date < current.start_date:
        raise TenancyError(
            _("The move-out date cannot be before the move-in date (%(date)s).") % {"date": _date(current.start_date)},
            code="before_start",
            field="end_date",
        )
    later = Tenancy.objects.filter(apartment=current.apartment, start_date__gt=current.start_date,
                                   start_date__lte=end_date).exclude(pk=current.pk).first()
    if later:
        raise TenancyError(
            _("Another tenancy of the apartment starts %(date)s; the move-out must be before it.")
            % {"date": _date(later.start_date)},
            code="overlap",
            field="end_date",
        )
    claim_version(current, current.version if expected_version is None else expected_version)
    current.end_date = end_date
    current.end_reason = end_reason
    current.end_note = note[:300]
    current.save(update_fields=["end_date", "end_reason", "end_note", "version"])
    record_changes(ctx, current, [
        Change("end_date", str(_("move-out date")), "", _date(end_date)),
        Change("end_reason", str(_("reason for ending")), "", current.get_end_reason_display()),
    ])
    new_status = (
        ApartmentStatus.LEFT_PROGRAMME if end_reason == EndReason.FIRST_HAND_TAKEOVER else ApartmentStatus.VACANT
    )
    apartment = _lock_apartment(current.apartment)
    _set_status(ctx, apartment, new_status)
    log_access(ctx, AccessAction.UPDATE, current, note="move_out")
    tenancy.__dict__.update({k: getattr(current, k) for k in ("end_date", "end_reason", "end_note", "version")})
    return current


@transaction.atomic
def internal_move(ctx, tenancy, new_tenancy, *, expected_version=None):
    """Move the tenant of `tenancy` to another apartment of the programme:
    the old tenancy ends "moved within the programme" the day before the new
    one starts, and the new one (unsaved `new_tenancy`: apartment, start
    date, rent, terms) starts — in one transaction. The client's decision
    carries over when the new apartment is of the same kind; otherwise the
    new tenancy needs its own, not yet executed, decision."""
    from datetime import timedelta

    current = Tenancy.objects.select_related("apartment", "client", "decision").get(pk=tenancy.pk)
    if current.end_date is not None:
        raise TenancyError(_("Only an active tenancy can be moved."), code="ended")
    if new_tenancy.apartment_id == current.apartment_id:
        raise TenancyError(_("Choose another apartment."), code="same_apartment", field="apartment")
    if new_tenancy.start_date <= current.start_date:
        raise TenancyError(
            _("The new tenancy must start after the current one started (%(date)s).")
            % {"date": _date(current.start_date)},
            code="before_start",
            field="start_date",
        )
    move_out(ctx, current, new_tenancy.start_date - timedelta(days=1), EndReason.MOVED_WITHIN_PROGRAMME,
             note=_("Internal move"), expected_version=expected_version)
    apartment = _lock_apartment(new_tenancy.apartment)
    _check_apartment_can_take(apartment)
    new_tenancy.client = current.client
    carries_over = new_tenancy.decision_id is None and current.decision_id and apartment.decision_kind == current.decision.kind
    if carries_over:
        new_tenancy.decision = current.decision
    else:
        _check_decision(new_tenancy.decision, current.client, apartment, new_tenancy.start_date)
    check_no_overlap(apartment, new_tenancy.start_date)
    new_tenancy.apartment = apartment
    new_tenancy.created_by = ctx.user
    if new_tenancy.rent is None:
        new_tenancy.rent = apartment.rent
    derive_programme_fields(new_tenancy)
    _save_new(new_tenancy)
    if not carries_over:
        execute_decision(ctx, new_tenancy.decision, new_tenancy.start_date,
                         note=_("Move-in to %(apartment)s") % {"apartment": apartment})
    _set_status(ctx, apartment, ApartmentStatus.OCCUPIED)
    log_access(ctx, AccessAction.CREATE, new_tenancy, note="internal_move")
    return new_tenancy
