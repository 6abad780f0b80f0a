"""Uzbek text helpers: script conversion and the normal form names are searched in."""

import re
import unicodedata

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
