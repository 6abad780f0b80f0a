"""Static file helpers for the pieces that list static files themselves (the service worker)."""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    # Keyed on the file's mtime and size too, so an edited file gets a new revision at once.
    return hashlib.md5(Path(path).read_bytes(), usedforsecurity=False).hexdigest()[:16]


def static_revision(name: str) -> dict:
    """The URL of a static file with a revision of its contents, as precache lists take them.

    With hashed names (production) the URL alone would do; the revision also covers the test
    and development storage, whose URLs never change."""
    path = finders.find(name)
    revision = None
    if path:
        stat = Path(path).stat()
        revision = _digest(path, stat.st_mtime_ns, stat.st_size)
    return {"url": static(name), "revision": revision}
