"""Drafts: the signed form token, saving, restoring, deleting, purging.

The token is how the draft endpoint knows the user may write a draft of
that form: the form page hands it out only after the page's view has run
its own access checks (fetch_visible, permissions), and it is signed with
the user's id, the page's path and the fields the form allows. The endpoint
therefore never needs to know any app's rules (accounts sits below them)
and another user's or an outsider's request cannot name someone else's
draft: a draft is always looked up by (request.user, key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Draft

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest

    from accounts.models import User

SALT = "accounts.drafts"
# Name of the hidden input that carries the token in the form (and in the
# autosave request).
TOKEN_FIELD = "_draft"
# A form page left open longer than this cannot autosave any more (the
# session ends long before: SESSION_IDLE_TIMEOUT_MINUTES).
TOKEN_MAX_AGE = timedelta(hours=12)
# Longest text kept per field: far above every form's own limit, so that a
# draft never cuts what the user wrote, but bounded.
MAX_FIELD_LENGTH = 50_000
# The session key saying the user may have drafts: set at login when they
# have any (note_drafts_at_login) and by every autosave. Form pages of a
# user without drafts (nearly every page view) then cost no query.
PENDING_SESSION_KEY = "drafts_pending"
# The session key that remembers a save refused because the session had
# ended (middleware.DraftMiddleware); the restored form then says so.
UNSAVED_SESSION_KEY = "drafts_unsaved"


@dataclass(frozen=True)
class FormToken:
    user_id: int
    page: str
    key: str
    fields: tuple[str, ...]


def form_key(page: str, form: forms.BaseForm) -> str:
    """The page's path and the form on it (several forms share the order page)."""
    return f"{page}#{form.prefix or type(form).__name__}"[:300]


def _draft_fields(form: forms.BaseForm) -> tuple[str, ...]:
    names = [name for name in getattr(form, "draft_fields", ()) if name in form.fields]
    # An edit of a stored record keeps the version it was opened with: a
    # restored draft of a record changed since then is saved as a conflict
    # (audit.conflicts.save_edit shows the draft beside the saved values),
    # never silently over the other person's change.
    if names and "version" in form.fields and getattr(getattr(form, "instance", None), "pk", None):
        names.append("version")
    return tuple(names)


def draft_field_names(form: forms.BaseForm) -> tuple[str, ...]:
    """The HTML names of the form's draft fields (with the form's prefix)."""
    return tuple(form.add_prefix(name) for name in _draft_fields(form))


def make_token(user: User, page: str, form: forms.BaseForm) -> str:
    payload = {"u": user.pk, "p": page, "k": form_key(page, form), "f": list(draft_field_names(form))}
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(value: str, user: User | None = None) -> FormToken | None:
    """The token's contents, or None when it is forged, too old or, with
    `user`, another user's."""
    try:
        payload = signing.loads(value or "", salt=SALT, max_age=TOKEN_MAX_AGE)
        token = FormToken(int(payload["u"]), str(payload["p"]), str(payload["k"]), tuple(map(str, payload["f"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is not None and token.user_id != user.pk:
        return None
    return token


def posted_tokens(request: HttpRequest, user: User | None) -> list[FormToken]:
    """The valid tokens of a posted form: one per draft-enabled form in it
    (the visit form holds the visit's and its checklist's)."""
    tokens = (read_token(value, user) for value in request.POST.getlist(TOKEN_FIELD))
    return [token for token in tokens if token is not None]


def clean_text(value: str) -> str:
    # PostgreSQL's jsonb refuses NUL characters; a browser never types one.
    return value.replace("\x00", "")[:MAX_FIELD_LENGTH]


def save_draft(user: User, token: FormToken, values: dict[str, str]) -> Draft:
    """Keep the text of the token's fields (other names are ignored)."""
    data = {name: clean_text(values[name]) for name in token.fields if isinstance(values.get(name), str)}
    try:
        with transaction.atomic():
            draft, _ = Draft.objects.update_or_create(user=user, key=token.key, defaults={"data": data})
    except IntegrityError:
        # Two autosaves of the same form crossed (two tabs): the other
        # created the row first; this one updates it.
        draft = Draft.objects.get(user=user, key=token.key)
        draft.data = data
        draft.save(update_fields=["data", "updated_at"])
    return draft


def discard_draft(user: User, key: str) -> None:
    Draft.objects.filter(user=user, key=key).delete()


def purge_drafts(now: datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    deleted, _ = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


# --- The form page (templatetags/drafts.py) -----------------------------------


@dataclass
class FormDraft:
    """What includes/draft.html needs for one form."""

    token: str
    page: str
    fields: tuple[str, ...]
    restored: Draft | None = None
    # The user's save was refused because the session had ended.
    unsaved: bool = False


def page_of(request: HttpRequest) -> str:
    """The path of the page the form is on. A form re-rendered after a
    failed save may be shown at another URL (the order's step forms post to
    their own): the posted token still names the page it came from."""
    if request.method == "POST":
        for token in posted_tokens(request, request.user):
            return token.page
    return request.path


def note_drafts_at_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """user_logged_in receiver (AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[PENDING_SESSION_KEY] = Draft.objects.filter(user=user).exists()


def _drafts_of_page(request: HttpRequest, page: str) -> dict[str, Draft]:
    """All of the user's drafts on this page, in one query per request (none
    when the session knows of no draft)."""
    cache = getattr(request, "_drafts_by_key", None)
    if cache is None and not request.session.get(PENDING_SESSION_KEY):
        cache = request._drafts_by_key = {}
    if cache is None:
        cache = {draft.key: draft for draft in Draft.objects.filter(user=request.user, key__startswith=f"{page}#")}
        request._drafts_by_key = cache
    return cache


def prepare_form(request: HttpRequest, form: forms.BaseForm) -> FormDraft | None:
    """Hand the form its token and, when it is opened afresh (not bound)
    and the user left a draft of it, fill the draft's text in.

    Called while the page renders, after the view has checked access, so a
    draft is only ever shown on a page its writer may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(form, "draft_fields", None):
        return None
    page = page_of(request)
    result = FormDraft(token=make_token(user, page, form), page=page, fields=draft_field_names(form))
    if form.is_bound:
        return result
    key = form_key(page, form)
    draft = _drafts_of_page(request, page).get(key)
    if draft is None or not draft.data:
        return result
    for name in _draft_fields(form):
        value = draft.data.get(form.add_prefix(name))
        if value is not None:
            form.initial[name] = value
            # A bound field caches its initial value once rendered.
            form._bound_fields_cache.pop(name, None)
    result.restored = draft
    unsaved = request.session.get(UNSAVED_SESSION_KEY) or []
    if key in unsaved:
        result.unsaved = True
        request.session[UNSAVED_SESSION_KEY] = [other for other in unsaved if other != key]
    return result


def values_of(request: HttpRequest, token: FormToken) -> dict[str, Any]:
    return {name: request.POST.get(name) for name in token.fields}
