import logging

from core import logs
from core.logs import RepeatedRecordFilter


def _record(message: str = "Exception ignored") -> logging.LogRecord:
    return logging.LogRecord("django_redis.cache", logging.ERROR, __file__, 1, message, (), None)


def test_repeats_within_the_interval_are_dropped_and_counted_on_the_next_one(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(logs.time, "monotonic", lambda: clock[0])
    repeated = RepeatedRecordFilter(interval=60)

    passed = [repeated.filter(_record()) for _ in range(5)]
    clock[0] += 61
    later = _record()

    assert passed == [True, False, False, False, False]
    assert repeated.filter(later)
    assert later.getMessage() == "Exception ignored (4 more like it in the last 60 s)"


def test_another_message_is_not_held_back_by_the_first(monkeypatch):
    monkeypatch.setattr(logs.time, "monotonic", lambda: 5.0)
    repeated = RepeatedRecordFilter(interval=60)
    assert repeated.filter(_record("one"))
    assert repeated.filter(_record("two"))
    assert not repeated.filter(_record("one"))


def test_the_cache_logger_passes_one_record_a_minute():
    # settings.LOGGING: django-redis logs each cache call it answers as a miss.
    filters = logging.getLogger("django_redis.cache").filters
    assert (RepeatedRecordFilter, 60) in [(type(f), getattr(f, "interval", None)) for f in filters]
