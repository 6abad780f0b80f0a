import random
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DEMO_PASSWORD, SCALES, DemoContext


class Command(BaseCommand):
    help = (
        "Creates deterministic demo data: generated mahallas, organisations and a user for "
        "every role. Each installed app contributes its part through <app>/demo.py, in the "
        "order of INSTALLED_APPS. Safe to run again: existing demo rows are reused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=15)

    def handle(self, *args, scale, seed, **options):
        ctx = DemoContext(scale=scale, rng=random.Random(seed), stdout=self.stdout)
        demo_modules = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if config.name != "core" and find_spec(f"{config.name}.demo") is not None
        ]
        if not demo_modules:
            raise CommandError("No app provides demo data.")
        with transaction.atomic():
            for module in demo_modules:
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (scale {scale}, seed {seed})."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, where in ctx.logins:
            self.stdout.write(f"  {username:<22} {role:<18} {where}")
