"""The only module that changes the unit tree (docs/adr/0007): create, rename, move,
retire, merge, split. Each operation:

- runs in one transaction that first takes the tree lock (two reorganisations never
  interleave);
- checks the actor's scope on every unit it touches, and the tree's rules (no cycle, no
  unit under a reporting unit, no retired unit as a target, kinds that fit together),
  refusing with a Vietnamese message;
- keeps every path and depth of a moved subtree right with one UPDATE;
- records itself in `Reorganisation` with the decision that ordered it, links lineage,
  writes its audit events, and tells the apps above through signals (`unit_moved`,
  `units_retired`, `units_renamed`) inside the transaction.

`actor=None` is the platform itself (imports, the demo).
"""
import zlib
from dataclasses import dataclass, field
import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from baocao import textbounds
from baocao.access import permissions, policy
from baocao.access.paths import prefixes
from baocao.audit.services import event, record_many
from baocao.dbtext import iexact

from . import codes
from .models import CODE_PATTERN, Reorganisation, Unit, UnitKind, UnitLineage, UnitStatus, UnitType
from .signals import unit_moved, units_created, units_renamed, units_retired

_LOCK_KEY = zlib.crc32(b"baocao.units.tree")
# The namespace of the per-unit advisory locks (the two-int form: namespace, unit id), apart
# from the tree-wide lock's one-bigint key (docs/adr/0010).
_UNIT_LOCKS = zlib.crc32(b"baocao.units.unit") & 0x7FFFFFFF
# Kinds that may have units below them.
PARENT_KINDS = {UnitKind.ROOT, UnitKind.GOVERNING, UnitKind.AGGREGATING}


@dataclass(frozen=True)
class Decision:
    """The decision that ordered a reorganisation (số, ngày, cơ quan ban hành)."""

    number: str = ""
    date: datetime.date | None = None
    issuer: str = ""


NO_DECISION = Decision()


@dataclass
class Change:
    """What one operation did, for its log and its preview."""

    created: list = field(default_factory=list)  # codes
    renamed: list = field(default_factory=list)  # (code, old name, new name)
    moved: list = field(default_factory=list)  # (code, old parent code, new parent code, units in the subtree)
    retired: list = field(default_factory=list)  # codes
    lineage: list = field(default_factory=list)  # (predecessor code, successor code)

    def as_json(self):
        return {key: value for key, value in self.__dict__.items() if value}


def lock():
    """Serialise changes of the tree (PostgreSQL: an advisory lock until the transaction
    ends; SQLite already runs one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def pin(unit):
    """Hold `unit`'s place in the tree until the transaction ends: a shared lock on each unit
    of its path, which a move of any of them waits for (`_hold_subtree`). The path is read
    again under the locks, and the locks taken again if it moved meanwhile. Every save,
    transition and exemption calls it before locking its report, so its totals go to the
    ancestors that hold when it commits (docs/adr/0010). No-op on SQLite, whose writers run
    one at a time."""
    if connection.vendor != "postgresql":
        return
    path = unit.path
    with connection.cursor() as cursor:
        while True:
            codes = ", ".join(["%s"] * len(prefixes(path)))
            cursor.execute(f"SELECT pg_advisory_xact_lock_shared(%s, (id & 2147483647)::int) FROM {Unit._meta.db_table} "
                           f"WHERE path IN ({codes})", [_UNIT_LOCKS] + prefixes(path))
            cursor.execute(f"SELECT path FROM {Unit._meta.db_table} WHERE id = %s", [unit.pk])
            now = cursor.fetchone()[0]
            if now == path:
                return
            path = now


def _hold_subtree(unit):
    """Exclusive lock on `unit` (see `pin`): waits for every change under way in its subtree
    and holds back new ones until this transaction ends. The caller holds the tree lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_UNIT_LOCKS, unit.pk & 0x7FFFFFFF])


