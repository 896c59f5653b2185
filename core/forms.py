"""Form fields that refuse hostile input with a message instead of a 500."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The range of a 64-bit primary key (BigAutoField).
PK_MIN, PK_MAX = -(2**63), 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, but an id beyond 64 bits is an invalid choice.

    Django checks the chosen ids with an `__in` query, and an id such as
    99999999999999999999 makes SQLite raise OverflowError (PostgreSQL a
    DataError) inside the query: a 500 from a posted form (found by the
    fuzzer, config/tests/fuzz.py). A single ModelChoiceField is safe:
    Django turns an out-of-range exact lookup into "no such row"."""

    def _check_values(self, value):
        for pk in value or ():
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and not PK_MIN <= int(text) <= PK_MAX:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": text[:40]})
        return super()._check_values(value)


def add_rule_error(form: forms.BaseForm, error: ValidationError, field_map: dict | None = None) -> None:
    """Put a refused rule's message (core.rules.RuleError) beside the field
    it concerns, or on top of the form when the form has no such field.
    `field_map` renames a service's field to the form's."""
    field = getattr(error, "field", None)
    field = (field_map or {}).get(field, field)
    form.add_error(field if field in form.fields else None, error.messages[0])


# A form posted without its version (a page from before the field existed, a
# hand-made request, a proxy that dropped it) is a conflict: the user cannot
# have seen the stored values, so saving over them would be the silent
# overwrite optimistic locking (audit.versioning) exists to prevent. Version
# 0 is never stored (the field starts at 1 and only grows), so claiming it
# always fails.
MISSING_VERSION = 0


class VersionedFormMixin(forms.Form):
    """The hidden version of the record the form was opened on, for the
    optimistic lock (audit.versioning). A model form takes its instance's
    version; a form about another record passes `version=`. A post without
    the field gives MISSING_VERSION, a conflict, never an overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is None:
            version = getattr(getattr(self, "instance", None), "version", None)
        self.fields["version"].initial = version

    def expected_version(self) -> int:
        """The version the form was opened with, or MISSING_VERSION."""
        value = self.cleaned_data.get("version")
        return MISSING_VERSION if value is None else value


class AnnulForm(VersionedFormMixin, forms.Form):
    """Annul (makulera) a record entered by mistake: a required reason,
    kept with who and when (audit.annulment). The version is the record's
    when it has one (optimistic lock); otherwise the service locks the row."""

    reason = forms.CharField(
        label=_("Reason for the annulment"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example “Registered twice by mistake”. The record stays, marked annulled, "
                    "and is left out of every figure and report."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write why the record is annulled."), code="required")
        return reason


class SaveAnywayMixin(forms.Form):
    """"Save anyway": the confirmation a likely duplicate asks for. Hidden
    until the service has found one (core.rules.RuleError with
    field="save_anyway"); then `show_save_anyway()` makes it a checkbox beside
    the warning, and ticking it lets the next save through."""

    save_anyway = forms.BooleanField(label=_("Save anyway"), required=False, widget=forms.HiddenInput)

    duplicate_of = None
    duplicate_url = ""

    def show_save_anyway(self, error: ValidationError, existing, url: str, *, add: bool = True) -> None:
        """The service refused a likely duplicate of `existing` (its page at
        `url`) with `error`: the message goes beside the checkbox, which
        is shown unticked; templates/includes/duplicate_warning.html links
        the existing record. `add=False` when the caller puts the message
        there itself (audit.conflicts.save_edit does for a RuleError)."""
        self.duplicate_of, self.duplicate_url = existing, url
        self.fields["save_anyway"].widget = forms.CheckboxInput()
        if add:
            self.add_error("save_anyway", error.messages[0])
