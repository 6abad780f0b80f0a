from django.core.management.base import BaseCommand, CommandError

from mahalla.models import Territory
from prevention.services import units_load


class Command(BaseCommand):
    help = (
        "Creates the crime-prevention service's structure from the territory tree: the "
        "republic's service, a unit per first-level unit and per district or city, and a "
        "law-and-order post for every mahalla that no post serves yet. Idempotent."
    )

    def handle(self, *args, **options):
        if not Territory.objects.filter(kind=Territory.Kind.COUNTRY).exists():
            raise CommandError("Load the territories first: manage.py load_territories")
        created = units_load()
        summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Units created: {summary}."))
