"""Default BCV values, grounds, types and amount rules (incentives.reference_data).

Reverse removes nothing: rows may be in use by then. incentives.services.reference_ensure
adds them again where a test database was flushed.
"""

from django.db import migrations


def add(apps, schema_editor):
    from incentives.reference_data import BCV, GROUNDS, RULES, TYPES

    bcv = apps.get_model("incentives", "BaseCalculationValue")
    for valid_from, amount in BCV:
        bcv.objects.get_or_create(valid_from=valid_from, defaults={"amount": amount})
    for name, rows, flag in (("IncentiveGround", GROUNDS, "has_gravity"), ("IncentiveType", TYPES, "is_cash")):
        model = apps.get_model("incentives", name)
        for order, (code, uz, uz_cyrl, ru, en, value) in enumerate(rows, start=1):
            model.objects.get_or_create(
                code=code,
                defaults={"name_uz": uz, "name_uz_cyrl": uz_cyrl, "name_ru": ru, "name_en": en, "order": order, flag: value},
            )
    ground = apps.get_model("incentives", "IncentiveGround")
    rule = apps.get_model("incentives", "AmountRule")
    grounds = {g.code: g for g in ground.objects.all()}
    for code, gravity, level, max_bcv in RULES:
        rule.objects.get_or_create(ground=grounds[code], gravity=gravity, level=level, defaults={"max_bcv": max_bcv})


class Migration(migrations.Migration):
    dependencies = [("incentives", "0001_incentives")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
