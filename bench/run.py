"""The portal's benchmark (bench/README.md): starts it with gunicorn against PostgreSQL and
Redis, measures its pages and API over HTTP from this process, then the batch work (roll-up,
report run by a real Celery worker, PDF) in a subprocess. Prints every figure as a line
`name value unit`, then a JSON summary, also written to var/bench/results-<time>.json.

    python -m bench.run [--clients 1,8] [--requests N] [--only name,...] [--skip-batch]
                        [--smoke] [--no-fresh-reports] [--workers 2] [--port N]

DATABASE_URL and REDIS_URL choose the database and the Redis measured. This process loads no
Django: what it needs from the database comes from bench/probe.py, run as a subprocess.
"""

import argparse
import html
import http.client
import json
import math
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.client import Connection, Session, SignInError, sign_in
from bench.procs import (
    ROOT,
    children,
    figure_line,
    free_port,
    parse_figure,
    peak_rss_mb,
    shown,
    start,
    stop,
    var_dir,
    wait_until,
)

PASSWORD = "hamkorlik-demo"  # the demo users' (core.demo.DEMO_PASSWORD)
BASELINE = "ping"  # the trivial view signed in: every page's ratio is to it
WARMUP = 3
DEFAULT_REQUESTS = {1: 100, 8: 200}
SMOKE_REQUESTS = {1: 5, 8: 16}
BATCH_STEPS = ("rollup", "report_run", "pdf")
EXPORT = "records_export_district"
EXPORT_REPEAT = 3
GUNICORN_START_SECONDS = 60
# The targets of DESIGN.md §8 and issue 9.
DASHBOARD_RATIO = 3.0
LIST_P95_MS = 200.0
ROLLUP_SECONDS = 60.0
REPORT_RUN_SECONDS = 600.0
WEB_RSS_MB = 300.0
NEXT_PAGE_TOKEN = re.compile(r"[?&]after=([^&\"'\s<>#]+)")


@dataclass
class Page:
    """A URL measured as one user. kind: trivial, dashboard, list (an HTML list with pages),
    api (an API list), detail (one API object) or page (measured, no target)."""

    name: str
    user: str  # "" for an anonymous visitor
    path: str
    kind: str


@dataclass
class Run:
    """Everything a run found; becomes the JSON summary."""

    figures: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def figure(self, name: str, value, unit: str, *, target: tuple | None = None) -> None:
        """Records and prints a figure; `target` is (text, ok) to check it against."""
        self.figures[name] = {"value": value, "unit": unit}
        note = ""
        if target is not None:
            text, ok = target
            self.targets[name] = {"target": text, "value": value, "ok": ok}
            note = f"target {text}: {'ok' if ok else 'MISS'}"
        print(figure_line(name, value, unit, note), flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"# {text}", flush=True)

    def error(self, text: str) -> None:
        self.errors.append(text)
        print(f"# error: {text}", flush=True)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- Setting up -------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """Production settings, as a deployment sets them, with the bench's two additions: the
    query count header, and API throttles far above what the bench sends."""
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_BEHIND_PROXY": "true",
            "DJANGO_QUERY_COUNT_HEADER": "true",
            "API_THROTTLE_ANON": "1000000/minute",
            "API_THROTTLE_USER": "1000000/minute",
            "API_THROTTLE_AUTH": "1000000/minute",
            "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        }
    )
    return env


