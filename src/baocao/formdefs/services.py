"""Form-definition actions: loading a regime's forms, and which forms a unit files."""
from dataclasses import dataclass, field

from django.db import transaction

from baocao.regimes import REGIMES_DIR

from .models import FormAssignment, FormCell, FormDefinition, RollingCell
from .schema import read_regime
from .spec import build_spec


@dataclass
class LoadSummary:
    regime: str
    created: list = field(default_factory=list)  # "code vN" of each new version
    unchanged: list = field(default_factory=list)  # codes whose definition did not change
    assignment: dict = field(default_factory=dict)  # unit type -> form codes

    def __str__(self):
        return f"{self.regime}: {len(self.created) + len(self.unchanged)} forms ({len(self.created)} new versions)"


def load_regime_forms(regime_key, root=None):
    """Check every form of the regime and store a new version of each that changed.

    Idempotent: an unchanged file adds nothing. All or nothing: any problem in any file
    raises schema.DefinitionError (listing every problem, by file and line) and stores nothing.
    """
    regime = read_regime(regime_key, root or REGIMES_DIR)
    summary = LoadSummary(regime_key, assignment=regime.assignment)
    created = []
    with transaction.atomic():
        for form in regime.forms:
            latest = FormDefinition.objects.filter(regime=regime_key, code=form.code).order_by("-version").first()
            if latest is not None and latest.content_hash == form.content_hash:
                summary.unchanged.append(form.code)
                continue
            version = latest.version + 1 if latest else 1
            created.append(FormDefinition.objects.create(
                regime=regime_key, code=form.code, version=version, kind=form.kind, title=form.title,
                provisional=form.provisional, content_hash=form.content_hash, spec=form.spec, source_file=form.path,
            ))
            summary.created.append(f"{form.code} v{version}")
        ensure_cells(regime_key, [build_spec(form.spec) for form in regime.forms])
        fix_rolling_cells(created)
        FormAssignment.objects.filter(regime=regime_key).delete()
        pairs = [(unit_type, code) for unit_type, codes in regime.assignment.items() for code in codes]
        FormAssignment.objects.bulk_create(
            FormAssignment(regime=regime_key, unit_type=unit_type, form_code=code, position=position)
            for position, (unit_type, code) in enumerate(pairs)
        )
    return summary


def forms_for_unit_types(regime_key, unit_types):
    """Codes of the forms a unit with these unit-type tags files, as last loaded: the union
    over its tags, in the order regime.yaml lists them."""
    rows = FormAssignment.objects.filter(regime=regime_key, unit_type__in=list(unit_types)).order_by("position")
    return list(dict.fromkeys(row.form_code for row in rows))


def ensure_cells(regime_key, specs):
    """Give every storable cell of these grid specs its FormCell id (existing ones keep theirs)."""
    wanted = [
        FormCell(regime=regime_key, form_code=spec.code, row_code=row, column_code=column)
        for spec in specs
        if spec.kind == "grid"
        for row, column in spec.storage_cells()
    ]
    FormCell.objects.bulk_create(wanted, batch_size=1000, ignore_conflicts=True)


def fix_rolling_cells(definitions):
    """Record, once, which cells each new version sums (RollingCell): a grid's entered
    numeric cells; a register's are those of the grid its summary goes into, as that grid's
    current version has them (the register's records reach the roll-ups through it)."""
    rows = []
    for definition in sorted(definitions, key=lambda d: d.kind != "grid"):  # grids first
        spec = definition.spec_object()
        if spec.kind == "grid":
            ensure_cells(definition.regime, [spec])
            ids = cell_ids(definition.regime, definition.code)
            rows += [RollingCell(definition=definition, cell_id=ids[key]) for key in spec.storage_cells() if spec.rolls_up(*key)]
        elif spec.summary_into:
            RollingCell.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            rows = []
            grid = FormDefinition.objects.current(definition.regime, spec.summary_into)
            cells = RollingCell.objects.filter(definition=grid).values_list("cell_id", flat=True)
            rows += [RollingCell(definition=definition, cell_id=cell) for cell in cells]
    RollingCell.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def cell_ids(regime_key, form_code):
    """{(row or group code, column code): FormCell id} of a form, every version's cells."""
    rows = FormCell.objects.filter(regime=regime_key, form_code=form_code).values_list("row_code", "column_code", "pk")
    return {(row, column): pk for row, column, pk in rows}
