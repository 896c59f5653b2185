"""Showing a refused save again: someone else saved the record after the
user opened it (audit.versioning raised ConcurrentEditError).

Nothing entered is lost: the page shows the user's input again, bound to
the version now stored (so saving once more is a deliberate overwrite),
with the page's message on top and the saved values beside it
(templates/includes/saved_values.html).
"""

from collections.abc import Callable, Sequence

from django import forms
from django.db import models
from django.http import HttpRequest

from .services import snapshot


def saved_values(
    current: models.Model,
    fields: Sequence[str],
    form: forms.BaseForm | None = None,
    display: Callable[..., dict] = snapshot,
) -> list[tuple[str, str]]:
    """(label, saved value) of each tracked field, for the saved-values card;
    only the fields the form shows when `form` is given. Read them before a
    new form binds the user's input onto the same instance."""
    return [
        (label, value)
        for name, (label, value, _protected) in display(current, fields).items()
        if form is None or name in form.fields
    ]


def form_after_conflict(
    request: HttpRequest,
    form_class: type[forms.BaseForm],
    current: models.Model | None,
    message: str,
    *,
    version: int | None = None,
    prefix: str | None = None,
    extra: dict | None = None,
    **form_kwargs,
) -> forms.BaseForm:
    """The posted form again, against `current`'s stored version (or
    `version`), validated, with `message` on top. `extra` overrides other
    posted values (unprefixed names); `form_kwargs` go to the form."""
    data = request.POST.copy()
    if version is None and current is not None:
        version = current.version
    if version is not None:
        data[f"{prefix}-version" if prefix else "version"] = str(version)
    for name, value in (extra or {}).items():
        data[f"{prefix}-{name}" if prefix else name] = value
    if prefix:
        form_kwargs["prefix"] = prefix
    form = form_class(data, **form_kwargs)
    form.is_valid()
    form.add_error(None, message)
    return form
