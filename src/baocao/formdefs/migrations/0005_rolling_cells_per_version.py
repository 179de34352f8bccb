"""What rolls up becomes a property of each form version (docs/adr/0010): RollingCell rows
computed from every stored version's own definition, then FormCell.rolls_up goes."""
from django.db import migrations, models
import django.db.models.deletion


def fill(apps, schema_editor):
    from baocao.formdefs.spec import build_spec

    FormDefinition = apps.get_model("formdefs", "FormDefinition")
    FormCell = apps.get_model("formdefs", "FormCell")
    RollingCell = apps.get_model("formdefs", "RollingCell")
    for definition in FormDefinition.objects.filter(kind="grid").order_by("pk").iterator():
        spec = build_spec(definition.spec)
        keys = [key for key in spec.storage_cells() if spec.rolls_up(*key)]
        for row, column in keys:
            FormCell.objects.get_or_create(regime=definition.regime, form_code=definition.code, row_code=row, column_code=column)
        ids = {(r, c): pk for r, c, pk in FormCell.objects.filter(regime=definition.regime, form_code=definition.code)
               .values_list("row_code", "column_code", "pk")}
        RollingCell.objects.bulk_create([RollingCell(definition_id=definition.pk, cell_id=ids[key]) for key in keys],
                                        batch_size=1000, ignore_conflicts=True)
    # A register rolls up through the grid its summary goes into (its latest version).
    for definition in FormDefinition.objects.filter(kind="list").order_by("pk").iterator():
        into = ((definition.spec or {}).get("summary") or {}).get("into")
        grid = FormDefinition.objects.filter(regime=definition.regime, code=into).order_by("-version").first() if into else None
        if grid is not None:
            cells = RollingCell.objects.filter(definition_id=grid.pk).values_list("cell_id", flat=True)
            RollingCell.objects.bulk_create([RollingCell(definition_id=definition.pk, cell_id=cell) for cell in cells],
                                            batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("formdefs", "0004_formcell_rolls_up")]

    operations = [
        migrations.CreateModel(
            name="RollingCell",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("cell", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="formdefs.formcell")),
                ("definition", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="formdefs.formdefinition")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("definition", "cell"), name="rollingcell_unique")]},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveField(model_name="formcell", name="rolls_up"),
    ]