def probe(env: dict, *, analyze: bool) -> dict:
    command = [sys.executable, "-m", "bench.probe", *(["--analyze"] if analyze else [])]
    done = subprocess.run(  # noqa: S603 - our own command line
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"bench.probe failed:\n{done.stderr or done.stdout}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pages(found: dict) -> list[Page]:
    paths, district, region = found["paths"], found["district"], found["region"]
    three_months = {"date_from": found["range"][0], "date_to": found["range"][1]}
    kind_month = {
        "kind": found["record_kind"],
        "date_from": found["month"][0],
        "date_to": found["month"][1],
    }

    def query(path: str, **params) -> str:
        return f"{path}?{urlencode(params)}"

    items = [
        Page("ping_anon", "", paths["ping"], "trivial"),
        Page(BASELINE, "council", paths["ping"], "trivial"),
        Page("dashboard_national", "council", paths["dashboard"], "dashboard"),
        Page(
            "dashboard_district",
            "council",
            query(paths["dashboard"], node=district["code"]),
            "dashboard",
        ),
    ]
    if region:
        items.insert(
            3,
            Page(
                "dashboard_region",
                "council",
                query(paths["dashboard"], node=region["code"]),
                "dashboard",
            ),
        )
    if found["mahalla_path"]:
        items.append(Page("mahalla_public", "", found["mahalla_path"], "page"))
    by_district = {"district": district["id"], **three_months}
    items += [
        Page(
            "records_page_district_range",
            "officer.district",
            query(paths["records"], **by_district),
            "list",
        ),
        Page(
            "records_page_kind_month",
            "officer.district",
            query(paths["records"], **kind_month),
            "list",
        ),
        # The same filter over the whole country's records.
        Page(
            "records_page_kind_month_republic",
            "officer.republic",
            query(paths["records"], **kind_month),
            "list",
        ),
        Page("records_page_inspector", "inspector", paths["records"], "list"),
        Page(
            "records_api_district_range",
            "officer.district",
            query(paths["records_api"], **by_district),
            "api",
        ),
        Page(
            "records_api_kind_month",
            "officer.district",
            query(paths["records_api"], **kind_month),
            "api",
        ),
        Page(
            "records_api_kind_month_republic",
            "officer.republic",
            query(paths["records_api"], **kind_month),
            "api",
        ),
    ]
    if found["record_api_path"]:
        items.append(
            Page("record_api_detail", "officer.district", found["record_api_path"], "detail")
        )
    items += [
        Page(
            "activities_page_district_range",
            "officer.district",
            query(paths["activities"], **by_district),
            "list",
        ),
        Page(
            "activities_api_district_range",
            "officer.district",
            query(paths["activities_api"], place=district["id"], **three_months),
            "api",
        ),
        Page("activities_page_ngo", "ngo.staff", paths["activities"], "list"),
        Page("registry_page", "", paths["registry"], "list"),
        Page("registry_api", "", paths["registry_api"], "api"),
        # The admin's list of every record: informational, no target.
        Page("admin_records", "admin", paths["admin_records"], "page"),
    ]
    return items


def selected(name: str, only: list[str] | None) -> bool:
    return only is None or any(name.startswith(prefix) for prefix in only)


def static_up_to_date() -> bool:
    """Whether the collected static files (settings.STATIC_ROOT) are newer than every source:
    the project's and the apps' static folders, and the installed packages. Collecting
    compresses every file again, which takes minutes on a small machine."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [ROOT / "static", *ROOT.glob("*/static")]
    installed = ROOT / ".venv" / ".installed"
    if installed.exists() and installed.stat().st_mtime > built:
        return False
    return not any(
        path.stat().st_mtime > built
        for source in sources
        for path in source.rglob("*")
        if path.is_file()
    )


def start_portal(env: dict, *, workers: int, port: int, stamp: str) -> subprocess.Popen:
    log = var_dir() / "bench" / f"gunicorn-{stamp}.log"
    if static_up_to_date():
        progress("static files already collected")
    else:
        progress("collecting static files (the manifest that production pages need)…")
        subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(workers),
        # One request at a time per worker, as the production Procfile runs it (sync workers).
        "--threads",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    progress(f"starting gunicorn on 127.0.0.1:{port} ({workers} workers), log {shown(log)}")
    server = start(command, env=env, log=log)
    anonymous = Session("127.0.0.1", port)

    def answering() -> bool:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start; see {shown(log)}")
        connection = Connection(anonymous, timeout=5)
        try:
            answer = connection.get("/healthz")
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()
        # 503 is expected: no beat runs, so the heartbeat check is red; the database is up.
        try:
            checks = json.loads(answer.body)["checks"]
        except (ValueError, KeyError):
            return False
        return checks["database"]["ok"]

    try:
        wait_until(answering, timeout=GUNICORN_START_SECONDS, what="gunicorn")
    except BaseException:
        stop(server)
        raise
    return server


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    errors: dict = field(default_factory=dict)  # status (0: no answer) -> count
    queries: set = field(default_factory=set)
    wall: float = 0.0


def _fetch(connection: Connection, path: str):
    try:
        return connection.get(path, keep_body=False)
    except (OSError, http.client.HTTPException):
        connection.close()
        return None


def measure(page: Page, session: Session, *, clients: int, requests: int) -> Sample:
    """`requests` requests spread over `clients` threads, each with its own connection, all
    starting together; each thread warms its connection first."""
    sample = Sample()
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    remaining = [requests]
    spans = []

    def client() -> None:
        connection = Connection(session)
        _fetch(connection, page.path)
        barrier.wait()
        began = time.perf_counter()
        try:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                answer = _fetch(connection, page.path)
                with lock:
                    if answer is None or answer.status != 200:
                        status = 0 if answer is None else answer.status
                        sample.errors[status] = sample.errors.get(status, 0) + 1
                    else:
                        sample.seconds.append(answer.seconds)
                        sample.queries.add(answer.queries)
        finally:
            connection.close()
            with lock:
                spans.append((began, time.perf_counter()))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sample.wall = max(end for _, end in spans) - min(begin for begin, _ in spans)
    return sample


def query_counts(page: Page, session: Session, first) -> list[int]:
    """The query counts of the page's variants that must cost the same: an HTML list's next
    page; an API list at the smallest and the largest page size and its next page."""
    connection = Connection(session)
    variants = []
    try:
        if page.kind == "list":
            match = NEXT_PAGE_TOKEN.search(html.unescape(first.body.decode(errors="replace")))
            if match:
                joiner = "&" if "?" in page.path else "?"
                variants.append(f"{page.path}{joiner}after={match[1]}")
        elif page.kind == "api":
            joiner = "&" if "?" in page.path else "?"
            variants += [f"{page.path}{joiner}page_size=5", f"{page.path}{joiner}page_size=200"]
            following = json.loads(first.body).get("next")
            if following:
                parts = urlsplit(following)
                variants.append(f"{parts.path}?{parts.query}")
        counts = [first.queries]
        for path in variants:
            answer = connection.get(path, keep_body=False)
            if answer.status == 200:
                counts.append(answer.queries)
        return counts
    finally:
        connection.close()


def measure_pages(run: Run, chosen: list[Page], sessions: dict, args) -> None:
    """Every page at every concurrency; at each, the trivial view first, so each ratio is to
    a baseline measured moments before it."""
    levels = args.clients
    results: dict[tuple[str, int], Sample] = {}
    checked: dict[str, tuple[int | None, list[int] | None]] = {}
    usable = []
    for page in chosen:
        session = sessions.get(page.user)
        if session is None:
            continue
        connection = Connection(session)
        try:
            answers = [connection.get(page.path) for _ in range(WARMUP)]
        except (OSError, http.client.HTTPException) as error:
            run.error(f"{page.name} ({page.path}): no answer ({error})")
            continue
        finally:
            connection.close()
        if answers[0].status != 200:
            run.error(
                f"{page.name} ({page.path}) as {page.user or 'anonymous'}: "
                f"status {answers[0].status}"
            )
            continue
        counts = query_counts(page, session, answers[0]) if page.kind in ("list", "api") else None
        checked[page.name] = (answers[-1].queries, counts)
        usable.append(page)
    for clients in levels:
        for page in usable:
            requests = args.requests or requests_for(clients, smoke=args.smoke)
            progress(f"  {page.name}: {clients} client(s), {requests} requests")
            results[page.name, clients] = measure(
                page, sessions[page.user], clients=clients, requests=requests
            )
    for page in usable:
        report_page(run, page, results, checked[page.name], levels)


def requests_for(clients: int, *, smoke: bool) -> int:
    table = SMOKE_REQUESTS if smoke else DEFAULT_REQUESTS
    return table.get(clients, max(table[1], table[8] * clients // 8))


def report_page(run: Run, page: Page, results: dict, checked: tuple, levels: list[int]) -> None:
    queries, counts = checked
    run.figure(f"{page.name}_queries", queries, "queries")
    if counts is not None and len(counts) == 1:
        run.note(f"{page.name}: one page of results only, so its query count was not compared")
    elif counts is not None:
        fixed = len(set(counts)) == 1
        text = "/".join(str(count) for count in counts)
        run.figure(
            f"{page.name}_queries_fixed",
            text,
            "queries",
            target=("the same on every page and page size", fixed),
        )
    for clients in levels:
        sample = results[page.name, clients]
        suffix = f"c{clients}"
        if sample.errors:
            run.error(f"{page.name} at {clients} client(s): failed answers {sample.errors}")
            run.figure(f"{page.name}_errors_{suffix}", sum(sample.errors.values()), "requests")
        if not sample.seconds:
            continue
        if len(sample.queries) > 1:
            run.note(f"{page.name}: query count varied during the run: {sorted(sample.queries)}")
        p50 = percentile(sample.seconds, 0.5) * 1000
        p95 = percentile(sample.seconds, 0.95) * 1000
        list_target = None
        if page.kind in ("list", "api", "detail"):
            list_target = (f"≤ {LIST_P95_MS:.0f} ms", p95 <= LIST_P95_MS)
        run.figure(f"{page.name}_p50_{suffix}", round(p50, 2), "ms")
        run.figure(f"{page.name}_p95_{suffix}", round(p95, 2), "ms", target=list_target)
        if clients > 1 or len(levels) == 1:
            rate = len(sample.seconds) / sample.wall if sample.wall else 0.0
            run.figure(f"{page.name}_rps_{suffix}", round(rate, 1), "req/s")
        baseline = results.get((BASELINE, clients))
        if page.name != BASELINE and baseline is not None and baseline.seconds:
            ratio = p50 / (percentile(baseline.seconds, 0.5) * 1000)
            ratio_target = None
            if page.kind == "dashboard":
                ratio_target = (f"≤ {DASHBOARD_RATIO:.0f} x", ratio <= DASHBOARD_RATIO)
            run.figure(f"{page.name}_ratio_{suffix}", round(ratio, 2), "x", target=ratio_target)


def measure_export(run: Run, found: dict, sessions: dict) -> None:
    session = sessions.get("officer.district")
    if not found["export"]:
        run.note(f"{EXPORT}: the prevention app has no export of records (no URL named for one)")
        return
    if session is None:
        return
    params = {
        "district": found["district"]["id"],
        "date_from": found["range"][0],
        "date_to": found["range"][1],
    }
    path = f"{found['export']}?{urlencode(params)}"
    connection = Connection(session)
    try:
        answers = [connection.get(path, keep_body=False) for _ in range(1 + EXPORT_REPEAT)]
    finally:
        connection.close()
    if any(answer.status != 200 for answer in answers):
        run.error(f"{EXPORT} ({path}): status {[answer.status for answer in answers]}")
        return
    timed = sorted(answer.seconds for answer in answers[1:])
    run.figure(EXPORT, round(timed[len(timed) // 2], 3), "s")
    run.figure(f"{EXPORT}_bytes", answers[-1].size, "bytes")
    run.figure(f"{EXPORT}_queries", answers[-1].queries, "queries")
    run.note(f"{EXPORT}: queries before the streamed body only")


def measure_web_rss(run: Run, server: subprocess.Popen) -> None:
    workers = [rss for pid in children(server.pid) if (rss := peak_rss_mb(pid)) is not None]
    if workers:
        peak = max(workers)
        run.figure(
            "web_worker_rss_peak",
            round(peak, 1),
            "MB",
            target=(f"< {WEB_RSS_MB:.0f} MB", peak < WEB_RSS_MB),
        )
    run.figure("web_master_rss_peak", round(peak_rss_mb(server.pid) or 0.0, 1), "MB")


BATCH_TARGETS = {
    "rollup_quarter": (f"< {ROLLUP_SECONDS:.0f} s", lambda value: value < ROLLUP_SECONDS),
    "report_run_quarter": (
        f"< {REPORT_RUN_SECONDS:.0f} s",
        lambda value: value < REPORT_RUN_SECONDS,
    ),
}


def run_batch(
    run: Run, env: dict, steps: list[str], found: dict, *, fresh: bool, smoke: bool, stamp: str
) -> None:
    command = [
        sys.executable,
        "-m",
        "bench.batch",
        "--steps",
        ",".join(steps),
        "--district",
        found["district"]["code"],
        "--fresh-reports" if fresh else "--no-fresh-reports",
        "--stamp",
        stamp,
    ]
    if smoke and "report_run" in steps:
        # The country's one report proves the worker, the queue and the polling work; every
        # district's would add a minute of PDFs to CI and prove nothing more.
        command += ["--levels", "country"]
        run.note("smoke: the report run makes the country's report only")
    batch = subprocess.Popen(  # noqa: S603 - our own command line
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        for line in batch.stdout:
            line = line.rstrip("\n")
            parsed = parse_figure(line)
            if parsed is None:
                if line.startswith("# "):
                    run.note(line[2:])
                elif line:
                    print(line, flush=True)
                continue
            name, value, unit = parsed
            target = None
            if name in BATCH_TARGETS and isinstance(value, int | float):
                text, check = BATCH_TARGETS[name]
                target = (text, check(value))
            run.figure(name, value, unit, target=target)
        if batch.wait() != 0:
            run.error(f"bench.batch stopped with status {batch.returncode}")
    finally:
        if batch.poll() is None:
            batch.send_signal(signal.SIGTERM)
            batch.wait(timeout=120)
    # A target whose figure is missing is not met.
    for name, (text, _check) in BATCH_TARGETS.items():
        step = "rollup" if name.startswith("rollup") else "report_run"
        if step in steps and name not in run.figures:
            run.targets[name] = {"target": text, "value": None, "ok": False}


# --- Describing the run -------------------------------------------------------------------------


def machine(found: dict) -> dict:
    cpu = platform.processor()
    memory_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "postgres": found["postgres"],
        "os": platform.platform(),
    }


def seed_figures(run: Run, found: dict) -> dict | None:
    """The seed's own report (var/bench/seed.json, written by seed_demo), if there is one."""
    path = var_dir() / "bench" / "seed.json"
    if not path.exists():
        run.note(
            f"seed_seconds: {shown(path)} is absent (seed_demo writes it, except --scale tiny)"
        )
        return None
    seed = json.loads(path.read_text())
    written = datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")
    run.figure("seed_seconds", seed.get("seconds"), "s")
    run.note(f"seed: scale {seed.get('scale')}, written {written}")
    seeded = (seed.get("rows") or {}).get("prevention.PreventionRecord")
    estimate = found["rows"].get("prevention.PreventionRecord", -1)
    # seed.json is one file per var/ directory, not per database: say when it looks foreign.
    if seeded and estimate > 0 and not 0.5 <= estimate / seeded <= 2:
        run.note(
            f"seed.json counts {seeded} records but the database holds about {estimate}: "
            "it may describe another database"
        )
    return {**seed, "written": written}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,8", help="concurrency levels, e.g. 1,8")
    parser.add_argument(
        "--requests",
        type=int,
        help="requests per URL and level (default 100 at 1 client, 200 at 8)",
    )
    parser.add_argument("--only", help="names (or name prefixes) of the figures to measure")
    parser.add_argument(
        "--skip-batch", action="store_true", help="skip the roll-up, the report run and the PDF"
    )
    parser.add_argument("--smoke", action="store_true", help="a few requests only (CI)")
    parser.add_argument(
        "--fresh-reports",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="delete the quarter's reports first, so the run makes them all",
    )
    parser.add_argument(
        "--analyze",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="ANALYZE large tables PostgreSQL has no statistics for",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, help="gunicorn's port (default: a free one)")
    args = parser.parse_args()
    args.clients = [int(level) for level in args.clients.split(",") if level]
    only = [name for name in args.only.split(",") if name] if args.only else None
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures both.")

    def stop_on_sigterm(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    env = bench_env()
    run = Run()
    progress("probing the database…")
    found = probe(env, analyze=args.analyze)
    if found["analysed"]:
        run.note(f"ANALYZE run first on tables without statistics: {', '.join(found['analysed'])}")
    chosen = [page for page in pages(found) if selected(page.name, only)]
    if chosen and not any(page.name == BASELINE for page in chosen):
        chosen[:0] = [page for page in pages(found) if page.kind == "trivial"]
    http_wanted = bool(chosen) or selected(EXPORT, only) or selected("web_worker_rss_peak", only)
    server = None
    try:
        if http_wanted:
            port = args.port or free_port()
            server = start_portal(env, workers=args.workers, port=port, stamp=stamp)
            sessions = {"": Session("127.0.0.1", port)}
            users = sorted({page.user for page in chosen if page.user} | {"officer.district"})
            for username in users:
                session = Session("127.0.0.1", port, username=username)
                try:
                    sign_in(session, PASSWORD)
                except (SignInError, OSError, http.client.HTTPException) as error:
                    run.error(f"sign-in as {username}: {error}; its pages are left out")
                    continue
                sessions[username] = session
            progress("measuring pages…")
            measure_pages(run, chosen, sessions, args)
            if selected(EXPORT, only):
                measure_export(run, found, sessions)
            measure_web_rss(run, server)
            # Stopped before the batch work, which then has the machine to itself.
            stop(server)
        steps = [] if args.skip_batch else [s for s in BATCH_STEPS if selected(s, only)]
        if steps:
            progress(f"batch work: {', '.join(steps)}…")
            run_batch(
                run, env, steps, found, fresh=args.fresh_reports, smoke=args.smoke, stamp=stamp
            )
    finally:
        stop(server)
    seed = seed_figures(run, found)
    summary = {
        "machine": machine(found),
        "setup": {
            "gunicorn_workers": args.workers,
            "gunicorn_threads": 1,
            "celery_concurrency": 2,
            "clients": args.clients,
            "requests": {
                str(c): args.requests or requests_for(c, smoke=args.smoke) for c in args.clients
            },
            "smoke": args.smoke,
            "fresh_reports": args.fresh_reports,
        },
        "data": {
            "database": found["database"],
            "rows_estimate": found["rows"],
            "autovacuum": found["autovacuum"],
            "scale": seed.get("scale") if seed else None,
            "seed": seed,
            "district": found["district"],
            "region": found["region"],
            "mahalla": found["mahalla"],
            "date_range": found["range"],
            "month": found["month"],
        },
        "figures": run.figures,
        "targets": run.targets,
        "errors": run.errors,
        "notes": run.notes,
    }
    missed = [name for name, target in run.targets.items() if not target["ok"]]
    print(
        f"# targets: {len(run.targets) - len(missed)} ok, {len(missed)} MISS"
        + (f" ({', '.join(missed)})" if missed else "")
    )
    results = var_dir() / "bench" / f"results-{stamp}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    progress(f"results written to {shown(results)}")
    sys.exit(1 if run.errors else 0)


if __name__ == "__main__":
    main()
