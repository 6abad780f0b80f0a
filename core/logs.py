"""Logging helpers."""

import logging
import threading
import time


class RepeatedRecordFilter(logging.Filter):
    """Lets one record of each message through per `interval` seconds and drops its repeats.

    django-redis logs every cache call it answers as a miss while Redis is down, each with its
    traceback: several per request, which would bury the log. One in each interval still says
    that Redis is down (as /healthz does); the next one passed says how many were dropped.
    """

    def __init__(self, interval: float = 60.0):
        super().__init__()
        self.interval = interval
        self._lock = threading.Lock()
        self._last_passed: dict[tuple[str, str], float] = {}
        self._dropped: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            last = self._last_passed.get(key)
            if last is not None and now - last < self.interval:
                self._dropped[key] = self._dropped.get(key, 0) + 1
                return False
            self._last_passed[key] = now
            dropped = self._dropped.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} more like it in the last {self.interval:g} s)"
        return True