def _administer(actor, unit, note):
    policy.require(actor, permissions.UNIT_ADMINISTER, unit, note=note)


def _fresh(unit):
    """The unit as stored now (paths may have moved since it was read)."""
    return Unit.objects.get(pk=unit.pk)


def _log(actor, operation, decision, change, note="", request=None, events=()):
    note = textbounds.bounded(note, textbounds.NOTE, _("Ghi chú"))
    decision = bounded_decision(decision)
    log = Reorganisation.objects.create(
        operation=operation, decision_number=decision.number.strip()[:100], decision_date=decision.date,
        decision_issuer=decision.issuer.strip()[:300], note=note.strip(), actor=actor, details=change.as_json(),
    )
    record_many([event(action, actor=actor, request=request, unit=unit, obj=log, after=after) for action, unit, after in events])
    return log


def bounded_decision(decision):
    """The decision's fields as typed, refused if longer than a line (never cut)."""
    return Decision(textbounds.bounded(decision.number, textbounds.LINE, _("Số quyết định")), decision.date,
                    textbounds.bounded(decision.issuer, textbounds.LINE, _("Cơ quan ban hành")))


def parent_problem(parent):
    """Why `parent` (a Unit, or a unit of an imported file not yet stored) cannot have a unit
    placed under it ("" if it can): the tree's rules for every writer of the tree."""
    if parent is None:
        return _("Cần chọn đơn vị cấp trên.")
    if parent.status != UnitStatus.ACTIVE:
        return _("Đơn vị cấp trên %(code)s đã giải thể, sáp nhập.") % {"code": parent.code}
    if parent.kind not in PARENT_KINDS:
        return _("%(code)s là đơn vị báo cáo, không có đơn vị trực thuộc.") % {"code": parent.code}
    return ""


def _check_parent(parent):
    problem = parent_problem(parent)
    if problem:
        raise ValidationError(problem)


def check_new_code(code):
    """A code for a new unit: the allowed characters, and never used before (codes of
    retired units are not reused)."""
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValidationError(_("Mã đơn vị “%(code)s” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, '_', '.', '-' (tối đa 40 ký tự).") % {"code": code[:40]})
    problem = codes.code_problem(code, UnitKind.REPORTING)  # a new unit is never the root
    if problem:
        raise ValidationError(problem)
    existing = Unit.objects.filter(iexact("code", code)).first()
    if existing is not None:
        if existing.status == UnitStatus.RETIRED:
            raise ValidationError(_("Mã %(code)s là của đơn vị đã giải thể, sáp nhập; mã đơn vị không được dùng lại.") % {"code": code})
        raise ValidationError(_("Đã có đơn vị mã %(code)s.") % {"code": code})
    return code


def _create(actor, *, code, name, kind, parent, unit_types=(), contact=None):
    code = check_new_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Cần nhập tên đơn vị."))
    if kind not in UnitKind.values or kind == UnitKind.ROOT:
        raise ValidationError(_("Loại đơn vị không hợp lệ."))
    _check_parent(parent)
    problem = codes.parent_problem(code, parent.code, Unit.objects.filter(kind=UnitKind.ROOT).values_list("code", flat=True).first() or "")
    if problem:
        raise ValidationError(problem)
    _administer(actor, parent, f"create {code}")
    unit = Unit(code=code, name=name[:300], kind=kind, parent=parent, **(contact or {}))
    unit.save()
    known = set(UnitType.objects.filter(code__in=list(unit_types)).values_list("code", flat=True))
    unknown = sorted(set(unit_types) - known)
    if unknown:
        raise ValidationError(_("Loại hình đơn vị không có trong danh mục: %(types)s.") % {"types": ", ".join(unknown)})
    unit.unit_types.set(known)
    units_created.send(sender=Unit, unit_ids=[unit.pk])
    return unit


