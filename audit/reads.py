"""Every read of client data is logged: the per-request read recorder.

The access helper (accounts.access.fetch_visible) logs the record a page is
about, but a page shows more: a list of clients, the tenant of an
apartment, the participants of a course, the client picker of a form. A
rule that every view must remember to log each of those cannot be kept, so
the recording is done where client data comes from: every `Client` instance
built from a database row (`referrals.models.Client.from_db`) reports itself
(`saw()`) to the recorder of the current unit of work, and at the end of
that unit (a request: audit.middleware.ReadLogMiddleware; a task or command:
`recording()`) the recorder writes one access-log row per client read, in
ONE bulk insert, leaving out the clients that already have a row from this
request (the access helper's, a service function's). Records that show
client data without a Client instance (the access log's own snapshots) call
`saw_snapshot()`.

Limits, stated in docs/access.md: a client loaded but not shown (a form's
validation, a permission check after the fetch) is logged as read too: the
log errs on the side of too much. `QuerySet.values()` builds no instances:
code that shows client names from `values()` must call `saw_snapshot()`.

audit sits below referrals and cannot name its Client model: referrals
registers it (`track()`, in ReferralsConfig.ready) with the fields the log's
snapshot of the client is made from; the rows' record type is the model's
label ("referrals.client").

Searches are logged with what was searched (`log_search`); identity numbers
in a search term are replaced by a keyed hash, never stored in clear.

Duty reads. Some pages show clients the user did not choose, as part of a
duty of checking the register itself: the monthly log review shows the
drawn reads, the culling list the persons due. Apps declare such pages on
their AppConfig (`duty_pages = {"logreview:month_detail": "log-review"}`).
Their reads are logged like any other (the log stays complete), but the
rows' note starts with the duty's tag (`duty:log-review; read by …`), so
that the log review's risk rules can tell them apart (docs/log-review.md
"Duty reads"). The tag alone is not trusted: `is_duty_read` also needs the
row's path to resolve to a page declared for that duty, because a note can
end in text a user typed (a search term, a reason).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db import models

    from audit.context import AuditContext
    from audit.models import AccessLogEntry

_current = ContextVar("bolots_read_recorder", default=None)

# The prefix of a duty read's note: "duty:<code>" then "; " and the rest.
DUTY_PREFIX = "duty:"

# Runs of four or more digits (ignoring the separators people type inside an
# identity number) are identity numbers or parts of one.
_DIGITS = re.compile(r"\d[\d\s+-]{2,}\d")


@dataclass(frozen=True)
class TrackedModel:
    """The model whose every read is logged, and how a log row describes
    one of its records without loading it: `label_fields` joined by spaces
    (what the model's `audit_label` gives) and `number_field` (the identity
    number)."""

    model: type[models.Model]
    label_fields: tuple[str, ...]
    number_field: str

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.label_fields, self.number_field)


_tracked: TrackedModel | None = None


def track(model: type[models.Model], *, label_fields: tuple[str, ...], number_field: str) -> None:
    """Register the model whose instances report themselves through `saw()`
    (referrals' Client, from ReferralsConfig.ready). One model only: the
    recorder keys what it saw by primary key, and the log's client_id names
    a record of that model."""
    global _tracked
    registration = TrackedModel(model, tuple(label_fields), number_field)
    if _tracked is not None and _tracked != registration:
        raise ImproperlyConfigured(f"audit.reads already tracks {_tracked.object_type}, not {registration.object_type}.")
    _tracked = registration


def tracked() -> TrackedModel:
    """The registered model; an error if no app registered one (reads were
    recorded, but nothing says what they were reads of)."""
    if _tracked is None:
        raise ImproperlyConfigured("No app registered the model whose reads are logged (audit.reads.track).")
    return _tracked


class ReadRecorder:
    """The clients read during one unit of work, and those already logged."""

    def __init__(self, purpose: str = "") -> None:
        self.purpose = purpose
        self.note = ""
        # The duty this unit of work serves (a declared duty page), or "".
        self.duty = ""
        self._seen = {}  # client id -> Client instance or (label, number)
        self._logged = set()  # client ids with a log row from this unit of work
        self._deferred = []  # rows built by the access helpers, written by flush()

    def saw(self, client: models.Model) -> None:
        if client.pk is not None and client.pk not in self._seen:
            self._seen[client.pk] = client

    def saw_snapshot(self, client_id: int | None, label: str | None = None, number: str | None = None) -> None:
        """A client shown from something other than a Client instance (a
        log row's snapshot, an annotated name). Without label and number,
        the flush reads them."""
        if client_id is not None and client_id not in self._seen:
            self._seen[client_id] = None if label is None else (label, number or "")

    def mark_logged(self, client_ids: Iterable[int]) -> None:
        self._logged.update(pk for pk in client_ids if pk is not None)

    def defer(self, rows: list[AccessLogEntry]) -> None:
        """Rows of reads logged by the access helpers (audit.services):
        written with the recorded reads in flush()'s one insert."""
        self._deferred.extend(rows)
        self.mark_logged(row.client_id for row in rows)

    @property
    def unlogged(self) -> list[int]:
        return [pk for pk in self._seen if pk not in self._logged]

    @property
    def pending(self) -> bool:
        return bool(self._deferred) or bool(self.unlogged)

    def rows(self, ctx: AuditContext) -> list[AccessLogEntry]:
        """Unsaved AccessLogEntry rows for the clients read and not yet logged."""
        from .models import AccessAction, AccessLogEntry

        pending = self.unlogged
        if not pending:
            return []
        model = tracked()
        labels = self._labels(model, pending)
        note = "; ".join(part for part in (duty_tag(self.duty), self.purpose, self.note) if part)
        return [
            AccessLogEntry(
                user=ctx.user,
                action=AccessAction.VIEW,
                client_id=pk,
                client_label=labels[pk][0][:200],
                client_number=labels[pk][1][:12],
                object_type=model.object_type,
                object_id=str(pk),
                path=ctx.path,
                ip_address=ctx.ip_address,
                note=note[:300],
            )
            for pk in pending
            if pk in labels
        ]

    def _labels(self, model: TrackedModel, pending: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(label, number) per client id. From the instances where their
        fields were loaded, otherwise one query (values(): no instances, so
        nothing new is recorded while flushing)."""
        labels, missing = {}, []
        for pk in pending:
            seen = self._seen[pk]
            if seen is None:
                missing.append(pk)
            elif isinstance(seen, tuple):
                labels[pk] = seen
            elif set(model.fields) & seen.get_deferred_fields():
                missing.append(pk)
            else:
                labels[pk] = (seen.audit_label or "", getattr(seen, model.number_field) or "")
        if missing:
            rows = model.model._default_manager.filter(pk__in=missing).values("pk", *model.fields)
            for row in rows:
                label = " ".join(row[field] for field in model.label_fields)
                labels[row["pk"]] = (label, row[model.number_field])
        return labels

    def flush(self, ctx: AuditContext) -> list[AccessLogEntry]:
        """Write the rows in one insert; returns them."""
        from .models import AccessLogEntry

        if self.duty:
            # The access helpers' rows of this duty page (the month, the
            # drawn read) are duty reads too.
            tag = duty_tag(self.duty)
            for row in self._deferred:
                if row.client_id is not None and not row.note.startswith(DUTY_PREFIX):
                    row.note = "; ".join(part for part in (tag, row.note) if part)[:300]
        rows = self._deferred + self.rows(ctx)
        self._deferred = []
        if not rows:
            return []
        # Through the model's manager, so that whatever guards or chains
        # the access log (audit.models) applies to these rows too.
        written = AccessLogEntry.objects.bulk_create(rows)
        self.mark_logged(row.client_id for row in rows)
        return written


def duty_tag(code: str) -> str:
    return f"{DUTY_PREFIX}{code}" if code else ""


@cache
def duty_pages() -> dict[str, str]:
    """{url name: duty code} declared by the installed apps (`duty_pages`)."""
    from django.apps import apps

    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        found.update(getattr(config, "duty_pages", {}) or {})
    return found


def duty_of(view_name: str | None) -> str:
    """The duty a page serves ("" for an ordinary page)."""
    return duty_pages().get(view_name or "", "")


def duty_code(note: str) -> str:
    """The duty code a note is tagged with ("" without a tag)."""
    if not (note or "").startswith(DUTY_PREFIX):
        return ""
    return note[len(DUTY_PREFIX):].split(";", 1)[0].strip()


def is_duty_read(note: str, path: str) -> bool:
    """A row written by a declared duty page: the note carries a duty's tag
    AND the row's path is a page declared for that duty. Either alone is
    not enough (a typed search term could look like a tag; a duty page's
    path is not a tag)."""
    from django.urls import Resolver404, resolve

    code = duty_code(note)
    if not code or not path:
        return False
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return duty_of(match.view_name) == code


def current() -> ReadRecorder | None:
    return _current.get()


def saw(client: models.Model) -> None:
    """Called by Client.from_db for every client built from a database row."""
    recorder = _current.get()
    if recorder is not None:
        recorder.saw(client)


def saw_snapshot(client_id: int | None, label: str | None = None, number: str | None = None) -> None:
    recorder = _current.get()
    if recorder is not None:
        recorder.saw_snapshot(client_id, label, number)


def mark_logged(client_ids: Iterable[int]) -> None:
    """Called by the writers of access-log rows, so that the recorder does
    not write a second row for a client already logged in this request."""
    recorder = _current.get()
    if recorder is not None:
        recorder.mark_logged(client_ids)


def defer(rows: list[AccessLogEntry]) -> bool:
    """Hand rows to the current recorder; False when there is none (the
    caller writes them itself)."""
    recorder = _current.get()
    if recorder is None:
        return False
    recorder.defer(rows)
    return True


def add_note(text: str) -> None:
    """A word on why the clients of this request were read (a search)."""
    recorder = _current.get()
    if recorder is not None and text:
        recorder.note = f"{recorder.note}; {text}" if recorder.note else text


@contextmanager
def recorder(purpose: str = "") -> Iterator[ReadRecorder]:
    """Record reads for the duration; yields the recorder. The caller
    flushes (the middleware does it with the request's user)."""
    rec = ReadRecorder(purpose)
    token = _current.set(rec)
    try:
        yield rec
    finally:
        _current.reset(token)


@contextmanager
def recording(ctx: AuditContext, purpose: str = "") -> Iterator[ReadRecorder | None]:
    """For tasks and commands that show client data (an export, an e-mail,
    a PDF): record the reads and write them as `ctx.user` at the end.
    Nested inside a request, the request's recorder does the work."""
    if _current.get() is not None:
        add_note(purpose)
        yield _current.get()
        return
    with recorder(purpose) as rec:
        yield rec
        if ctx.user is not None and getattr(ctx.user, "pk", None) is not None:
            rec.flush(ctx)


def number_digest(digits: str) -> str:
    """A keyed hash of an identity number (or part of one): the same number
    gives the same digest, so a reviewer can find searches for a known
    number, but the log does not hold the number itself."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()[:12]


def mask_search_term(term: str) -> str:
    """The search term as stored in the log: words as typed, every run of
    digits (an identity number or part of one) replaced by `nr:<digest>`."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return f"nr:{number_digest(digits)}"

    return _DIGITS.sub(replace, (term or "").strip())[:200]


def log_search(ctx: AuditContext, term: str, *, what: str, matched: int) -> AccessLogEntry:
    """One row for a search (the masked term and how many records matched);
    the clients shown get their own rows, noted with the same search."""
    from .models import AccessAction
    from .services import log_access

    masked = mask_search_term(term)
    add_note(f"search {what}: {masked}")
    return log_access(
        ctx,
        AccessAction.VIEW,
        object_type="search",
        note=f"search {what}: {masked}; {matched} matched",
    )
