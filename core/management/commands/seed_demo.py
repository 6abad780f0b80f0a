import json
import random
import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.demo import DEMO_PASSWORD, SCALES, DemoContext

# The tables whose sizes the seed report gives (the large ones of the national set).
REPORTED_MODELS = [
    "mahalla.Territory",
    "prevention.Inspector",
    "prevention.PreventionRecord",
    "prevention.RegisterEntry",
    "prevention.AccountabilityMeeting",
    "prevention.ResidentFeedback",
    "partnership.Organisation",
    "partnership.Agreement",
    "partnership.JointActivity",
    "incentives.Nomination",
    "accountability.RollUp",
]


class Command(BaseCommand):
    help = (
        "Creates deterministic demo data: generated mahallas, organisations and a user for "
        "every role. Each installed app contributes its part through <app>/demo.py, in the "
        "order of INSTALLED_APPS. Safe to run again: existing demo rows are reused. The "
        "national scale needs PostgreSQL; its timings go to DJANGO_VAR_DIR/bench/seed.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=15)

    def handle(self, *args, scale, seed, **options):
        if scale == "national" and connection.vendor != "postgresql":
            raise CommandError(
                "The national scale is loaded with COPY: set DATABASE_URL to PostgreSQL."
            )
        ctx = DemoContext(scale=scale, rng=random.Random(seed), stdout=self.stdout)
        demo_modules = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if config.name != "core" and find_spec(f"{config.name}.demo") is not None
        ]
        if not demo_modules:
            raise CommandError("No app provides demo data.")
        started = time.perf_counter()
        steps = {}
        with transaction.atomic():
            for module in demo_modules:
                step_started = time.perf_counter()
                module.seed(ctx)
                steps[module.__name__] = round(time.perf_counter() - step_started, 1)
                ctx.log(f"  ({module.__name__}: {steps[module.__name__]} s)")
        seconds = round(time.perf_counter() - started, 1)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready (scale {scale}, seed {seed}) in {seconds} s.")
        )
        if scale != "tiny":
            self._report(scale=scale, seed=seed, seconds=seconds, steps=steps)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, where in ctx.logins:
            self.stdout.write(f"  {username:<22} {role:<18} {where}")

    def _report(self, **figures) -> None:
        """What was loaded and how long it took, for the benchmarks (bench/) to print."""
        rows = {label: apps.get_model(label).objects.count() for label in REPORTED_MODELS}
        path = settings.VAR_DIR / "bench" / "seed.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**figures, "rows": rows}, indent=2))
