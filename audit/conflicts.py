"""Showing a refused save again: someone else saved the record after the
user opened it (audit.versioning raised ConcurrentEditError).

Nothing entered is lost: the page shows the user's input again, bound to
the version now stored (so saving once more is a deliberate overwrite),
with the page's message on top and the saved values beside it
(templates/includes/saved_values.html).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.db import models
from django.http import HttpRequest

from core.forms import add_rule_error
from core.rules import RuleError

from .services import snapshot
from .versioning import ConcurrentEditError


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


@dataclass
class Edit:
    """What save_edit() did: the form to show (the user's, or the user's
    input rebound after a conflict), the saved values beside it after a
    conflict, and whether the save went through."""

    form: forms.BaseForm
    conflict_values: list[tuple[str, str]] | None = None
    saved: bool = False


def save_edit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[forms.BaseForm], object],
    *,
    reread: Callable[[], models.Model],
    fields: Sequence[str],
    message: str,
    display: Callable[..., dict] = snapshot,
    only_form_fields: bool = True,
    **form_kwargs,
) -> Edit:
    """The edit page's POST: validate `form`, save it through `save(form)`
    (the service). A refused rule (core.rules.RuleError) goes beside its
    field; someone else's save meanwhile (ConcurrentEditError) shows the
    user's input again against the stored record (`reread()`), with
    `message` and the saved values of `fields` (those the form shows, unless
    not `only_form_fields`). `form_kwargs` rebuild the form (besides its
    instance)."""
    if request.method != "POST" or not form.is_valid():
        return Edit(form)
    try:
        save(form)
    except ConcurrentEditError:
        current = reread()
        # Read the saved values before the new form binds the user's input
        # onto the same instance.
        values = saved_values(current, fields, form if only_form_fields else None, display)
        return Edit(form_after_conflict(request, type(form), current, message, instance=current, **form_kwargs),
                    values)
    except RuleError as error:
        add_rule_error(form, error)
        return Edit(form)
    return Edit(form, saved=True)
