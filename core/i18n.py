"""Reference names are stored once per interface language; these helpers pick the right one."""

from django.utils.translation import get_language

# Interface language code -> suffix of the model field that holds the name in that language.
NAME_FIELD_SUFFIXES = {"uz": "uz", "uz-cyrl": "uz_cyrl", "ru": "ru", "en": "en"}
DEFAULT_SUFFIX = "uz"


def language_suffix(language: str | None = None) -> str:
    """The field suffix for a language code (the active one by default); Uzbek Latin otherwise."""
    code = (language or get_language() or "").lower()
    return NAME_FIELD_SUFFIXES.get(code, DEFAULT_SUFFIX)


def localized(obj, field: str, language: str | None = None) -> str:
    """obj.<field>_<lang> for the active language, falling back to Uzbek Latin when empty."""
    value = getattr(obj, f"{field}_{language_suffix(language)}", "")
    return value or getattr(obj, f"{field}_{DEFAULT_SUFFIX}", "")
