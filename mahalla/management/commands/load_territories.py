from django.core.management.base import BaseCommand, CommandError

from mahalla.services import TerritoryLoadError, territories_load


class Command(BaseCommand):
    help = (
        "Loads the country, its 14 first-level units and 209 districts and cities from the "
        "reference data shipped in mahalla/data/. Idempotent and atomic."
    )

    def handle(self, *args, **options):
        try:
            result = territories_load()
        except TerritoryLoadError as exc:
            raise CommandError(f"{exc.message} Nothing was written.") from None
        self.stdout.write(self.style.SUCCESS(f"Territories: {result}."))
