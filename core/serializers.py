from rest_framework import serializers

from core.text import validate_plain_text


def _text_fields(field: serializers.Field):
    """The text fields a field holds: itself, or the items of a list or a dictionary."""
    if isinstance(field, serializers.ListField | serializers.DictField):
        yield from _text_fields(field.child)
    elif (
        isinstance(field, serializers.CharField)  # and its kinds: e-mail, URL, slug, regex
        and field.style.get("input_type") != "password"  # a secret is never shown back
    ):
        yield field


class PlainTextInputSerializer(serializers.Serializer):
    """The base of every API input serializer: its text fields refuse markup and
    text-direction controls (core.text.validate_plain_text), as the forms' do
    (core.forms.PlainTextFormMixin), so that the API accepts no text the pages would refuse.

    Choices, numbers, dates and ids are checked by their own fields; DRF's CharField refuses
    null bytes itself.
    """

    def get_fields(self):
        fields = super().get_fields()  # fresh copies for this instance: safe to change
        for field in fields.values():
            for text_field in _text_fields(field):
                if validate_plain_text not in text_field.validators:
                    text_field.validators = [*text_field.validators, validate_plain_text]
        return fields