def create(actor, *, code, name, kind, parent, unit_types=(), contact=None, decision=NO_DECISION, note="", request=None):
    """Thành lập: a new unit under `parent` (its accounts are the caller's: reorg services)."""
    with transaction.atomic():
        lock()
        unit = _create(actor, code=code, name=name, kind=kind, parent=_fresh(parent) if parent else None, unit_types=unit_types, contact=contact)
        change = Change(created=[unit.code])
        log = _log(actor, Reorganisation.Operation.CREATE, decision, change, note, request,
                   [("unit.created", unit, {"name": unit.name, "kind": unit.kind, "parent": parent.code})])
    return unit, log


def rename(actor, unit, *, name, decision=NO_DECISION, note="", request=None):
    name = (name or "").strip()[:300]
    if not name:
        raise ValidationError(_("Cần nhập tên đơn vị."))
    with transaction.atomic():
        lock()
        unit = _fresh(unit)
        _administer(actor, unit, "rename")
        if unit.status != UnitStatus.ACTIVE:
            raise ValidationError(_("Đơn vị %(code)s đã giải thể, sáp nhập.") % {"code": unit.code})
        old = unit.name
        unit.name = name
        unit.save(update_fields=["name", "search_text", "updated_at"])
        units_renamed.send(sender=Unit, unit_ids=[unit.pk])
        change = Change(renamed=[(unit.code, old, name)])
        log = _log(actor, Reorganisation.Operation.RENAME, decision, change, note, request,
                   [("unit.updated", unit, {"name": name, "old_name": old})])
    return unit, log


def move_paths(unit, parent):
    """Rewrite the paths and depths of `unit`'s whole subtree for its new `parent`, with one
    UPDATE, and tell the apps above. The caller holds the tree lock and has checked."""
    _hold_subtree(unit)
    old_path, new_path = unit.path, Unit.path_for(parent, unit.code)
    # Root first (the order the totals ledger locks their rows in, reversed).
    old_ancestors = list(Unit.objects.filter(path__in=prefixes(old_path)[:-1]).order_by("depth").values_list("pk", flat=True))
    new_ancestors = list(Unit.objects.filter(path__in=prefixes(parent.path)).order_by("depth").values_list("pk", flat=True))
    Unit.objects.subtree(unit).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (parent.depth + 1 - unit.depth),
    )
    Unit.objects.filter(pk=unit.pk).update(parent=parent)
    unit.parent, unit.path, unit.depth = parent, new_path, parent.depth + 1
    unit._stored_parent_id = parent.pk
    unit_moved.send(sender=Unit, unit_id=unit.pk, old_ancestor_ids=old_ancestors, new_ancestor_ids=new_ancestors)


def _move(actor, unit, parent):
    if unit.kind == UnitKind.ROOT:
        raise ValidationError(_("Không chuyển được đơn vị gốc."))
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError(_("Đơn vị %(code)s đã giải thể, sáp nhập.") % {"code": unit.code})
    _check_parent(parent)
    if parent.path.startswith(unit.path):
        raise ValidationError(_("Không chuyển được %(code)s vào %(parent)s: %(parent)s là chính nó hoặc đơn vị trực thuộc của nó (tạo thành vòng lặp).")
                              % {"code": unit.code, "parent": parent.code})
    _administer(actor, unit, f"move {unit.code}")
    _administer(actor, parent, f"move {unit.code} into {parent.code}")
    old_parent = unit.parent.code if unit.parent_id else ""
    size = Unit.objects.subtree(unit).count()
    if unit.parent_id != parent.pk:
        move_paths(unit, parent)
    return (unit.code, old_parent, parent.code, size)


def catalogue_move(actor, unit, parent):
    """A move the catalogue import makes (units.catalogue holds the tree lock): checked and
    made as `move` makes it. Returns its line for `record_catalogue`."""
    return _move(actor, _fresh(unit), _fresh(parent))


