"""One token per form: a create form saved twice (a double click, a slow
network and a second tap, the back button and "send again") creates one
record, not two.

The form page carries a hidden single-use token (`{% submit_token %}` from
accounts/templatetags/submissions.py, beside `{% csrf_token %}`); the view is
wrapped in `@single_submission`. A POST claims its token by inserting a
FormSubmission row in the same transaction as the view's writes:

- the view redirects (it saved): the row keeps the address it redirected to;
  a second POST with the token finds it and is sent there with a message,
  without running the view;
- the view shows the form again (refused, or asking "Save anyway"): nothing
  was created, so the claim is removed and the token can be sent again;
- two POSTs at the same moment: the second insert waits on the unique
  constraint until the first commits (PostgreSQL; SQLite serialises writers)
  and then finds the first one's row.

A POST without a (well-formed) token is handled as before: the token guards
against accidents, not against someone who wants two records (they could
open the form twice), and pages opened before it existed keep working.
The stored address is the record's page (ids only, no personal data).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FormSubmission

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

FIELD_NAME = "submit_token"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Claims are only needed while a second POST of the same page can come (a
# double click, the back button); older rows are removed as new ones arrive.
KEEP_FOR = timedelta(days=2)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request: HttpRequest) -> str | None:
    """The request's well-formed token, or None."""
    token = request.POST.get(FIELD_NAME, "") if request.method == "POST" else ""
    return token if TOKEN_PATTERN.fullmatch(token) else None


def _send_to_first(request: HttpRequest, target: str) -> HttpResponse:
    messages.info(request, _("The form had already been sent and saved; this is what was saved."))
    return redirect(target)


def single_submission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a create view so that its token is used once (module docstring).
    The view must redirect when it saved, and save nothing when it does not."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = posted_token(request)
        if token is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        done = FormSubmission.objects.filter(user=request.user, token=token).first()
        if done is not None and done.target:
            return _send_to_first(request, done.target)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(user=request.user, token=token)
            except IntegrityError:
                claim = None
            if claim is None:
                done = FormSubmission.objects.filter(user=request.user, token=token).first()
                if done is not None and done.target:
                    return _send_to_first(request, done.target)
                # Claimed by a request that is still running on another
                # connection and not yet committed (only possible without
                # the waiting insert): run as an unguarded post would.
                return view(request, *args, **kwargs)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.get("Location"):
                claim.target = response["Location"][:500]
                claim.save(update_fields=["target"])
            else:
                claim.delete()
            FormSubmission.objects.filter(user=request.user, created_at__lt=timezone.now() - KEEP_FOR).delete()
        return response

    wrapped.single_submission = True
    return wrapped
