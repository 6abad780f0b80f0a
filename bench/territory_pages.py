"""Times the territory pages and API against a trivial view in the same process and run.

Prints the median and 95th percentile per URL and the ratio to the trivial view.
Usage: .venv/bin/python bench/territory_pages.py [--repeat N]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_DEBUG", "true")  # plain HTTP test client, no HTTPS redirect
os.environ.setdefault("API_THROTTLE_ANON", "1000000/minute")  # measure the API, not throttling

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from mahalla.models import Territory  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    client.get(url)  # warm caches and connections
    timings = []
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 503), (url, response.status_code)
    return timings, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    district = Territory.objects.filter(kind=Territory.Kind.DISTRICT).order_by("-mahalla_count")
    biggest = district.first()
    if biggest is None:
        sys.exit("Load the territories first: manage.py load_territories && manage.py seed_demo")
    urls = {
        "trivial view (/i18n/js catalogue)": "/jsi18n/",
        "tree root": "/territories/",
        f"largest district ({biggest.mahalla_count} mahallas)": f"/territories/{biggest.code}/",
        "search 'obod'": "/territories/?q=obod",
        "API districts, 200 per page": "/api/v1/territories/?kind=district&page_size=200",
        "API search": "/api/v1/territories/?q=yunus",
    }
    client = Client()
    print(f"database: {connection.vendor}; territories: {Territory.objects.count()}")
    print(f"{'page':<45} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'× trivial':>10}")
    baseline = None
    for label, url in urls.items():
        timings, queries = measure(client, url, args.repeat)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1]
        baseline = baseline or median
        print(f"{label:<45} {median:>10.2f} {p95:>8.2f} {queries:>8} {median / baseline:>10.1f}")


if __name__ == "__main__":
    main()
