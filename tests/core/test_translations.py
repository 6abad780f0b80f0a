"""The four interface catalogues are complete and their compiled files are up to date."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["uz", "uz_Cyrl", "ru", "en"]


@pytest.mark.parametrize("domain", ["django", "djangojs"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language, domain):
    # djangojs: the strings of the pages' scripts (the offline outbox), served by /jsi18n/.
    po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"))
    assert len(po) > (100 if domain == "django" else 10)
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"{language}: untranslated {missing[:5]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"


THIRD_PARTY_DIR = Path(settings.BASE_DIR) / "locale_thirdparty"
COMPILED = [LOCALE_DIR / lang for lang in LANGUAGES] + [
    THIRD_PARTY_DIR / lang for lang in ("uz", "uz_Cyrl", "ru")
]


@pytest.mark.parametrize("locale_dir", COMPILED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_compiled_catalogue_matches_the_source(locale_dir):
    language = locale_dir.name
    folder = locale_dir / "LC_MESSAGES"
    domains = ["django", "djangojs"] if (folder / "djangojs.po").exists() else ["django"]
    for domain in domains:
        _same_as_source(
            polib.pofile(str(folder / f"{domain}.po")),
            polib.mofile(str(folder / f"{domain}.mo")),
            language,
        )


def _same_as_source(po, mo, language: str) -> None:

    def table(catalogue):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in catalogue
            if entry.msgid and not entry.obsolete
        }

    assert table(mo) == table(po), f"run `make messages` to recompile {language}"


def test_every_interface_language_has_a_catalogue():
    codes = {code for code, _name in settings.LANGUAGES}
    assert {c.replace("uz-cyrl", "uz_Cyrl") for c in codes} == set(LANGUAGES)
