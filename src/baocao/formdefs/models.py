"""Stored form definitions: one row per version of a form of a regime."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .spec import build_spec


class FormKind(models.TextChoices):
    GRID = "grid", _("Biểu số liệu")
    LIST = "list", _("Danh sách kê khai")


class FormDefinitionQuerySet(models.QuerySet):
    def current(self, regime, code):
        """The latest version of a form; raises FormDefinition.DoesNotExist."""
        found = self.filter(regime=regime, code=code).order_by("-version").first()
        if found is None:
            raise self.model.DoesNotExist(f"No form {code!r} in regime {regime!r}")
        return found

    def current_versions(self, regime):
        """The latest version of every form of a regime, by code."""
        latest = {}
        for definition in self.filter(regime=regime).order_by("code", "-version"):
            latest.setdefault(definition.code, definition)
        return list(latest.values())


class FormDefinition(models.Model):
    """One version of a form. Versions are never changed or deleted: a report keeps the
    version it was entered on, and a changed YAML file becomes the next version."""

    regime = models.CharField(_("Chế độ báo cáo"), max_length=40)
    code = models.CharField(_("Mã biểu"), max_length=60)
    version = models.PositiveIntegerField(_("Phiên bản"))
    kind = models.CharField(_("Loại biểu"), max_length=8, choices=FormKind.choices)
    title = models.CharField(_("Tên biểu"), max_length=500)
    provisional = models.BooleanField(_("Tạm thời (chưa xác nhận)"), default=False)
    content_hash = models.CharField(max_length=64)
    spec = models.JSONField()
    source_file = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now_add=True)

    objects = FormDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["regime", "code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code", "version"], name="formdef_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="formdef_version_positive"),
            models.CheckConstraint(condition=models.Q(kind__in=FormKind.values), name="formdef_kind_valid"),
        ]

    def __str__(self):
        return f"{self.code} v{self.version}"

    def spec_object(self):
        """The GridSpec or ListSpec of this version (built once per instance)."""
        if getattr(self, "_spec_object", None) is None:
            self._spec_object = build_spec(self.spec)
        return self._spec_object


class FormAssignment(models.Model):
    """A unit-type tag that files a form (regime.yaml `forms:`), replaced on every load.

    A unit files the union of the forms of its tags, so an extra duty (say, the forms of
    units that manage missions abroad) is one more tag on that unit, not a name in code.
    """

    regime = models.CharField(max_length=40)
    unit_type = models.CharField(max_length=40)
    form_code = models.CharField(max_length=60)
    position = models.PositiveIntegerField()  # order in regime.yaml's forms: section

    class Meta:
        ordering = ["regime", "position"]
        constraints = [models.UniqueConstraint(fields=["regime", "unit_type", "form_code"], name="formassignment_unique")]

    def __str__(self):
        return f"{self.unit_type} → {self.form_code}"


class FormCell(models.Model):
    """The integer key of one cell of a form: (form code, row or group code, column code).
    Created when a form version with that cell is first loaded; the same cell keeps its id
    in every version, so stored values and roll-up totals key on a narrow integer
    (docs/adr/0003)."""

    regime = models.CharField(max_length=40)
    form_code = models.CharField(max_length=60)
    row_code = models.CharField(max_length=120)
    column_code = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["regime", "form_code", "row_code", "column_code"], name="formcell_unique")]

    def __str__(self):
        return f"{self.form_code} {self.row_code}.{self.column_code}"


class RollingCell(models.Model):
    """A cell that roll-ups sum in one form version (an entered numeric cell:
    GridSpec.rolls_up). Written when the version is loaded and never changed, so loading a
    new version leaves every period's totals as they are (docs/adr/0010). Computed cells
    are recomputed from the summed ones when shown."""

    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="+", db_index=False)
    cell = models.ForeignKey(FormCell, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["definition", "cell"], name="rollingcell_unique")]
