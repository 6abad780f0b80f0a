from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mahalla.services import MAHALLA_IMPORT_COLUMNS, TerritoryLoadError, mahallas_import


class Command(BaseCommand):
    help = (
        "Loads a real list of mahallas from a UTF-8 CSV file with a header row. Columns: "
        + ", ".join(MAHALLA_IMPORT_COLUMNS)
        + ". district_soato (7 digits) and name_uz are required; the Cyrillic name is "
        "transliterated when empty; category is red, yellow or green. A mahalla is matched by "
        "code, or else by its Uzbek Latin name in the district. Idempotent and atomic."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                result = mahallas_import(file=handle, source=file.name)
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text. Nothing was written.") from None
        except TerritoryLoadError as exc:
            raise CommandError(f"{exc.message} Nothing was written.") from None
        self.stdout.write(self.style.SUCCESS(f"Mahallas: {result}."))