def record_catalogue(actor, *, created, moved, note, request=None):
    """The catalogue import's creations and moves, recorded as reorganisations like any other."""
    if moved:
        _log(actor, Reorganisation.Operation.MOVE, NO_DECISION, Change(moved=list(moved)), note, request)
    if created:
        more = len(created) - 1000  # the record names a thousand; the audit log has every one
        _log(actor, Reorganisation.Operation.CREATE, NO_DECISION, Change(created=list(created[:1000])),
             note + (_(" (và %(n)d đơn vị khác)") % {"n": more} if more > 0 else ""), request)


def move(actor, unit, *, parent, decision=NO_DECISION, note="", request=None):
    """Chuyển: `unit` and its whole subtree go under `parent`."""
    with transaction.atomic():
        lock()
        unit, parent = _fresh(unit), _fresh(parent)
        moved = _move(actor, unit, parent)
        change = Change(moved=[moved])
        log = _log(actor, Reorganisation.Operation.MOVE, decision, change, note, request,
                   [("unit.updated", unit, {"parent": parent.code, "old_parent": moved[1]})])
    return unit, log


def _retire(actor, unit, successors):
    if unit.kind == UnitKind.ROOT:
        raise ValidationError(_("Không giải thể được đơn vị gốc."))
    if unit.status != UnitStatus.ACTIVE:
        raise ValidationError(_("Đơn vị %(code)s đã giải thể, sáp nhập.") % {"code": unit.code})
    _administer(actor, unit, f"retire {unit.code}")
    active_children = list(Unit.objects.filter(parent=unit, status=UnitStatus.ACTIVE).values_list("code", flat=True)[:10])
    if active_children:
        raise ValidationError(_("%(code)s còn đơn vị trực thuộc đang hoạt động (%(children)s): hãy chuyển hoặc giải thể các đơn vị đó trước.")
                              % {"code": unit.code, "children": ", ".join(active_children)})
    for successor in successors:
        if successor.pk == unit.pk:
            raise ValidationError(_("Đơn vị không kế thừa chính nó."))
        if successor.status != UnitStatus.ACTIVE:
            raise ValidationError(_("Đơn vị kế thừa %(code)s đã giải thể, sáp nhập.") % {"code": successor.code})
    Unit.objects.filter(pk=unit.pk).update(status=UnitStatus.RETIRED)
    unit.status = UnitStatus.RETIRED


def _link(log, predecessors, successors):
    UnitLineage.objects.bulk_create(
        [UnitLineage(predecessor=p, successor=s, reorganisation=log) for p in predecessors for s in successors], ignore_conflicts=True
    )


def retire(actor, unit, *, successors=(), decision=NO_DECISION, note="", request=None):
    """Giải thể: the unit keeps its code and history, points to its successors; the apps
    above deactivate its accounts and exempt what it has not sent."""
    with transaction.atomic():
        lock()
        unit = _fresh(unit)
        successors = [_fresh(s) for s in successors]
        _retire(actor, unit, successors)
        change = Change(retired=[unit.code], lineage=[(unit.code, s.code) for s in successors])
        log = _log(actor, Reorganisation.Operation.RETIRE, decision, change, note, request,
                   [("unit.retired", unit, {"successors": [s.code for s in successors]})])
        _link(log, [unit], successors)
        units_retired.send(sender=Unit, unit_ids=[unit.pk], reorganisation=log)
    return unit, log


