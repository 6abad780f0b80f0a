from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.text import validate_plain_text
from core.uploads import ACCEPT


def add_service_error(form, error: ApplicationError) -> None:
    """Shows a business rule's refusal on the field it names, or above the form."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class PlainTextFormMixin:
    """Refuses markup and text-direction controls in every text field of the form
    (core.text.validate_plain_text), so that no form has to remember to.

    Text fields are CharField and its kinds (e-mail, URL, slug, regex); choices, numbers and
    dates are checked by their own fields. Null bytes are refused by CharField itself. A
    password may hold any character: it is compared, never shown.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.PasswordInput
            ):
                continue
            # Each form holds its own copies of the fields and of their validator lists.
            if validate_plain_text not in field.validators:
                field.validators.append(validate_plain_text)


def with_plain_text(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """The form class, made to refuse markup (PlainTextFormMixin) if it does not already: for
    the forms Django builds itself, such as the admin's."""
    if issubclass(form_class, PlainTextFormMixin):
        return form_class
    attrs = {"__module__": form_class.__module__, "__doc__": form_class.__doc__}
    return type(form_class.__name__, (PlainTextFormMixin, form_class), attrs)


class BootstrapFormMixin(PlainTextFormMixin):
    """Gives every widget its Bootstrap 5 class, and marks fields with errors as invalid; its
    text fields refuse markup (PlainTextFormMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class DateInput(forms.DateInput):
    """The browser's date picker; its value is ISO whatever the interface language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's "Uploading multiple files"); cleans to a list.

    Only the number is checked here (at most `max_files`, unless None); size and real type are
    checked by the services (core.uploads.upload_check), which read the content, not the name.
    """

    def __init__(self, *args, max_files: int | None = 10, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        files = [file for file in (single_file_clean(item, initial) for item in items) if file]
        if self.max_files is not None and len(files) > self.max_files:
            raise forms.ValidationError(
                _("Attach at most %(count)d files at a time.") % {"count": self.max_files}
            )
        return files
