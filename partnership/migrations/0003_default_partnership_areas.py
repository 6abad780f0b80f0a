"""The social-partnership areas of Law ZRU-376 (art. 8) as the default reference list.

Reverse removes only these rows. The rows come from partnership.reference_data, which
load_units-like loaders and the demo data also use (a flushed test database loses them).
"""

from django.db import migrations

from partnership.reference_data import AREAS


def add(apps, schema_editor):
    area = apps.get_model("partnership", "PartnershipArea")
    for order, (code, uz, uz_cyrl, ru, en) in enumerate(AREAS, start=1):
        area.objects.get_or_create(
            code=code,
            defaults={"name_uz": uz, "name_uz_cyrl": uz_cyrl, "name_ru": ru, "name_en": en, "order": order},
        )


def remove(apps, schema_editor):
    apps.get_model("partnership", "PartnershipArea").objects.filter(
        code__in=[row[0] for row in AREAS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("partnership", "0002_agreements_activities_requests")]

    operations = [migrations.RunPython(add, remove)]