def merge(actor, sources, *, into=None, new=None, decision=NO_DECISION, note="", request=None):
    """Hợp nhất, sáp nhập: `sources` end and `into` (an existing unit) or a `new` one
    ({code, name, kind, parent, unit_types}) takes over: the sources' units below move to
    it, the sources retire with lineage to it."""
    if (into is None) == (new is None):
        raise ValueError("merge into an existing unit or a new one")
    with transaction.atomic():
        lock()
        sources = [_fresh(s) for s in sources]
        if not sources:
            raise ValidationError(_("Chọn ít nhất một đơn vị được hợp nhất."))
        source_codes = [s.code for s in sources]
        if len(set(source_codes)) != len(source_codes):
            raise ValidationError(_("Một đơn vị được chọn hai lần."))
        kinds = {s.kind for s in sources}
        if len(kinds) > 1:
            raise ValidationError(_("Không hợp nhất được các đơn vị khác loại (%(kinds)s).") % {"kinds": ", ".join(sorted(codes.kind_label(k) for k in kinds))})
        change = Change()
        if new is not None:
            target = _create(actor, code=new["code"], name=new["name"], kind=new.get("kind") or sources[0].kind,
                             parent=_fresh(new["parent"]), unit_types=new.get("unit_types", ()), contact=new.get("contact"))
            change.created.append(target.code)
        else:
            target = _fresh(into)
            if target.status != UnitStatus.ACTIVE:
                raise ValidationError(_("Đơn vị nhận %(code)s đã giải thể, sáp nhập.") % {"code": target.code})
            if target.pk in {s.pk for s in sources}:
                raise ValidationError(_("Đơn vị nhận không nằm trong các đơn vị được hợp nhất."))
            _administer(actor, target, f"merge into {target.code}")
        if target.kind != sources[0].kind:
            raise ValidationError(_("Đơn vị nhận phải cùng loại với các đơn vị được hợp nhất."))
        for source in sources:
            for child in Unit.objects.filter(parent=source, status=UnitStatus.ACTIVE).order_by("code"):
                if target.kind not in PARENT_KINDS:
                    raise ValidationError(_("%(code)s có đơn vị trực thuộc nhưng đơn vị nhận là đơn vị báo cáo.") % {"code": source.code})
                change.moved.append(_move(actor, _fresh(child), target))
            _retire(actor, _fresh(source), [target])
            change.retired.append(source.code)
            change.lineage.append((source.code, target.code))
        log = _log(actor, Reorganisation.Operation.MERGE, decision, change, note, request,
                   [("unit.retired", s, {"successors": [target.code]}) for s in sources] + [("unit.merged", target, {"from": source_codes})])
        _link(log, sources, [target])
        units_retired.send(sender=Unit, unit_ids=[s.pk for s in sources], reorganisation=log)
    return target, log


