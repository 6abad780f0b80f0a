"""Rebuild the catalogues in locale_thirdparty/ from the installed packages and drf_uz.po.

    .venv/bin/python locale_thirdparty/build.py

Writes, each with its compiled .mo next to it:

- uz/LC_MESSAGES/django.po: the Uzbek (Latin) translations of Django REST framework and
  django-filter messages, i.e. the translated entries of drf_uz.po;
- uz_Cyrl/LC_MESSAGES/django.po: Django's own uz catalogue and the uz catalogues of the
  installed django.contrib apps, followed by drf_uz.po, all transliterated to Uzbek Cyrillic.
  When two sources have the same (msgctxt, msgid), the first one wins.

The transliteration is core.text.latin_to_cyrillic, with a few conservative extra rules below
(see transliterate()). Placeholders, markup and technical terms are never transliterated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
BASE_DIR = HERE.parent
sys.path.insert(0, str(BASE_DIR))

import django  # noqa: E402

from core.text import latin_to_cyrillic  # noqa: E402

DJANGO_DIR = Path(django.__file__).resolve().parent

# Django's uz catalogues that users of this portal can meet: those of the installed
# django.contrib apps that ship one (contenttypes, messages and staticfiles have none; postgres,
# sites and redirects are not installed) and the core one. The first source wins, so the order is
# Django's own precedence: apps in INSTALLED_APPS order (an earlier app overrides a later one),
# then the core catalogue. uz_Cyrl users then see the same wording as uz users, in Cyrillic.
DJANGO_SOURCES = [
    "contrib/admin/locale",
    "contrib/auth/locale",
    "contrib/sessions/locale",
    "contrib/humanize/locale",
    "conf/locale",
]
DRF_SOURCE = HERE / "drf_uz.po"

# --- What must never be transliterated --------------------------------------------------------

_PLACEHOLDER = (
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdrifgGeExXcoa%]"  # %(name)s, %(num)d, %(value)r
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdrifgGeExXc%]"  # %s, %d, %%
    r"|\{\{.*?\}\}|\{%.*?%\}"  # template syntax
    r"|\{[^{}]*\}"  # {name}, {}, {code_point:X}
    r"|<[^<>]*>"  # HTML tags
    r"|&#?\w+;"  # HTML entities
)
# Technical terms, names and literals that stay in Latin script in Uzbek Cyrillic text.
_KEEP_WORDS = [
    "IPv4",
    "IPv6",
    "PostgreSQL",
    "Django",
    "Unicode",
    "Boolean",
    "Basic",
    "Username",  # Django's uz admin catalogue leaves the English word
    "base64",
    "True",
    "False",
    "None",
    "null",
    "cookie",
    "slug",
    "Slug",
    "Referrer-Policy",
    "no-referrer",
    "no-referer",
    "same-origin",
    "uuuuuu",
    "ss",
]
_KEEP = (
    r"\b(?:" + "|".join(re.escape(w) for w in _KEEP_WORDS) + r")\b"
    r"|U\+"  # as in "U+{code_point:X}"
    r"|\b[A-Za-z]+_[A-Za-z_]*"  # identifiers such as allow_future
    # Acronyms (URL, JSON, UUID, CSRF, HTTPS, DEBUG, KB, YYYY-MM-DD ...), a lower-case suffix
    # excluded (JSONni). Apostrophes count as letters here, so OʻZBEK or YOʻQ is not one.
    r"|(?<![A-Za-z'`ʻʼ‘’´])[A-Z]{2,}(?![A-Z'`ʻʼ‘’´])"
)
_QUOTED = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
_PROTECTED = re.compile(f"{_PLACEHOLDER}|{_KEEP}")
# Private-use characters stand in for protected spans during the conversion: not letters, so
# they end a word, and core.text leaves them alone.
_PUA = 0xE000

# --- Extra rules on top of core.text.latin_to_cyrillic ----------------------------------------

_APOS = "'`ʻʼ‘’´"  # the apostrophe variants core.text accepts
_A = f"[{re.escape(_APOS)}]"
# Whole words whose Cyrillic spelling keeps a soft sign or otherwise differs from the letter by
# letter result (months as Django writes them; the project's own catalogues write Пароль, роль,
# модуль). Only the bare word: with suffixes Uzbek Cyrillic drops the soft sign (Паролни).
_WORDS = {
    "yanvar": "январь",
    "fevral": "февраль",
    "aprel": "апрель",
    "iyun": "июнь",
    "iyul": "июль",
    "sentabr": "сентябрь",
    "oktabr": "октябрь",
    "noyabr": "ноябрь",
    "dekabr": "декабрь",
    "iyn": "июн",  # Django's abbreviation of June
    "iyl": "июл",  # and of July
    "parol": "пароль",
    "rol": "роль",
    "modul": "модуль",
}
_RULES: list[tuple[re.Pattern[str], str]] = [
    # The soft sign of фильтр stays before suffixes too (Filtrlar -> Фильтрлар).
    (re.compile(r"\bfiltr", re.IGNORECASE), "фильтр"),
    # yo + ʻ is й + ў (yoʻq -> йўқ), not ё + ъ.
    (re.compile(f"yo{_A}", re.IGNORECASE), "йў"),
    # -tsiya / -tsion in international words is -ция / -цион (Autentifikatsiya, operatsion).
    # Native verb forms such as ketsin keep т + с, hence the narrow context.
    (re.compile(r"ts(?=iya|ion)", re.IGNORECASE), "ц"),
    # obyekt / subyekt -> объект / субъект.
    (re.compile(r"(?<=b)ye(?=kt)", re.IGNORECASE), "ъе"),
    # ob'ekt -> объект: e after the tutuq belgisi is е, not э.
    (re.compile(f"(?<![oOgG]){_A}e", re.IGNORECASE), "ъе"),
    # e after a vowel is э (Uels -> Уэлс, poeziya -> поэзия).
    (re.compile(r"(?<=[aeiouAEIOU])e", re.IGNORECASE), "э"),
]


def _match_case(src: str, dst: str) -> str:
    if src.isupper() and len(src) > 1:
        return dst.upper()
    if src[:1].isupper():
        return dst[:1].upper() + dst[1:]
    return dst


def _convert(text: str) -> str:
    """Transliterate text that holds no protected spans."""
    text = re.sub(
        r"\b(" + "|".join(_WORDS) + r")\b",
        lambda m: _match_case(m.group(0), _WORDS[m.group(0).lower()]),
        text,
        flags=re.IGNORECASE,
    )
    for pattern, replacement in _RULES:
        text = pattern.sub(lambda m, r=replacement: _match_case(m.group(0), r), text)
    return latin_to_cyrillic(text)


def transliterate(text: str, msgid: str = "") -> str:
    """Uzbek Latin to Cyrillic, leaving placeholders, markup and technical terms untouched.

    Quoted text that also appears in msgid ("slug", “Accept”, "same-origin") is a literal from
    the English original and is kept as it is.
    """
    kept: list[str] = []

    def hold(span: str) -> str:
        kept.append(span)
        return chr(_PUA + len(kept) - 1)

    def hold_quoted(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        if inner.strip() and inner in msgid:
            start, end = m.span(1) if m.group(1) is not None else m.span(2)
            s = m.start()
            return m.group(0)[: start - s] + hold(inner) + m.group(0)[end - s :]
        return m.group(0)

    # Placeholders first, so a quoted placeholder is held as one span, then quoted literals,
    # then the remaining technical terms.
    text = re.compile(_PLACEHOLDER).sub(lambda m: hold(m.group(0)), text)
    text = _QUOTED.sub(hold_quoted, text)
    text = _PROTECTED.sub(lambda m: hold(m.group(0)), text)
    text = _convert(text)
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group(0)) - _PUA], text)


# --- Checks -----------------------------------------------------------------------------------

_FORMAT = re.compile(_PLACEHOLDER)


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _FORMAT.finditer(text))


def _latin_left(text: str) -> list[str]:
    """Latin words left in a converted string, for the review list printed at the end."""
    bare = _PROTECTED.sub(" ", _FORMAT.sub(" ", text))
    return re.findall(r"[A-Za-z]+", bare)


# --- Building ---------------------------------------------------------------------------------


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _usable(entry: polib.POEntry) -> bool:
    return entry.translated() and not entry.obsolete and "fuzzy" not in entry.flags


def _new_catalogue(language: str, plural_forms: str, header: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.header = header
    po.metadata = {
        "Project-Id-Version": "hamkorlik-thirdparty",
        "Report-Msgid-Bugs-To": "",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms,
    }
    return po


def _nplurals(plural_forms: str) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    if not match:
        raise SystemExit(f"No nplurals in Plural-Forms: {plural_forms!r}")
    return int(match.group(1))


def _copy(entry: polib.POEntry, origin: str, nplurals: int, convert) -> polib.POEntry:
    flags = [f for f in entry.flags if f != "fuzzy"]
    new = polib.POEntry(
        msgctxt=entry.msgctxt,
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        flags=flags,
        comment=origin,
    )
    if entry.msgid_plural:
        forms = {}
        for index in range(nplurals):
            # A catalogue with fewer forms than nplurals repeats its last one.
            source = entry.msgstr_plural.get(index) or entry.msgstr_plural[max(entry.msgstr_plural)]
            forms[index] = convert(source, entry.msgid_plural if index else entry.msgid)
        new.msgstr_plural = forms
    else:
        new.msgstr = convert(entry.msgstr, entry.msgid)
    return new


def _write(po: polib.POFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))


def main() -> int:
    django_uz = DJANGO_DIR / "conf/locale/uz/LC_MESSAGES/django.po"  # the core catalogue
    plural_forms = polib.pofile(str(django_uz)).metadata["Plural-Forms"]
    nplurals = _nplurals(plural_forms)
    drf = polib.pofile(str(DRF_SOURCE), wrapwidth=0)
    if _nplurals(drf.metadata.get("Plural-Forms", plural_forms)) != nplurals:
        raise SystemExit("drf_uz.po and Django's uz catalogue disagree on nplurals")

    problems: list[str] = []
    latin: dict[str, set[str]] = {}

    def checked(text: str, msgid: str) -> str:
        out = transliterate(text, msgid)
        if _placeholders(out) != _placeholders(text):
            problems.append(f"placeholders changed in {msgid!r}: {text!r} -> {out!r}")
        for word in _latin_left(out):
            latin.setdefault(word, set()).add(msgid)
        return out

    def same(text: str, msgid: str) -> str:
        return text

    # uz: the DRF and django-filter translations as they are.
    uz = _new_catalogue(
        "uz",
        plural_forms,
        "Uzbek (Latin): Django REST framework and django-filter messages.\n"
        "Generated by locale_thirdparty/build.py from locale_thirdparty/drf_uz.po; do not edit.",
    )
    for entry in drf:
        if _usable(entry):
            uz.append(_copy(entry, entry.comment, nplurals, same))

    # uz_Cyrl: Django's catalogues, then the DRF ones, transliterated; the first source wins.
    cyrl = _new_catalogue(
        "uz_Cyrl",
        plural_forms,
        "Uzbek (Cyrillic): Django's uz catalogues and drf_uz.po, transliterated.\n"
        "Generated by locale_thirdparty/build.py; do not edit.",
    )
    seen: dict[tuple[str | None, str], str] = {}
    counts: dict[str, int] = {}
    django_text: dict[tuple[str | None, str], str] = {}
    for source in DJANGO_SOURCES:
        path = DJANGO_DIR / source / "uz/LC_MESSAGES/django.po"
        if not path.exists():
            continue
        origin = f"django/{source}/uz"
        catalogue = polib.pofile(str(path), wrapwidth=0)
        if _nplurals(catalogue.metadata.get("Plural-Forms", plural_forms)) != nplurals:
            problems.append(f"{origin}: Plural-Forms differ from Django's core uz catalogue")
        counts[origin] = 0
        for entry in catalogue:
            if not _usable(entry) or _key(entry) in seen:
                continue
            seen[_key(entry)] = origin
            django_text[_key(entry)] = entry.msgstr
            cyrl.append(_copy(entry, f"From {origin}", nplurals, checked))
            counts[origin] += 1
    counts["drf_uz.po"] = 0
    for entry in drf:
        if not _usable(entry):
            continue
        if _key(entry) in seen:
            if entry.msgstr != django_text.get(_key(entry)):
                problems.append(
                    f"drf_uz.po differs from {seen[_key(entry)]} for {entry.msgid!r}; "
                    "uz_Cyrl keeps Django's wording, uz gets drf_uz.po's"
                )
            continue
        seen[_key(entry)] = "drf_uz.po"
        cyrl.append(
            _copy(entry, f"From locale_thirdparty/drf_uz.po: {entry.comment}", nplurals, checked)
        )
        counts["drf_uz.po"] += 1

    _write(uz, HERE / "uz/LC_MESSAGES/django.po")
    _write(cyrl, HERE / "uz_Cyrl/LC_MESSAGES/django.po")

    print(f"uz/LC_MESSAGES/django.po: {len(uz)} entries")
    print(f"uz_Cyrl/LC_MESSAGES/django.po: {len(cyrl)} entries")
    for origin, count in counts.items():
        print(f"  {count:4d} from {origin}")
    if latin:
        print("Latin words kept in uz_Cyrl (review):", ", ".join(sorted(latin)))
    for problem in problems:
        print("WARNING:", problem, file=sys.stderr)
    return 1 if any(p.startswith("placeholders") for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
