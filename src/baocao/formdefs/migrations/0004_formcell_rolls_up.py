"""Which cells roll-ups sum (docs/adr/0005), set from the latest loaded version of each form."""
from django.db import migrations, models


def mark(apps, schema_editor):
    from baocao.formdefs.spec import build_spec

    FormCell = apps.get_model("formdefs", "FormCell")
    FormDefinition = apps.get_model("formdefs", "FormDefinition")
    latest = {}
    for definition in FormDefinition.objects.filter(kind="grid").order_by("regime", "code", "version"):
        latest[(definition.regime, definition.code)] = definition
    for (regime, code), definition in latest.items():
        spec = build_spec(definition.spec)
        for cell in FormCell.objects.filter(regime=regime, form_code=code):
            try:
                rolls = spec.rolls_up(cell.row_code, cell.column_code)
            except KeyError:  # a cell of an older version only
                continue
            if rolls != cell.rolls_up:
                cell.rolls_up = rolls
                cell.save(update_fields=["rolls_up"])


class Migration(migrations.Migration):

    dependencies = [
        ("formdefs", "0003_formcell"),
    ]

    operations = [
        migrations.AddField(model_name="formcell", name="rolls_up", field=models.BooleanField(default=False)),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
