"""The unit tree: every organisation that reports, aggregates or governs."""
import re

from django.conf import settings
from django.db import connection, models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .text import fold

PATH_SEPARATOR = "/"
# Codes become part of materialised paths and usernames: keep them to safe characters.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


class UnitKind(models.TextChoices):
    ROOT = "root", _("Cơ quan trung ương (gốc)")
    GOVERNING = "governing", _("Cơ quan quản lý (Bộ, ngành, địa phương)")
    AGGREGATING = "aggregating", _("Đơn vị tổng hợp")
    REPORTING = "reporting", _("Đơn vị báo cáo")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    RETIRED = "retired", _("Đã giải thể, sáp nhập")


class UnitType(models.Model):
    """A tag (bo, tinh, co_quan_thuoc_cp, …) that decides which forms a unit files."""

    code = models.CharField(max_length=40, primary_key=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit, include_self=True):
        """Everything under `unit` in one indexed prefix query on the materialised path."""
        if connection.vendor == "sqlite":
            # SQLite will not use an index for LIKE … ESCAPE; a half-open range on the
            # binary-collated path is the same set and uses the index.
            qs = self.filter(path__gte=unit.path, path__lt=unit.path[:-1] + chr(ord(PATH_SEPARATOR) + 1))
        else:
            # PostgreSQL: Django's varchar_pattern_ops "_like" index serves LIKE 'prefix%'.
            qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def active(self):
        return self.filter(status=UnitStatus.ACTIVE)

    def matching(self, query):
        """Units whose code or name contains every word of `query`, ignoring accents and case."""
        qs = self
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
        return qs


class Unit(models.Model):
    code = models.CharField(_("Mã đơn vị"), max_length=40)
    name = models.CharField(_("Tên đơn vị"), max_length=300)
    kind = models.CharField(_("Loại đơn vị"), max_length=16, choices=UnitKind.choices)
    unit_types = models.ManyToManyField(UnitType, blank=True, related_name="units", verbose_name=_("Loại hình"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("Đơn vị cấp trên")
    )
    # "/ROOT/T02/T02003/" — codes never change, so the path of a unit only changes when it moves.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(_("Trạng thái"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE)
    # Whom to contact (the completeness lists of units that have not sent show it).
    address = models.CharField(_("Địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("Điện thoại"), max_length=50, blank=True)
    email = models.EmailField(_("Thư điện tử"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Code and name folded (lower case, no accents), for the catalogue's search box.
    search_text = models.TextField(default="", editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="unit_code_unique_ci"),
            models.CheckConstraint(
                condition=(models.Q(kind=UnitKind.ROOT, parent__isnull=True) | (~models.Q(kind=UnitKind.ROOT) & models.Q(parent__isnull=False))),
                name="unit_only_root_has_no_parent",
            ),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind=UnitKind.ROOT), name="unit_single_root"),
            models.CheckConstraint(condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=UnitStatus.values), name="unit_status_valid"),
        ]
        indexes = [
            # The few retired units of a subtree (data waiting for a transfer, on TRANG CHỦ).
            models.Index(fields=["path"], condition=models.Q(status=UnitStatus.RETIRED), name="unit_retired_path"),
        ]

    def __str__(self):
        return f"{self.code} - {self.name}"

    @staticmethod
    def path_for(parent, code):
        prefix = parent.path if parent else PATH_SEPARATOR
        return f"{prefix}{code}{PATH_SEPARATOR}"

    @classmethod
    def from_db(cls, db, field_names, values):
        unit = super().from_db(db, field_names, values)
        unit._stored_parent_id = unit.__dict__.get("parent_id")
        return unit

    def save(self, *args, **kwargs):
        """A new unit gets its path here; an existing one is moved only by units.tree.move,
        which rewrites the whole subtree (docs/adr/0007)."""
        if self._state.adding:
            self.path = self.path_for(self.parent, self.code)
            self.depth = self.path.count(PATH_SEPARATOR) - 2
        elif "_stored_parent_id" in self.__dict__ and self.parent_id != self._stored_parent_id:
            raise RuntimeError("A unit changes its parent only through baocao.units.tree.move.")
        self.search_text = self.search_text_for(self.code, self.name)
        super().save(*args, **kwargs)
        self._stored_parent_id = self.parent_id

    def get_kind_display(self):
        """The kind in the regime's own words (kiemke: "Đơn vị kiểm kê"), on every screen."""
        from .codes import kind_label

        return kind_label(self.kind)

    @staticmethod
    def search_text_for(code, name):
        return fold(f"{code} {name}")

    def is_within(self, ancestor):
        """True if this unit is `ancestor` or below it."""
        return self.path.startswith(ancestor.path)

    def ancestor_codes(self):
        return self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)

    @property
    def label(self):
        return f"{self.code} - {self.name}"


class Reorganisation(models.Model):
    """One change of the tree (sắp xếp, tinh gọn), with the decision that ordered it."""

    class Operation(models.TextChoices):
        CREATE = "create", _("Thành lập đơn vị")
        RENAME = "rename", _("Đổi tên đơn vị")
        MOVE = "move", _("Chuyển đơn vị cấp trên")
        MERGE = "merge", _("Hợp nhất, sáp nhập đơn vị")
        SPLIT = "split", _("Chia, tách đơn vị")
        RETIRE = "retire", _("Giải thể đơn vị")

    operation = models.CharField(_("Thao tác"), max_length=10, choices=Operation.choices)
    decision_number = models.CharField(_("Số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("Ngày quyết định"), null=True, blank=True)
    decision_issuer = models.CharField(_("Cơ quan ban hành"), max_length=300, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    # What changed: codes created, moved (old and new parent), retired, renamed…
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(operation__in=["create", "rename", "move", "merge", "split", "retire"]),
                                              name="reorganisation_operation_valid")]

    def __str__(self):
        return f"{self.get_operation_display()} {self.decision_number}".strip()


class UnitLineage(models.Model):
    """A unit that took over (all or part of) another: several predecessors after a merge,
    several successors after a split."""

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessor_links")
    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.PROTECT, related_name="lineage")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unitlineage_unique"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="unitlineage_not_itself"),
        ]
