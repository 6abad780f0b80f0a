"""Default inspector grades and register categories; admins edit them afterwards.

Reverse removes only the rows this migration added and nothing references.
"""

from django.db import migrations

from prevention.reference_data import CATEGORIES, GRADES

def add(apps, schema_editor):
    for model_name, rows in (("InspectorGrade", GRADES), ("RegisterCategory", CATEGORIES)):
        model = apps.get_model("prevention", model_name)
        for order, (code, uz, uz_cyrl, ru, en) in enumerate(rows, start=1):
            model.objects.get_or_create(
                code=code,
                defaults={"name_uz": uz, "name_uz_cyrl": uz_cyrl, "name_ru": ru, "name_en": en, "order": order},
            )


def remove(apps, schema_editor):
    for model_name, rows in (("InspectorGrade", GRADES), ("RegisterCategory", CATEGORIES)):
        model = apps.get_model("prevention", model_name)
        model.objects.filter(code__in=[row[0] for row in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("prevention", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
