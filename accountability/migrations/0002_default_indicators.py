"""The default indicator catalogue (accountability.reference_data).

Reverse removes nothing: roll-ups may refer to the rows by then. accountability.services.
indicators_ensure adds them again where a test database was flushed.
"""

from django.db import migrations


def add(apps, schema_editor):
    from accountability.reference_data import INDICATORS

    indicator = apps.get_model("accountability", "Indicator")
    for order, row in enumerate(INDICATORS, start=1):
        code, numerator, denominator, factor, unit, better, personal, uz, uz_cyrl, ru, en = row
        indicator.objects.get_or_create(
            code=code,
            defaults={
                "numerator": numerator,
                "denominator": denominator,
                "factor": factor,
                "unit": unit,
                "better": better,
                "from_personal_records": personal,
                "name_uz": uz,
                "name_uz_cyrl": uz_cyrl,
                "name_ru": ru,
                "name_en": en,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_indicators_rollups_reports")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
