"""Forms of the housing course: a round with its leaders, its four sessions,
enrolment and the attendance grid."""

from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.widgets import DateInput
from core.dates import DateBoundsMixin
from core.forms import ModelMultipleChoiceField, VersionedFormMixin
from referrals.services.orders import unit_pilots

from ..models import CourseRound, CourseSession
from ..services.courses import check_mark, grid_versions, parse_grid_versions

DEFAULT_START_TIME = time(13, 0)


class TimeInput(forms.TimeInput):
    """The browser's time picker; values as 13:00."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class LeaderChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class RoundForm(DateBoundsMixin, VersionedFormMixin, forms.ModelForm):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("starts_on",)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=50, initial=6)
    leaders = LeaderChoiceField(
        label=_("Leaders"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Bolotsar of the unit; at least one."),
        error_messages={"required": _("Choose at least one leader.")},
    )

    class Meta:
        model = CourseRound
        fields = ["starts_on", "place", "capacity", "leaders"]
        widgets = {"starts_on": DateInput}
        labels = {"starts_on": _("Start date"), "place": _("Place")}

    def __init__(self, *args, unit_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = unit_pilots(unit_id).order_by("first_name", "last_name", "username")


class RoundCreateForm(RoundForm):
    starts_at = forms.TimeField(
        label=_("Time of the sessions"),
        initial=DEFAULT_START_TIME,
        widget=TimeInput,
        help_text=_("The four sessions of two hours are set a week apart from the start date, at this time. "
                    "Dates, times and topics can be changed afterwards."),
    )


class SessionForm(DateBoundsMixin, forms.ModelForm):
    # Planned events: at most two years ahead (core.dates).
    planned_dates = ("held_on",)
    class Meta:
        model = CourseSession
        fields = ["held_on", "starts_at", "topic"]
        widgets = {"held_on": DateInput, "starts_at": TimeInput}
        labels = {"held_on": _("Date"), "starts_at": _("Time"), "topic": _("Topic")}


class EnrolForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=None,
        empty_label=_("Choose a client"),
        help_text=_("Clients you may see who wait for a training apartment or have moved into one "
                    "and have not completed the course."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = candidates
        self.fields["client"].label_from_instance = lambda client: (
            f"{client.full_name} ({client.personal_number_display})"
        )


def attended_name(enrolment, session):
    return f"a-{enrolment.pk}-{session.pk}"


def made_up_name(enrolment, session):
    return f"m-{enrolment.pk}-{session.pk}"


class AttendanceForm(DateBoundsMixin, forms.Form):
    """A checkbox (attended) and a make-up date per participant and session.

    Only the cells that differ from the stored attendance are saved
    (`changed_marks`), so that a save never rewrites what it did not touch;
    `versions` carries the versions of the participants shown, which tell
    whether their attendance was saved after the grid was opened.
    """

    versions = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enrolments, sessions, stored, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versions"].initial = grid_versions(enrolments)
        self.enrolments, self.sessions, self.stored, self.today = enrolments, sessions, stored, today
        for enrolment in enrolments:
            for session in sessions:
                row = stored.get((enrolment.pk, session.pk))
                self.fields[attended_name(enrolment, session)] = forms.BooleanField(
                    label=_("Attended"), required=False, initial=bool(row and row.attended),
                    widget=forms.CheckboxInput(attrs={"class": "btn-check", "autocomplete": "off"}),
                )
                self.fields[made_up_name(enrolment, session)] = forms.DateField(
                    label=_("Made up on"), required=False, initial=row.made_up_on if row else None,
                    widget=DateInput(attrs={"class": "form-control form-control-sm"}),
                )

    def _stored_mark(self, enrolment, session):
        row = self.stored.get((enrolment.pk, session.pk))
        return (row.attended, row.made_up_on) if row else (False, None)

    def clean(self):
        data = super().clean()
        self._changed = {}
        for enrolment in self.enrolments:
            for session in self.sessions:
                a_name, m_name = attended_name(enrolment, session), made_up_name(enrolment, session)
                if m_name in self.errors:
                    continue
                mark = (bool(data.get(a_name)), data.get(m_name))
                if mark == self._stored_mark(enrolment, session):
                    continue
                message = check_mark(session, *mark, self.today)
                if message:
                    # Beside the date when the date is wrong, else beside the box.
                    self.add_error(m_name if mark[1] else a_name, message)
                else:
                    self._changed[(enrolment.pk, session.pk)] = mark
        return data

    def expected_versions(self):
        """{enrolment id: version} as the grid was opened ({}: a conflict)."""
        return parse_grid_versions(self.cleaned_data.get("versions"))

    def changed_marks(self):
        return dict(self._changed)
