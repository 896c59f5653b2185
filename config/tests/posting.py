"""What a browser posts for a form as a page rendered it, and the
optimistic-lock fields in it (core.forms.VersionedFormMixin: `version`; the
course attendance grid: `versions`). Shared by the fuzzer (fuzz.py) and
test_missing_version.py, which both post a page's forms back without them."""

from django import forms

LOCK_FIELDS = ("version", "versions")


def post_data(form: forms.BaseForm) -> dict:
    """What the browser would send for `form` as the page rendered it."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None or isinstance(bound.field, forms.FileField):
            continue
        if getattr(widget, "allow_multiple_selected", False):
            data[bound.html_name] = [str(item) for item in value]
            continue
        formatted = widget.format_value(value)
        if isinstance(formatted, list):  # a select's one chosen value
            formatted = formatted[0] if formatted else ""
        data[bound.html_name] = "" if formatted is None else str(formatted)
    return data


def is_lock_field(name: str) -> bool:
    """Whether the posted `name` (with or without a form prefix) is a lock field."""
    return name.split("-")[-1] in LOCK_FIELDS


def without_lock(data: dict) -> dict:
    return {name: value for name, value in data.items() if not is_lock_field(name)}
