"""Forms of the work with residents: accountability meetings, anonymous feedback, the
performance card.

Choice lists come from the user's scope (passed in by the view), so a value outside it is a
form error, never a 500 or a leak. Business rules stay in prevention.services; a form checks
only what it can see by itself (required, lengths, ranges).
"""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, DateInput, PlainTextFormMixin
from prevention.models import MeetingQuestion, ResidentFeedback

COMMENT_MAX_LENGTH = ResidentFeedback._meta.get_field("comment").max_length
TOPICS_MAX_LENGTH = 4000
QUESTION_MAX_LENGTH = 2000
MAX_ATTENDANCE = 100_000
# The largest id the database holds (a bigint): a bigger one is a form error, not a lookup.
MAX_ID = 2**63 - 1


class MeetingScheduleForm(BootstrapFormMixin, forms.Form):
    mahalla = forms.ModelChoiceField(queryset=None, label=_("Mahalla"), empty_label=None)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    topics = forms.CharField(
        label=_("Topics to report on"),
        required=False,
        max_length=TOPICS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mahalla"].queryset = mahallas


class MeetingHeldForm(BootstrapFormMixin, forms.Form):
    attendance = forms.IntegerField(
        label=_("Residents attending"), min_value=0, max_value=MAX_ATTENDANCE
    )
    topics = forms.CharField(
        label=_("Topics reported on"),
        max_length=TOPICS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionAddForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Question raised"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)


class QuestionUpdateForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=MeetingQuestion.State.choices)
    follow_up = forms.CharField(
        label=_("Follow-up"),
        required=False,
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, question: MeetingQuestion, **kwargs):
        kwargs.setdefault("initial", {"state": question.state, "follow_up": question.follow_up})
        # One form per question on the page: the prefix keeps their ids apart.
        kwargs.setdefault("prefix", f"q{question.pk}")
        super().__init__(*args, **kwargs)


RATING_CHOICES = [
    (1, _("1 — very bad")),
    (2, _("2 — bad")),
    (3, _("3 — acceptable")),
    (4, _("4 — good")),
    (5, _("5 — excellent")),
]


class FeedbackForm(PlainTextFormMixin, forms.Form):
    """The resident's form: no name, no phone, nothing that identifies them."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_(
            "Do not write names, addresses or phone numbers. "
            "Comments are published after moderation."
        ),
    )
    mahalla = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Your mahalla (optional)"),
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )

    def __init__(self, *args, mahallas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mahalla"].queryset = mahallas
        self.fields["comment"].widget.attrs["maxlength"] = COMMENT_MAX_LENGTH


class ModerationForm(PlainTextFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])


class PerformanceForm(BootstrapFormMixin, forms.Form):
    """Which card and which period; the scope of the ids is checked by the view."""

    inspector = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    territory = forms.CharField(
        label=_("Territory code"), required=False, max_length=20, strip=True
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    MAX_DAYS = 366 * 5

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = timezone.localdate()
        date_to = cleaned.get("date_to") or today
        date_from = cleaned.get("date_from") or default_period_start(date_to)
        if date_from > date_to:
            self.add_error("date_from", _("The start of the period is after its end."))
        elif (date_to - date_from).days > self.MAX_DAYS:
            self.add_error("date_from", _("The period can be at most five years long."))
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned


def default_period_start(date_to):
    """The first day of the twelve months ending on `date_to`."""
    try:
        year_before = date_to.replace(year=date_to.year - 1)
    except ValueError:  # 29 February
        year_before = date_to.replace(year=date_to.year - 1, day=28)
    return year_before + timedelta(days=1)
