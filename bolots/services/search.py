"""Writes of a client's housing search (bostadssökande): the search record
(nationwide or not, notes, the date of the latest monthly check), the
housing-queue registrations and the applications.

Each function runs in one transaction and writes its access-log row, and for
edits the field history, there. All writes about one client's search are
serialised on the client's row, so two bolotsar saving at once cannot create
two search records or interleave their checks.

Edits take the optimistic lock of audit.versioning: the edit form carries
the version it was opened with, and a save over a newer version raises
ConcurrentEditError (nothing entered is lost: the view shows the user's
input again beside the saved values). A client without a search record has
an unsaved one of version 1; inserting it is its first change (version 2),
so two people filling in the first search record cannot overwrite each
other either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import log_access, snapshot
from audit.tracked import save_tracked
from audit.versioning import ConcurrentEditError
from core.rules import RuleError
from referrals.models import Client

from ..models import HousingApplication, HousingSearchProfile, QueueRegistration

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from django.db.models import Model

    from audit.context import AuditContext

# Fields whose changes are kept in the history (all the user can edit).
PROFILE_FIELDS = ["nationwide", "notes", "checked_on"]
QUEUE_FIELDS = ["queue", "registered_since", "ended_on"]
APPLICATION_FIELDS = ["applied_on", "where", "result"]

# Record types shown in the housing search's change history.
HISTORY_TYPES = [
    HousingSearchProfile._meta.label_lower,
    QueueRegistration._meta.label_lower,
    HousingApplication._meta.label_lower,
]


class SearchError(RuleError):
    """The rules refuse the write (core.rules)."""


def profile_of(client: Client) -> HousingSearchProfile:
    """The client's search record, or an unsaved empty one (the record is
    created on the first save)."""
    try:
        return client.housing_search
    except HousingSearchProfile.DoesNotExist:
        return HousingSearchProfile(client=client)


def _lock_client(client: Client) -> None:
    Client.objects.select_for_update().only("pk").get(pk=client.pk)


def _stored_profile(client: Client) -> HousingSearchProfile:
    profile = HousingSearchProfile.objects.filter(client=client).first()
    return profile or HousingSearchProfile(client=client)


def _save_profile(
    ctx: AuditContext, profile: HousingSearchProfile, *, expected_version: int,
    edit: Callable[[HousingSearchProfile], None],
) -> HousingSearchProfile:
    """Apply `edit` to the client's stored search record and save it through
    the tracked path; a new record is inserted as version 2 (see above)."""
    before = snapshot(profile, PROFILE_FIELDS)
    edit(profile)
    if profile.pk is not None:
        return save_tracked(ctx, profile, PROFILE_FIELDS, expected_version=expected_version, before=before).record
    if expected_version != profile.version:
        raise ConcurrentEditError
    profile.version += 1
    return save_tracked(ctx, profile, PROFILE_FIELDS, before=before, action=AccessAction.CREATE).record


@transaction.atomic
def save_profile(
    ctx: AuditContext, client: Client, *, nationwide: bool, notes: str, expected_version: int,
) -> HousingSearchProfile:
    """Save whether the client searches nationwide and the notes; creates
    the search record on the first save."""
    _lock_client(client)

    def edit(profile: HousingSearchProfile) -> None:
        profile.nationwide = nationwide
        profile.notes = notes.strip()

    return _save_profile(ctx, _stored_profile(client), expected_version=expected_version, edit=edit)


@transaction.atomic
def record_check(ctx: AuditContext, client: Client, on: date) -> HousingSearchProfile:
    """The bolots's monthly check of the housing search on day `on`.

    "Last checked" keeps the latest check: a check entered late for an
    earlier day is logged but does not move the date back. It is a change
    of the search record: a form opened before it gets a conflict.
    """
    _lock_client(client)
    profile = _stored_profile(client)

    def edit(profile: HousingSearchProfile) -> None:
        if profile.checked_on is None or on > profile.checked_on:
            profile.checked_on = on

    return _save_profile(ctx, profile, expected_version=profile.version, edit=edit)


def _check_queue_dates(registration: QueueRegistration) -> None:
    if registration.ended_on and registration.ended_on < registration.registered_since:
        raise SearchError(
            _("The client cannot leave the queue before registering in it (%(date)s).")
            % {"date": registration.registered_since.strftime("%Y-%m-%d")},
            code="ended_before_registered",
            field="ended_on",
        )


def _add(ctx: AuditContext, row: Model) -> Model:
    row.save()
    log_access(ctx, AccessAction.CREATE, row, note="")
    return row


@transaction.atomic
def add_registration(ctx: AuditContext, client: Client, registration: QueueRegistration) -> QueueRegistration:
    """A new housing-queue registration of `client` (an unsaved QueueRegistration)."""
    _lock_client(client)
    registration.client = client
    registration.queue = registration.queue.strip()
    _check_queue_dates(registration)
    return _add(ctx, registration)


@transaction.atomic
def update_registration(
    ctx: AuditContext, registration: QueueRegistration, *, expected_version: int,
) -> QueueRegistration:
    """Save the edited `registration` (queue, since, left)."""
    _lock_client(registration.client)
    registration.queue = registration.queue.strip()
    return save_tracked(ctx, registration, QUEUE_FIELDS, expected_version=expected_version,
                        check=lambda stored: _check_queue_dates(registration)).record


@transaction.atomic
def add_application(ctx: AuditContext, client: Client, application: HousingApplication) -> HousingApplication:
    """A new housing application of `client` (an unsaved HousingApplication)."""
    _lock_client(client)
    application.client = client
    application.where = application.where.strip()
    return _add(ctx, application)


@transaction.atomic
def update_application(
    ctx: AuditContext, application: HousingApplication, *, expected_version: int,
) -> HousingApplication:
    """Save the edited `application` (date, where, result)."""
    _lock_client(application.client)
    application.where = application.where.strip()
    return save_tracked(ctx, application, APPLICATION_FIELDS, expected_version=expected_version).record
