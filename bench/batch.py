"""The batch figures of a benchmark run: a quarter's roll-up, the quarter's report run for every
node done by a real Celery worker, and the PDF of one district's report. Prints `name value
unit` lines, which bench/run.py collects; notes and errors are lines starting with "#".

    python -m bench.batch [--steps rollup,report_run,pdf] [--district CODE] [--no-fresh-reports]

The period is the last complete quarter. The roll-up replaces that quarter's roll-ups with the
same figures, so the data is as before. With fresh reports (the default) the quarter's public
reports and report runs are deleted first, so the run renders every report rather than finding
them made; a run without it measures a re-run, which renders nothing new.
"""

import argparse
import os
import signal
import statistics
import sys
import time
from datetime import datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accountability.models import PeriodKind, PublicReport, ReportRun  # noqa: E402
from accountability.periods import Period  # noqa: E402
from accountability.services import (  # noqa: E402
    REPORT_LEVELS,
    report_generate,
    report_run_queue,
    rollup_refresh,
)
from bench.probe import DEMO_DISTRICT  # noqa: E402
from bench.procs import (  # noqa: E402
    children,
    figure_line,
    peak_rss_mb,
    shown,
    start,
    stop,
    var_dir,
)
from config.celery import app  # noqa: E402
from mahalla.models import Territory  # noqa: E402

STEPS = ("rollup", "report_run", "pdf")
WORKER_CONCURRENCY = 2
PDF_REPEAT = 3


def emit(name: str, value, unit: str) -> None:
    print(figure_line(name, value, unit), flush=True)


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def last_quarter() -> Period:
    return Period.containing(PeriodKind.QUARTER, timezone.localdate()).previous


def measure_rollup(period: Period) -> None:
    started = time.perf_counter()
    rows = rollup_refresh(period=period)
    emit("rollup_quarter", time.perf_counter() - started, "s")
    emit("rollup_quarter_rows", rows, "rows")
    # This process did nothing larger before: its peak is the roll-up's.
    emit("rollup_process_rss_peak", peak_rss_mb(os.getpid()), "MB")


def reports_clear(period: Period) -> int:
    """Deletes the period's public reports (and their files) and report runs."""
    reports = PublicReport.objects.filter(period_kind=period.kind, period_start=period.start)
    files = [name for pair in reports.values_list("pdf", "csv") for name in pair if name]
    with transaction.atomic():
        deleted, _by_model = reports.delete()
        ReportRun.objects.filter(period_kind=period.kind, period_start=period.start).delete()
    for name in files:
        default_storage.delete(name)
    return deleted


def _workers_answering(destination: list[str] | None = None) -> set[str]:
    replies = app.control.ping(destination=destination, timeout=1.0)
    return {name for reply in replies for name in reply}


def measure_report_run(
    period: Period, *, levels: list[str], fresh: bool, timeout: float, stamp: str
) -> None:
    if fresh:
        note(f"fresh reports: deleted {reports_clear(period)} public reports of {period.slug}")
    others = _workers_answering()
    if others:
        # They would take the run's batches too, and the figures would not be this run's.
        raise SystemExit(
            f"Another Celery worker listens on this REDIS_URL ({', '.join(sorted(others))}): "
            "stop it or give the benchmark its own Redis database."
        )
    name = f"bench{os.getpid()}@localhost"
    log = var_dir() / "bench" / f"celery-{stamp}.log"
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={WORKER_CONCURRENCY}",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--hostname",
            name,
            # Batches left on the broker by an interrupted run would be worked first.
            "--purge",
            "--without-gossip",
            "--without-mingle",
        ],
        env=os.environ.copy(),
        log=log,
    )
    try:
        deadline = time.monotonic() + 120
        while name not in _workers_answering([name]):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"The Celery worker did not start; see {log}")
        started = time.perf_counter()
        run_ids = [report_run_queue(period=period, level=level).pk for level in levels]
        while True:
            states = dict(ReportRun.objects.filter(pk__in=run_ids).values_list("pk", "state"))
            if all(state == ReportRun.State.DONE for state in states.values()):
                break
            failed = ReportRun.objects.filter(pk__in=run_ids, state=ReportRun.State.FAILED)
            if failed.exists():
                errors = "; ".join(f"{run.level}: {run.error}" for run in failed)
                raise SystemExit(f"The report run failed: {errors}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"The report run did not finish in {timeout:.0f} s")
            if worker.poll() is not None:
                raise SystemExit(f"The Celery worker stopped during the run; see {log}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        pool = [peak_rss_mb(pid) for pid in children(worker.pid)]
        main_rss = peak_rss_mb(worker.pid)
    finally:
        stop(worker)
    made = PublicReport.objects.filter(run_id__in=run_ids).count()
    emit("report_run_quarter", seconds, "s")
    emit("report_run_quarter_reports", made, "reports")
    emit("report_run_quarter_levels", len(levels), "levels")
    if made:
        emit("report_run_per_report", seconds / made, "s")
    emit("worker_rss_peak", max((rss for rss in pool if rss is not None), default=0.0), "MB")
    emit("worker_main_rss_peak", main_rss or 0.0, "MB")
    note(f"worker log: {shown(log)}")


def measure_pdf(period: Period, district_code: str) -> None:
    district = Territory.objects.get(kind=Territory.Kind.DISTRICT, code=district_code)
    report = (
        PublicReport.objects.filter(
            territory=district, period_kind=period.kind, period_start=period.start
        )
        .order_by("-version")
        .first()
    )
    if report is None:
        report = report_generate(territory=district, period=period)
    # Imported here as the service does: WeasyPrint loads Pango on import.
    import weasyprint

    started = time.perf_counter()
    pdf = weasyprint.HTML(string=report.html).write_pdf()
    cold = time.perf_counter() - started
    timings = []
    for _ in range(PDF_REPEAT):
        started = time.perf_counter()
        weasyprint.HTML(string=report.html).write_pdf()
        timings.append(time.perf_counter() - started)
    emit("pdf_render_district", statistics.median(timings), "s")
    emit("pdf_render_district_cold", cold, "s")
    emit("pdf_render_district_bytes", len(pdf), "bytes")
    note(f"PDF of {district.name}, {period.label}")


def _stop_on_sigterm(signum, frame):
    # bench/run.py stops this process with SIGTERM: unwind, so the worker is stopped too.
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--district", default=DEMO_DISTRICT, help="code of the PDF's district")
    parser.add_argument("--fresh-reports", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--report-timeout", type=float, default=30 * 60)
    # bench/run.py passes its own, so a run's logs and results share one name.
    parser.add_argument("--stamp", default=datetime.now().strftime("%Y%m%d-%H%M%S"))
    parser.add_argument(
        "--levels",
        default=",".join(REPORT_LEVELS[PeriodKind.QUARTER]),
        help="levels of the report run (all of a quarter's by default)",
    )
    args = parser.parse_args()
    steps = [step for step in args.steps.split(",") if step]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    levels = [level for level in args.levels.split(",") if level]
    if not levels or set(levels) - set(REPORT_LEVELS[PeriodKind.QUARTER]):
        parser.error(f"levels are some of {', '.join(REPORT_LEVELS[PeriodKind.QUARTER])}")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    period = last_quarter()
    note(f"period: {period.label} ({period.start} – {period.end})")
    if "rollup" in steps:
        measure_rollup(period)
    if "report_run" in steps:
        measure_report_run(
            period,
            levels=levels,
            fresh=args.fresh_reports,
            timeout=args.report_timeout,
            stamp=args.stamp,
        )
    if "pdf" in steps:
        measure_pdf(period, args.district)


if __name__ == "__main__":
    main()
