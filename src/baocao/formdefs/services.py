"""Form-definition actions: loading a regime's forms, and which forms a unit files."""
from dataclasses import dataclass, field

from django.db import transaction

from baocao.regimes import REGIMES_DIR

from .models import FormAssignment, FormCell, FormDefinition
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
    with transaction.atomic():
        for form in regime.forms:
            latest = FormDefinition.objects.filter(regime=regime_key, code=form.code).order_by("-version").first()
            if latest is not None and latest.content_hash == form.content_hash:
                summary.unchanged.append(form.code)
                continue
            version = latest.version + 1 if latest else 1
            FormDefinition.objects.create(
                regime=regime_key, code=form.code, version=version, kind=form.kind, title=form.title,
                provisional=form.provisional, content_hash=form.content_hash, spec=form.spec, source_file=form.path,
            )
            summary.created.append(f"{form.code} v{version}")
        ensure_cells(regime_key, [build_spec(form.spec) for form in regime.forms])
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
        FormCell(regime=regime_key, form_code=spec.code, row_code=row, column_code=column, rolls_up=spec.rolls_up(row, column))
        for spec in specs
        if spec.kind == "grid"
        for row, column in spec.storage_cells()
    ]
    FormCell.objects.bulk_create(wanted, batch_size=1000, update_conflicts=True, update_fields=["rolls_up"],
                                 unique_fields=["regime", "form_code", "row_code", "column_code"])


def cell_ids(regime_key, form_code):
    """{(row or group code, column code): FormCell id} of a form, every version's cells."""
    rows = FormCell.objects.filter(regime=regime_key, form_code=form_code).values_list("row_code", "column_code", "pk")
    return {(row, column): pk for row, column, pk in rows}
