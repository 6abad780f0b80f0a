"""Uzbek text helpers: script conversion, the normal form names are searched in, and the check
that free text holds no markup or text-direction controls."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The apostrophe-like characters Uzbek Latin is written with in practice (o', oʻ, o‘, o`).
_APOSTROPHES = "'`ʻʼ‘’´"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")

# Uzbek Latin -> Cyrillic, digraphs first. The official correspondence table of 1995.
_DIGRAPHS = [
    ("o'", "ў"),
    ("g'", "ғ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("yo", "ё"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "е"),
    ("ng", "нг"),
]
_LETTERS = {
    "a": "а",
    "b": "б",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "ҳ",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "x": "х",
    "y": "й",
    "z": "з",
    "'": "ъ",
}


def normalize_apostrophes(text: str) -> str:
    """All apostrophe variants as the ASCII one."""
    return _APOSTROPHE_RE.sub("'", text)


def latin_to_cyrillic(text: str) -> str:
    """Uzbek Latin to Uzbek Cyrillic, keeping the case of each word's first letter."""
    source = normalize_apostrophes(text)
    out: list[str] = []
    i = 0
    while i < len(source):
        pair = source[i : i + 2]
        for latin, cyrillic in _DIGRAPHS:
            if pair.lower() == latin:
                out.append(cyrillic.upper() if pair[0].isupper() else cyrillic)
                i += 2
                break
        else:
            char = source[i]
            mapped = _LETTERS.get(char.lower(), char)
            # "e" at the start of a word is "э" in Cyrillic.
            if char.lower() == "e" and (i == 0 or not source[i - 1].isalpha()):
                mapped = "э"
            out.append(mapped.upper() if char.isupper() else mapped)
            i += 1
    return "".join(out)


def search_key(text: str) -> str:
    """The form names are stored and searched in: lower case, one apostrophe, no accents."""
    text = normalize_apostrophes(unicodedata.normalize("NFC", text)).casefold()
    return " ".join(text.split())


# --- What free text may not hold ------------------------------------------------------------

# A "<" that an HTML parser reads as the start of a tag, an end tag, a comment or a doctype,
# or a processing instruction. "a < b" and "<3" stay ordinary text.
_MARKUP_RE = re.compile(r"<[A-Za-z/!?]")

# The Unicode bidirectional controls: they reorder how the text around them is displayed, so a
# name or a file name can read differently from what is stored ("Trojan Source").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
_BIDI_RE = re.compile(f"[{''.join(sorted(BIDI_CONTROLS))}]")


def has_markup(text: str) -> bool:
    """Whether the text holds something an HTML parser would treat as a tag or a comment."""
    return _MARKUP_RE.search(text) is not None


def has_bidi_controls(text: str) -> bool:
    return _BIDI_RE.search(text) is not None


def validate_plain_text(value) -> None:
    """Refuses markup and bidirectional control characters in free text.

    Pages escape what they show, so this is not what keeps them safe: it keeps markup out of
    places that do not escape (exports opened in spreadsheets, e-mails, PDFs, other systems
    reading the API) and tells the person at once why the text is refused.
    """
    if not isinstance(value, str):
        return
    if has_markup(value):
        raise ValidationError(
            _(
                "Remove the HTML markup: a “<” may not be followed directly by a letter or "
                "by “/”, “!” or “?”."
            ),
            code="markup",
        )
    if has_bidi_controls(value):
        raise ValidationError(
            _(
                "Remove the invisible text-direction characters (right-to-left and "
                "left-to-right marks, embeddings, overrides, isolates): they make text "
                "display differently from what it is."
            ),
            code="bidi_control",
        )
