from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from prevention.models import MahallaContact


class MahallaContactForm(BootstrapFormMixin, forms.Form):
    position = forms.ChoiceField(choices=MahallaContact.Position.choices, label=_("Position"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^\+?[0-9 ()-]{7,20}$",
        required=False,
        error_messages={"invalid": _("Enter a phone number such as +998 90 123 45 67.")},
    )