def merge_wave(actor, merges, *, decision=NO_DECISION, note="", request=None):
    """A wave of mergers ordered by one decision (the national waves: the communes of a
    province three into one): `merges` is [{"sources": [units], "new": {code, name, kind,
    parent, unit_types, contact}}], each a `merge` into a new unit, with the same checks
    and the same records (one Reorganisation per merger, lineage, audit events, signals),
    but set-based: one lock, the units read, created, tagged and retired with a statement
    per kind of row for the whole wave, the apps above told once with every unit (their
    work is set-based too). A merger into an existing unit, or of sources that still have
    units below them, is taken by `merge` one by one inside the same transaction.
    Returns [(target, log)] in the order given."""
    note, decision = textbounds.bounded(note, textbounds.NOTE, _("Ghi chú")), bounded_decision(decision)
    with transaction.atomic():
        lock()
        simple, done = [], {}
        ids = [s.pk for m in merges for s in m["sources"]]
        if len(set(ids)) != len(ids):
            raise ValidationError(_("Một đơn vị được chọn hai lần."))
        fresh = Unit.objects.in_bulk(ids)
        with_children = set(Unit.objects.filter(parent_id__in=ids, status=UnitStatus.ACTIVE).values_list("parent_id", flat=True))
        for n, m in enumerate(merges):
            if m.get("new") is None or any(s.pk in with_children for s in m["sources"]):
                done[n] = merge(actor, m["sources"], into=m.get("into"), new=m.get("new"), decision=decision, note=note, request=request)
            else:
                simple.append(n)
        if not simple:
            return [done[n] for n in range(len(merges))]
        parents = Unit.objects.in_bulk({merges[n]["new"]["parent"].pk for n in simple})
        root_code = Unit.objects.filter(kind=UnitKind.ROOT).values_list("code", flat=True).first() or ""
        wanted = [(merges[n]["new"].get("code") or "").strip() for n in simple]
        if len({c.lower() for c in wanted}) != len(wanted):
            raise ValidationError(_("Một mã đơn vị mới được dùng hai lần."))
        taken = {c.lower(): st for c, st in Unit.objects.annotate(low=Lower("code")).filter(low__in=[c.lower() for c in wanted])
                 .values_list("code", "status")}
        known_types = set(UnitType.objects.values_list("code", flat=True))
        units, plans = [], []
        for n, code in zip(simple, wanted):
            spec = merges[n]["new"]
            sources = [fresh[s.pk] for s in merges[n]["sources"]]
            if not sources:
                raise ValidationError(_("Chọn ít nhất một đơn vị được hợp nhất."))
            kinds = {s.kind for s in sources}
            if len(kinds) > 1:
                raise ValidationError(_("Không hợp nhất được các đơn vị khác loại (%(kinds)s).") % {"kinds": ", ".join(sorted(codes.kind_label(k) for k in kinds))})
            kind = spec.get("kind") or sources[0].kind
            if kind != sources[0].kind:
                raise ValidationError(_("Đơn vị nhận phải cùng loại với các đơn vị được hợp nhất."))
            if not CODE_PATTERN.match(code):
                check_new_code(code)  # raises with the message
            problem = codes.code_problem(code, UnitKind.REPORTING)
            if problem:
                raise ValidationError(problem)
            if code.lower() in taken:
                if taken[code.lower()] == UnitStatus.RETIRED:
                    raise ValidationError(_("Mã %(code)s là của đơn vị đã giải thể, sáp nhập; mã đơn vị không được dùng lại.") % {"code": code})
                raise ValidationError(_("Đã có đơn vị mã %(code)s.") % {"code": code})
            name = (spec.get("name") or "").strip()
            if not name:
                raise ValidationError(_("Cần nhập tên đơn vị."))
            parent = parents[spec["parent"].pk]
            _check_parent(parent)
            problem = codes.parent_problem(code, parent.code, root_code)
            if problem:
                raise ValidationError(problem)
            unknown = sorted(set(spec.get("unit_types", ())) - known_types)
            if unknown:
                raise ValidationError(_("Loại hình đơn vị không có trong danh mục: %(types)s.") % {"types": ", ".join(unknown)})
            _administer(actor, parent, f"create {code}")
            for source in sources:
                if source.kind == UnitKind.ROOT:
                    raise ValidationError(_("Không giải thể được đơn vị gốc."))
                if source.status != UnitStatus.ACTIVE:
                    raise ValidationError(_("Đơn vị %(code)s đã giải thể, sáp nhập.") % {"code": source.code})
                _administer(actor, source, f"retire {source.code}")
            unit = Unit(code=code, name=name[:300], kind=kind, parent=parent, **(spec.get("contact") or {}))
            unit.path, unit.depth = Unit.path_for(parent, code), parent.depth + 1
            unit.search_text = Unit.search_text_for(code, unit.name)
            units.append(unit)
            plans.append((n, sources, unit, sorted(set(spec.get("unit_types", ())))))
        Unit.objects.bulk_create(units, batch_size=1000)
        created = {u.code.lower(): u for u in Unit.objects.filter(path__in=[u.path for u in units])}
        through = Unit.unit_types.through
        through.objects.bulk_create([through(unit_id=created[u.code.lower()].pk, unittype_id=t) for _n, _s, u, types in plans for t in types],
                                    batch_size=1000)
        retired_ids = [s.pk for _n, sources, _u, _t in plans for s in sources]
        Unit.objects.filter(pk__in=retired_ids).update(status=UnitStatus.RETIRED)
        units_created.send(sender=Unit, unit_ids=[created[u.code.lower()].pk for _n, _s, u, _t in plans])
        logs, events = [], []
        for n, sources, unit, _types in plans:
            target = created[unit.code.lower()]
            change = Change(created=[target.code], retired=[s.code for s in sources], lineage=[(s.code, target.code) for s in sources])
            logs.append(Reorganisation(operation=Reorganisation.Operation.MERGE, decision_number=decision.number.strip()[:100],
                                       decision_date=decision.date, decision_issuer=decision.issuer.strip()[:300], note=note.strip(),
                                       actor=actor, details=change.as_json()))
        Reorganisation.objects.bulk_create(logs, batch_size=1000)
        lineage = []
        for (n, sources, unit, _types), log in zip(plans, logs):
            target = created[unit.code.lower()]
            for source in sources:
                source.status = UnitStatus.RETIRED
                events.append(event("unit.retired", actor=actor, request=request, unit=source, obj=log, after={"successors": [target.code]}))
                lineage.append(UnitLineage(predecessor=source, successor=target, reorganisation=log))
            events.append(event("unit.merged", actor=actor, request=request, unit=target, obj=log, after={"from": [s.code for s in sources]}))
            done[n] = (target, log)
        record_many(events)
        UnitLineage.objects.bulk_create(lineage, batch_size=1000, ignore_conflicts=True)
        # One signal per decision-sharing wave: the receivers (accounts revoked, unstarted
        # reports exempted) cite the decision, which every merger of the wave shares.
        units_retired.send(sender=Unit, unit_ids=retired_ids, reorganisation=logs[0])
    return [done[n] for n in range(len(merges))]


