"""Writes of a client's housing search (bostadssökande): the search record
(nationwide or not, notes, the date of the latest monthly check), the
housing-queue registrations and the applications.

Each function runs in one transaction and writes its access-log row, and for
edits the field history, there. All writes about one client's search are
serialised on the client's row, so two bolotsar saving at once cannot create
two search records or interleave their checks.

The three models carry no version number, so an edit form carries a
fingerprint of the values it was opened with instead (`fingerprint()`): when
the stored values differ on save, someone else saved in between and
ConcurrentEditError is raised (nothing entered is lost: the view shows the
user's input again beside the saved values).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import diff_fields, log_access, record_changes, snapshot
from audit.versioning import ConcurrentEditError
from referrals.models import Client

from ..models import HousingApplication, HousingSearchProfile, QueueRegistration

if TYPE_CHECKING:
    from datetime import date

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


class SearchError(ValidationError):
    """The rules refuse the write; the message is Swedish and for the user."""

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message, code=code)
        self.field = field


def fingerprint(obj, fields):
    """A short digest of the stored values of `fields`, carried by an edit
    form so that the save can tell whether someone changed them meanwhile."""
    values = {name: value for name, (_label, value, _protected) in snapshot(obj, fields).items()}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:32]


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


def _save_with_history(ctx, obj, fields, before, *, created):
    """Save `obj`, keep the history of what changed since `before` (None for
    a new row: its values are its history), and log the write."""
    obj.save()
    changes = [] if before is None else diff_fields(before, snapshot(obj, fields), fields)
    if changes:
        record_changes(ctx, obj, changes)
    log_access(
        ctx,
        AccessAction.CREATE if created else AccessAction.UPDATE,
        obj,
        note=", ".join(change.field for change in changes),
    )
    return obj


def _check_fingerprint(obj, fields, expected):
    if expected is not None and fingerprint(obj, fields) != expected:
        raise ConcurrentEditError


@transaction.atomic
def save_profile(ctx, client, *, nationwide, notes, expected_fingerprint=None):
    """Save whether the client searches nationwide and the notes; creates
    the search record on the first save."""
    _lock_client(client)
    profile = _stored_profile(client)
    _check_fingerprint(profile, PROFILE_FIELDS, expected_fingerprint)
    created = profile.pk is None
    before = snapshot(profile, PROFILE_FIELDS)
    profile.nationwide = nationwide
    profile.notes = notes.strip()
    return _save_with_history(ctx, profile, PROFILE_FIELDS, before, created=created)


@transaction.atomic
def record_check(ctx: AuditContext, client: Client, on: date) -> HousingSearchProfile:
    """The bolots's monthly check of the housing search on day `on`.

    "Last checked" keeps the latest check: a check entered late for an
    earlier day is logged but does not move the date back.
    """
    _lock_client(client)
    profile = _stored_profile(client)
    created = profile.pk is None
    before = snapshot(profile, PROFILE_FIELDS)
    if profile.checked_on is None or on > profile.checked_on:
        profile.checked_on = on
    return _save_with_history(ctx, profile, PROFILE_FIELDS, before, created=created)


def _check_queue_dates(registration: QueueRegistration) -> None:
    if registration.ended_on and registration.ended_on < registration.registered_since:
        raise SearchError(
            _("The client cannot leave the queue before registering in it (%(date)s).")
            % {"date": registration.registered_since.strftime("%Y-%m-%d")},
            code="ended_before_registered",
            field="ended_on",
        )


@transaction.atomic
def add_registration(ctx: AuditContext, client: Client, registration: QueueRegistration) -> QueueRegistration:
    """A new housing-queue registration of `client` (an unsaved QueueRegistration)."""
    _lock_client(client)
    registration.client = client
    registration.queue = registration.queue.strip()
    _check_queue_dates(registration)
    return _save_with_history(ctx, registration, QUEUE_FIELDS, None, created=True)


@transaction.atomic
def update_registration(ctx, registration, *, expected_fingerprint=None):
    """Save the edited `registration` (queue, since, left)."""
    _lock_client(registration.client)
    stored = QueueRegistration.objects.get(pk=registration.pk)
    _check_fingerprint(stored, QUEUE_FIELDS, expected_fingerprint)
    registration.queue = registration.queue.strip()
    _check_queue_dates(registration)
    before = snapshot(stored, QUEUE_FIELDS)
    return _save_with_history(ctx, registration, QUEUE_FIELDS, before, created=False)


@transaction.atomic
def add_application(ctx: AuditContext, client: Client, application: HousingApplication) -> HousingApplication:
    """A new housing application of `client` (an unsaved HousingApplication)."""
    _lock_client(client)
    application.client = client
    application.where = application.where.strip()
    return _save_with_history(ctx, application, APPLICATION_FIELDS, None, created=True)


@transaction.atomic
def update_application(ctx, application, *, expected_fingerprint=None):
    """Save the edited `application` (date, where, result)."""
    _lock_client(application.client)
    stored = HousingApplication.objects.get(pk=application.pk)
    _check_fingerprint(stored, APPLICATION_FIELDS, expected_fingerprint)
    application.where = application.where.strip()
    before = snapshot(stored, APPLICATION_FIELDS)
    return _save_with_history(ctx, application, APPLICATION_FIELDS, before, created=False)