def split(actor, source, *, into=(), new=(), children=None, decision=NO_DECISION, note="", request=None):
    """Chia, tách: `source` ends and several units take over — existing ones (`into`) and/or
    new ones (`new`: [{code, name, kind, parent, unit_types}]). `children`: {child code:
    successor code} says where each unit below the source goes (all must be placed)."""
    with transaction.atomic():
        lock()
        source = _fresh(source)
        change = Change()
        successors = [_fresh(u) for u in into]
        for spec in new:
            unit = _create(actor, code=spec["code"], name=spec["name"], kind=spec.get("kind") or source.kind,
                           parent=_fresh(spec["parent"]), unit_types=spec.get("unit_types", ()), contact=spec.get("contact"))
            successors.append(unit)
            change.created.append(unit.code)
        if len(successors) < 2:
            raise ValidationError(_("Chia, tách cần ít nhất hai đơn vị kế thừa."))
        by_code = {s.code.lower(): s for s in successors}
        for successor in successors:
            _administer(actor, successor, f"split into {successor.code}")
        below = list(Unit.objects.filter(parent=source, status=UnitStatus.ACTIVE).order_by("code"))
        placing = {k.lower(): v.lower() for k, v in (children or {}).items()}
        for child in below:
            target = by_code.get(placing.get(child.code.lower(), ""))
            if target is None:
                raise ValidationError(_("Chưa chọn đơn vị kế thừa cho đơn vị trực thuộc %(code)s.") % {"code": child.code})
            change.moved.append(_move(actor, _fresh(child), target))
        _retire(actor, _fresh(source), successors)
        change.retired.append(source.code)
        change.lineage += [(source.code, s.code) for s in successors]
        log = _log(actor, Reorganisation.Operation.SPLIT, decision, change, note, request,
                   [("unit.retired", source, {"successors": [s.code for s in successors]})])
        _link(log, [source], successors)
        units_retired.send(sender=Unit, unit_ids=[source.pk], reorganisation=log)
    return successors, log


def successors_of(unit):
    return Unit.objects.filter(predecessor_links__predecessor=unit).order_by("code")


def predecessors_of(unit):
    return Unit.objects.filter(successor_links__successor=unit).order_by("code")

