"""QUẢN TRỊ HỆ THỐNG > Sắp xếp đơn vị, Nhật ký sắp xếp, Danh sách sắp xếp từ Excel and Đề
nghị chuyển dữ liệu (letter 000, section 2; docs/reorganisation.md). Thin views over
reorg.operations and reorg.transfers: every operation is previewed with the very service
that executes it (rolled back), and every refusal of scope is the services' (403, audited
by the middleware)."""
import hashlib
import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baocao import regimes, textbounds
from baocao.access import permissions, policy
from baocao.accounts.models import Account
from baocao.audit.models import AuditEvent
from baocao.dbtext import iexact
from baocao.reports import selectors as report_selectors
from baocao.reports import services as report_services
from baocao.reports import values as report_values
from baocao.reports.formatting import vn_number
from baocao.reports.models import PeriodForm, PeriodStatus, Report
from baocao.units import codes as unit_codes, tree
from baocao.units.models import Reorganisation, Unit, UnitKind, UnitLineage, UnitStatus, UnitType

from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.jobs.uploads import UploadRefused, inspect_upload, runs_in_background

from . import excel, operations, transfers
from .forms import ListUploadForm
from .models import TransferLine, TransferRequest

PAGE_SIZE = 50
MAX_SEARCH_RESULTS = 20
MAX_NEW_ROWS = 20  # new successors of a split, targets of a transfer
MAX_RECORD_CHOICES = 300  # register records offered one by one per split line (the rest follow the line's choice)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_MAX_AGE = 2 * 3600  # seconds a previewed list may wait for "Áp dụng"

# URL slug -> operation of units.tree / reorg.operations.
OPERATIONS = {
    "thanh-lap": "create", "doi-ten": "rename", "chuyen": "move",
    "hop-nhat": "merge", "chia-tach": "split", "giai-the": "retire",
}
NEW_KINDS = (UnitKind.GOVERNING, UnitKind.AGGREGATING, UnitKind.REPORTING)
DECISION_FIELDS = ("decision_number", "decision_date", "decision_issuer", "note")
# Text fields of each operation's form (lists are read with getlist).
FIELDS = {
    "create": ("code", "name", "kind", "parent", "address", "phone", "email"),
    "rename": ("unit", "name"),
    "move": ("unit", "parent"),
    "merge": ("sources", "mode", "into", "code", "name", "parent"),
    "split": ("source", "into", "rows"),
    "retire": ("unit", "successors"),
}
LIST_FIELDS = {"create": ("unit_types",), "merge": ("unit_types",), "split": ("unit_types",)}
DESCRIPTIONS = {
    "create": gettext_lazy("Tạo đơn vị mới dưới một đơn vị cấp trên, cùng các tài khoản theo quy định của chế độ báo cáo."),
    "rename": gettext_lazy("Đổi tên một đơn vị; mã đơn vị, tài khoản và số liệu giữ nguyên."),
    "move": gettext_lazy("Chuyển một đơn vị (cùng mọi đơn vị trực thuộc) sang đơn vị cấp trên khác; số liệu tổng hợp của kỳ đang mở đi theo."),
    "merge": gettext_lazy("Nhiều đơn vị hợp nhất thành một đơn vị mới, hoặc sáp nhập vào một đơn vị có sẵn; đơn vị cũ ngừng hoạt động, tài khoản bị thu hồi."),
    "split": gettext_lazy("Một đơn vị chia, tách thành nhiều đơn vị; mỗi đơn vị trực thuộc được chuyển về một đơn vị kế thừa."),
    "retire": gettext_lazy("Giải thể một đơn vị không còn đơn vị trực thuộc; mã và lịch sử được giữ, tài khoản bị thu hồi."),
}


# Free text of the decision forms: refused when too long, never cut (baocao.textbounds).
TEXT_LIMITS = {
    "note": (textbounds.NOTE, gettext_lazy("Ghi chú")),
    "decision_number": (100, gettext_lazy("Số quyết định")),
    "decision_issuer": (textbounds.LINE, gettext_lazy("Cơ quan ban hành")),
}


def _too_long(request):
    """Messages for the posted free-text fields longer than their bound ([] if none)."""
    if request.method != "POST":
        return []
    try:
        textbounds.bounded_fields(request.POST, TEXT_LIMITS)
    except textbounds.TextTooLong as error:
        return error.messages
    return []


def _label(operation):
    return Reorganisation.Operation(operation).label


def _clean(value, limit=300):
    return (value or "").strip()[:limit]


def _codes(text):
    """Codes typed in one box, separated by commas, semicolons, spaces or lines."""
    seen, out = set(), []
    for code in re.split(r"[\s,;]+", text or ""):
        code = code.strip()[:40]
        if code and code.lower() not in seen:
            seen.add(code.lower())
            out.append(code)
    return out[:500]


def _unit(code, label, errors, *, required=True):
    code = (code or "").strip()[:40]
    if not code:
        if required:
            errors.append(_("%(label)s: cần nhập mã đơn vị.") % {"label": label})
        return None
    unit = Unit.objects.filter(iexact("code", code)).first()
    if unit is None:
        errors.append(_("%(label)s: không có đơn vị mã “%(code)s”.") % {"label": label, "code": code})
    return unit


def _units(text, label, errors, *, required=True):
    codes = _codes(text)
    if not codes and required:
        errors.append(_("%(label)s: cần nhập ít nhất một mã đơn vị.") % {"label": label})
    found = {u.code.lower(): u for u in Unit.objects.filter(code__in=codes)}
    rest = [c for c in codes if c.lower() not in found]
    for code in rest:  # codes typed in another case
        unit = Unit.objects.filter(iexact("code", code)).first()
        if unit is not None:
            found[code.lower()] = unit
    missing = [c for c in codes if c.lower() not in found]
    if missing:
        errors.append(_("%(label)s: không có đơn vị mã %(codes)s.") % {"label": label, "codes": ", ".join(f"“{c}”" for c in missing[:20])})
    return [found[c.lower()] for c in codes if c.lower() in found]


def _day(text, label, errors, *, required=True):
    text = (text or "").strip()
    if not text:
        if required:
            errors.append(_("Cần nhập %(label)s (dd/mm/yyyy).") % {"label": label})
        return None
    try:
        day = datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        errors.append(_("%(label)s: nhập ngày theo dạng dd/mm/yyyy (ví dụ 30/06/2025).") % {"label": label})
        return None
    if not 1945 <= day.year <= 2100:
        errors.append(_("%(label)s: năm phải từ 1945 đến 2100.") % {"label": label})
        return None
    return day


def _decision(form, errors):
    if not form.get("decision_number"):
        errors.append(_("Cần nhập Số quyết định."))
    day = _day(form.get("decision_date"), _("Ngày quyết định"), errors)
    return tree.Decision(form.get("decision_number", "")[:100], day, form.get("decision_issuer", "")[:300])


def _unit_types(chosen, errors):
    known = set(UnitType.objects.filter(code__in=chosen).values_list("code", flat=True))
    unknown = [c for c in chosen if c not in known]
    if unknown:
        errors.append(_("Loại hình đơn vị không có trong danh mục: %(types)s.") % {"types": ", ".join(unknown[:10])})
    return [c for c in chosen if c in known]


def _types_of(units):
    return sorted(set(UnitType.objects.filter(units__in=units).values_list("code", flat=True)))


# --- Sắp xếp đơn vị ------------------------------------------------------------------------


def _require_administrator(request):
    policy.require(request.user, permissions.UNIT_ADMINISTER, note="reorganisation")


@login_required
def index(request):
    _require_administrator(request)
    return render(request, "reorg/index.html", {
        "active_menu": "admin",
        "operations": [{"slug": slug, "label": _label(op), "description": DESCRIPTIONS[op]} for slug, op in OPERATIONS.items()],
        "recent": _visible_logs(request.user)[:5],
        "may_request": policy.may_somewhere(request.user, permissions.TRANSFER_REQUEST),
    })


def _read_form(request, operation):
    source = request.POST if request.method == "POST" else request.GET
    form = {key: _clean(source.get(key), 2000 if key == "note" else 300) for key in FIELDS[operation] + DECISION_FIELDS}
    for key in LIST_FIELDS.get(operation, ()):
        form[key] = [_clean(v, 40) for v in source.getlist(key)][:50]
    if operation == "split":
        try:
            rows = int(form["rows"] or 2)
        except ValueError:
            rows = 2
        rows = min(max(rows, 2), MAX_NEW_ROWS)
        if request.method == "POST" and request.POST.get("action") == "add_row":
            rows = min(rows + 1, MAX_NEW_ROWS)
        form["rows"] = str(rows)
        form["new"] = [{key: _clean(source.get(f"new_{key}_{i}"), 300) for key in ("code", "name", "parent")} for i in range(rows)]
        form["place"] = {key[len("place__"):][:40]: _clean(value, 40) for key, value in source.items() if key.startswith("place__")}
    if operation == "merge" and form["mode"] not in ("new", "existing"):
        form["mode"] = "new"
    # Prefill from the unit page's links (?don_vi=CODE).
    if request.method == "GET" and request.GET.get("don_vi"):
        code = _clean(request.GET["don_vi"], 40)
        key = {"rename": "unit", "move": "unit", "retire": "unit", "split": "source", "merge": "sources", "create": "parent"}[operation]
        form[key] = code
    return form


def _fingerprint(form):
    """What was previewed: "Thực hiện" runs only what the preview showed."""
    return hashlib.sha256(json.dumps(form, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _arguments(operation, form, errors):
    """The service's arguments from the form, with every problem of the form listed."""
    if operation == "create":
        if form["kind"] not in NEW_KINDS:
            errors.append(_("Chọn loại đơn vị."))
        if not form["code"]:
            errors.append(_("Cần nhập mã đơn vị mới."))
        if not form["name"]:
            errors.append(_("Cần nhập tên đơn vị."))
        if form["email"]:
            try:
                validate_email(form["email"])
            except ValidationError:
                errors.append(_("Thư điện tử không hợp lệ."))
        parent = _unit(form["parent"], _("Đơn vị cấp trên"), errors)
        types = _unit_types(form["unit_types"], errors)
        contact = {key: form[key][:200 if key == "email" else 300 if key == "address" else 50] for key in ("address", "phone", "email") if form[key]}
        return {"code": form["code"], "name": form["name"], "kind": form["kind"], "parent": parent, "unit_types": types, "contact": contact}
    if operation == "rename":
        unit = _unit(form["unit"], _("Đơn vị đổi tên"), errors)
        if not form["name"]:
            errors.append(_("Cần nhập tên mới của đơn vị."))
        return {"unit": unit, "name": form["name"]}
    if operation == "move":
        return {"unit": _unit(form["unit"], _("Đơn vị được chuyển"), errors), "parent": _unit(form["parent"], _("Đơn vị cấp trên mới"), errors)}
    if operation == "merge":
        sources = _units(form["sources"], _("Các đơn vị được hợp nhất, sáp nhập"), errors)
        if form["mode"] == "existing":
            return {"sources": sources, "into": _unit(form["into"], _("Đơn vị nhận sáp nhập"), errors)}
        if not form["code"]:
            errors.append(_("Cần nhập mã đơn vị mới."))
        if not form["name"]:
            errors.append(_("Cần nhập tên đơn vị mới."))
        parent = _unit(form["parent"], _("Đơn vị cấp trên của đơn vị mới"), errors)
        types = _unit_types(form["unit_types"], errors) or _types_of(sources)
        return {"sources": sources, "new": {"code": form["code"], "name": form["name"], "parent": parent, "unit_types": types}}
    if operation == "split":
        source = _unit(form["source"], _("Đơn vị chia, tách"), errors)
        into = _units(form["into"], _("Đơn vị kế thừa có sẵn"), errors, required=False)
        types = _unit_types(form["unit_types"], errors) or (_types_of([source]) if source else [])
        new = []
        for n, row in enumerate(form["new"], start=1):
            if not any(row.values()):
                continue
            if not row["code"] or not row["name"]:
                errors.append(_("Đơn vị mới dòng %(n)d: cần nhập cả mã và tên đơn vị.") % {"n": n})
            parent = _unit(row["parent"], _("Đơn vị mới dòng %(n)d, đơn vị cấp trên") % {"n": n}, errors)
            new.append({"code": row["code"], "name": row["name"], "parent": parent, "unit_types": types})
        return {"source": source, "into": into, "new": new, "children": {k: v for k, v in form["place"].items() if v}}
    unit = _unit(form["unit"], _("Đơn vị giải thể"), errors)
    return {"unit": unit, "successors": _units(form["successors"], _("Đơn vị kế thừa"), errors, required=False)}


def _split_children(form):
    """The active units below a split's source, each with the successor chosen for it."""
    source = Unit.objects.filter(iexact("code", form.get("source", "")[:40])).first() if form.get("source") else None
    if source is None:
        return [], []
    successors = _codes(form["into"]) + [row["code"] for row in form["new"] if row["code"]]
    children = Unit.objects.filter(parent=source, status=UnitStatus.ACTIVE).order_by("code")[:500]
    return [(child, form["place"].get(child.code, "")) for child in children], successors


def _describe(outcome, form):
    """The outcome of an operation as lines a person reads (units by code and name)."""
    change = outcome.change
    codes = set(change.get("created", [])) | set(change.get("retired", [])) | {m[0] for m in change.get("moved", [])}
    codes |= {m[1] for m in change.get("moved", [])} | {m[2] for m in change.get("moved", [])}
    codes |= {a for a, _b in change.get("lineage", [])} | {b for _a, b in change.get("lineage", [])}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    typed = [(form.get("code"), form.get("name"))] + [(row["code"], row["name"]) for row in form.get("new", [])]
    names.update({code: name for code, name in typed if code and code not in names})
    label = lambda code: f"{code} - {names[code]}" if code in names else code  # noqa: E731
    return {
        "created": [label(c) for c in change.get("created", [])],
        "renamed": change.get("renamed", []),
        "moved": [{"unit": label(m[0]), "old": label(m[1]), "new": label(m[2]), "size": m[3]} for m in change.get("moved", [])],
        "retired": [label(c) for c in change.get("retired", [])],
        "lineage": [(label(a), label(b)) for a, b in change.get("lineage", [])],
        "accounts_created": outcome.accounts_created,
        "accounts_deactivated": outcome.accounts_deactivated,
        "reports_exempted": outcome.reports_exempted,
        "reports_kept": outcome.reports_kept,
        "reports_waiting": outcome.reports_waiting,
        "units_affected": outcome.units_affected,
    }


@login_required
def operation_page(request, slug):
    """One operation's form; "Xem trước" runs it and rolls it back, showing exactly what
    would change; "Thực hiện" (offered after a preview of the same values) runs it."""
    operation = OPERATIONS.get(slug)
    if operation is None:
        raise Http404(_("Không có thao tác sắp xếp này."))
    _require_administrator(request)
    form = _read_form(request, operation)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    errors, preview, status = [], None, 200
    suggested = unit_codes.next_free_code(form.get("parent", "")) if operation in ("create", "merge") else ""
    if action == "suggest" and suggested and not form.get("code"):
        form["code"] = suggested  # "Gợi ý mã": the next free code under the parent typed
    fingerprint = _fingerprint(form)
    if action in ("preview", "execute"):
        errors += _too_long(request)
        decision = _decision(form, errors)
        arguments = _arguments(operation, form, errors)
        if not errors:
            execute = action == "execute" and request.POST.get("previewed") == fingerprint
            if action == "execute" and not execute:
                messages.info(request, _("Thông tin đã thay đổi sau lần xem trước: hãy xem lại trước khi thực hiện."))
            try:
                _result, outcome = operations.run(request.user, operation, preview=not execute, request=request,
                                                  decision=decision, note=form["note"], **arguments)
            except ValidationError as error:
                errors = error.messages
            else:
                if execute:
                    messages.success(request, _("Đã thực hiện: %(op)s (quyết định %(number)s).") % {"op": _label(operation), "number": decision.number})
                    if outcome.reports_waiting:
                        # Case (b): the old units' data waits; the log page offers its transfer request, prefilled.
                        messages.warning(request, _("Các đơn vị cũ còn %(n)d báo cáo đã nhập số liệu: số liệu này chờ được chuyển sang đơn vị mới — hãy bấm “Lập đề nghị chuyển dữ liệu”.") % {"n": len(outcome.reports_waiting)})
                    return redirect("reorg:log_detail", pk=outcome.log_id)
                preview = _describe(outcome, form)
        if errors:
            status = 400
    children, successor_codes = _split_children(form) if operation == "split" else ([], [])
    return render(request, "reorg/operation.html", {
        "active_menu": "admin", "operation": operation, "slug": slug, "title": _label(operation), "description": DESCRIPTIONS[operation],
        "form": form, "errors": errors, "preview": preview, "fingerprint": fingerprint if preview else "",
        # "Thực hiện" posts again exactly the values that were previewed.
        "posted": [(key, value) for key in request.POST for value in request.POST.getlist(key)
                   if key not in ("csrfmiddlewaretoken", "action", "previewed")] if preview else [],
        "code_rule": unit_codes.code_rule(), "suggested_code": suggested,
        "kinds": [(k.value, unit_codes.kind_label(k.value)) for k in NEW_KINDS], "unit_types": UnitType.objects.order_by("name"),
        "children": children, "successor_codes": successor_codes, "operations": [(s, _label(o)) for s, o in OPERATIONS.items()],
    }, status=status)


@login_required
def unit_search(request):
    """Tra cứu mã đơn vị: units within the administrator's reach matching the words typed
    (accents and case ignored); a fragment for the search helper, a page without script."""
    account = request.user
    if not (policy.may_somewhere(account, permissions.UNIT_ADMINISTER) or policy.may_somewhere(account, permissions.TRANSFER_REQUEST)):
        policy.require(account, permissions.UNIT_ADMINISTER, note="unit search")
    query = _clean(request.GET.get("q"), 100)
    reach = policy.scope(account, permissions.UNIT_ADMINISTER).q() | policy.scope(account, permissions.TRANSFER_REQUEST).q()
    units = Unit.objects.filter(reach).select_related("parent").matching(query).order_by("path")[:MAX_SEARCH_RESULTS] if query else []
    template = "reorg/_unit_results.html" if request.headers.get("HX-Request") else "reorg/units.html"
    return render(request, template, {"active_menu": "admin", "units": units, "query": query})


# --- Nhật ký sắp xếp -----------------------------------------------------------------------


def _visible_logs(actor):
    """The reorganisations an administrator sees: those that touched a unit of its reach
    (where the unit is now, or where it was then) and its own."""
    logs = Reorganisation.objects.select_related("actor")
    reach = policy.scope(actor, permissions.UNIT_ADMINISTER)
    if reach.everywhere:
        return logs
    touched = AuditEvent.objects.filter(object_type="units.reorganisation").filter(
        reach.q(path="unit__path", pk="unit_id") | reach.q(path="unit_path", pk="unit_id")
    ).annotate(log_id=Cast("object_id", BigIntegerField())).values("log_id")
    return logs.filter(Q(pk__in=touched) | Q(actor=actor))


@login_required
def log_list(request):
    _require_administrator(request)
    logs = _visible_logs(request.user)
    chosen = {key: _clean(request.GET.get(key), 100) for key in ("thao_tac", "q", "tu_ngay", "den_ngay")}
    errors = []
    if chosen["thao_tac"] in Reorganisation.Operation.values:
        logs = logs.filter(operation=chosen["thao_tac"])
    if chosen["q"]:
        logs = logs.filter(Q(details__icontains=chosen["q"]) | Q(decision_number__icontains=chosen["q"]) | Q(decision_issuer__icontains=chosen["q"]))
    start = _day(chosen["tu_ngay"], _("Từ ngày"), errors, required=False)
    end = _day(chosen["den_ngay"], _("Đến ngày"), errors, required=False)
    if start:
        logs = logs.filter(at__date__gte=start)
    if end:
        logs = logs.filter(at__date__lte=end)
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reorg/log_list.html", {
        "active_menu": "admin", "page": page, "chosen": chosen, "errors": errors, "operations": Reorganisation.Operation.choices,
    })


@login_required
def log_detail(request, pk):
    _require_administrator(request)
    log = get_object_or_404(Reorganisation.objects.select_related("actor"), pk=pk)
    if not _visible_logs(request.user).filter(pk=log.pk).exists():
        raise policy.Refused(_("Lần sắp xếp này không liên quan đến đơn vị nào trong phạm vi quản lý của tài khoản."),
                             permission=permissions.UNIT_ADMINISTER, note=f"reorganisation {log.pk}")
    details = log.details
    codes = set(details.get("created", [])) | set(details.get("retired", []))
    codes |= {m[0] for m in details.get("moved", [])} | {m[1] for m in details.get("moved", [])} | {m[2] for m in details.get("moved", [])}
    codes |= {r[0] for r in details.get("renamed", [])}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    retired = [units[c] for c in details.get("retired", []) if c in units]
    lineage = list(UnitLineage.objects.filter(reorganisation=log).select_related("predecessor", "successor").order_by("predecessor__code", "successor__code"))
    kept = Report.objects.filter(unit__in=retired, period__status=PeriodStatus.OPEN, exempt=False).select_related("period", "unit").order_by("unit__code", "form_code")
    successors = sorted({link.successor.code for link in lineage})
    return render(request, "reorg/log_detail.html", {
        "active_menu": "admin", "log": log, "units": units,
        "created": [units.get(c) or c for c in details.get("created", [])],
        "renamed": details.get("renamed", []),
        "moved": [{"unit": units.get(m[0]) or m[0], "old": units.get(m[1]) or m[1], "new": units.get(m[2]) or m[2], "size": m[3]} for m in details.get("moved", [])],
        "retired": retired, "lineage": lineage,
        "accounts_created": Account.objects.filter(unit__code__in=details.get("created", [])).select_related("unit").order_by("username"),
        "accounts_deactivated": Account.objects.filter(unit__in=retired, is_active=False).select_related("unit").order_by("username"),
        "kept": kept[:200], "kept_count": kept.count(),
        "transfers": TransferRequest.objects.filter(sources__in=retired).distinct()[:50] if retired else [],
        "may_request": policy.may_somewhere(request.user, permissions.TRANSFER_REQUEST),
        "transfer_query": {"cu": ",".join(u.code for u in retired), "moi": ",".join(successors),
                           "so_qd": log.decision_number, "ngay_qd": log.decision_date.strftime("%d/%m/%Y") if log.decision_date else "",
                           "co_quan": log.decision_issuer},
    })


# --- Danh sách sắp xếp từ Excel ------------------------------------------------------------


def _list_salt(request):
    return f"baocao.reorg.list.{request.user.pk}"


def _list_outcomes(request, rows, preview):
    """(outcomes by row number, problems [(row, message)]) of applying `rows`."""
    problems = excel.missing_decisions(rows)
    outcomes = {}
    try:
        for number, outcome in operations.apply_list(request.user, rows, preview=preview or bool(problems), request=request):
            outcomes[number] = outcome
    except operations.ListRefused as refused:
        problems += [(p.row, p.message) for p in refused.problems]
    return outcomes, sorted(problems, key=lambda p: p[0])


@login_required
def list_upload(request):
    """Upload the list, see every row and what it does (or every problem), then apply it
    all or nothing."""
    _require_administrator(request)
    form = ListUploadForm(request.POST or None, request.FILES or None)
    context = {"active_menu": "admin", "form": form, "columns": operations.COLUMNS, "max_rows": excel.MAX_ROWS,
               "operation_names": excel.OPERATION_NAMES, "errors": [], "problems": [], "rows": None}
    status = 200
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    if action == "apply":
        try:
            payload = signing.loads(request.POST.get("payload", ""), salt=_list_salt(request), max_age=LIST_MAX_AGE)
            rows, name = payload["rows"], payload.get("name", "")
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            context["errors"] = [_("Danh sách đã xem trước không còn hợp lệ (quá 2 giờ hoặc bị sửa đổi): hãy tải tệp lên lại.")]
            return render(request, "reorg/list.html", context, status=400)
        _outcomes, problems = _list_outcomes(request, rows, preview=False)
        if not problems:
            messages.success(request, _("Đã áp dụng danh sách sắp xếp “%(name)s”: %(n)d dòng.") % {"name": name, "n": len(rows)})
            return redirect("reorg:log")
        context.update({"problems": problems, "file_name": name})
        return render(request, "reorg/list.html", context, status=400)
    read = None
    if action == "preview" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = _clean(upload.name, 200)
        try:
            inspection = inspect_upload(upload, **excel.BOUNDS)
            if runs_in_background(inspection, work=excel.background_work()):
                # A long list: read by the task worker (progress page), then previewed here.
                job = jobs.start(request.user, "baocao.reorg.jobs.read_list", title=_("Đọc danh sách sắp xếp từ Excel"),
                                 request=request, unit=request.user.unit, params={"menu": "admin"}, upload=upload.read(), filename=name)
                return redirect("jobs:detail", pk=job.pk)
            read = (excel.read_list(upload, size=upload.size), name)
        except (UploadRefused, excel.ListFileError) as error:
            context["errors"] = [error.message]
            return render(request, "reorg/list.html", context, status=400)
    elif request.method == "GET" and request.GET.get("cong_viec", "").isdigit() and len(request.GET["cong_viec"]) <= 18:
        # The list the task worker read: its rows are on the job, for the account that started it only.
        job = get_object_or_404(Job.objects.defer("upload", "output"), pk=int(request.GET["cong_viec"]), actor=request.user,
                                handler="baocao.reorg.jobs.read_list", status=Job.Status.DONE)
        read = (job.result.get("rows") or [], job.filename)
    if read is not None:
        rows, name = read
        outcomes, problems = _list_outcomes(request, rows, preview=True)
        context["file_name"] = name
        if problems:
            context["problems"] = problems
            return render(request, "reorg/list.html", context, status=400)
        context["rows"] = [{"row": row, "outcome": _describe(outcomes[row["row"]], {"code": row.get("new_code"), "name": row.get("new_name")})
                            if row["row"] in outcomes else None} for row in rows]
        context["payload"] = signing.dumps({"rows": rows, "name": name}, salt=_list_salt(request), compress=True)
    elif request.method == "POST":
        status = 400
    return render(request, "reorg/list.html", context, status=status)


@login_required
def list_template(request):
    _require_administrator(request)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-sap-xep.xlsx"'
    excel.template_workbook().save(response)
    return response


# --- Đề nghị chuyển dữ liệu ----------------------------------------------------------------


def _require_transfers(request):
    if not policy.may_somewhere(request.user, permissions.TRANSFER_EXECUTE):
        policy.require(request.user, permissions.TRANSFER_REQUEST, note="transfers")


def _transfers_of(actor):
    if policy.may_somewhere(actor, permissions.TRANSFER_EXECUTE):
        return TransferRequest.objects.all()
    return transfers.visible_to(actor)


@login_required
def transfer_list(request):
    _require_transfers(request)
    requests = _transfers_of(request.user).select_related("requested_by").prefetch_related("sources", "targets__unit", "periods")
    chosen = {key: _clean(request.GET.get(key), 100) for key in ("trang_thai", "q")}
    if chosen["trang_thai"] in TransferRequest.Status.values:
        requests = requests.filter(status=chosen["trang_thai"])
    if chosen["q"]:
        words = Unit.objects.matching(chosen["q"])
        requests = requests.filter(Q(sources__in=words) | Q(targets__unit__in=words) | Q(decision_number__icontains=chosen["q"])).distinct()
    page = Paginator(requests.order_by("-requested_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reorg/transfer_list.html", {
        "active_menu": "admin", "page": page, "chosen": chosen, "statuses": TransferRequest.Status.choices,
        "may_request": policy.may_somewhere(request.user, permissions.TRANSFER_REQUEST),
    })


def _period_choices():
    return list(report_selectors.visible_periods().order_by("-data_to", "-pk"))


def _form_choices(periods):
    rows = PeriodForm.objects.filter(period__in=periods).select_related("definition").order_by("form_code")
    seen = {}
    for row in rows:
        seen.setdefault(row.form_code, row.definition.title)
    return list(seen.items())


def _share(text, label, errors):
    text = (text or "").strip().replace(" ", "").replace("%", "").replace(",", ".")
    try:
        share = Decimal(text)
    except InvalidOperation:
        errors.append(_("%(label)s: tỷ lệ phải là số từ 0 đến 100, ví dụ 60 hoặc 33,5.") % {"label": label})
        return None
    if not share.is_finite() or share < 0 or share > 100 or share != share.quantize(Decimal("0.01")):
        errors.append(_("%(label)s: tỷ lệ phải là số từ 0 đến 100, nhiều nhất hai chữ số thập phân.") % {"label": label})
        return None
    return share.quantize(Decimal("0.01"))


@login_required
def transfer_new(request):
    """Đề nghị chuyển dữ liệu: the old units, the new unit (or the successors of a split,
    with the share each takes), the periods and forms, and the decision."""
    policy.require(request.user, permissions.TRANSFER_REQUEST, note="transfer request")
    periods = _period_choices()
    source = request.POST if request.method == "POST" else request.GET
    try:
        rows = min(max(int(source.get("rows") or 1), 1), MAX_NEW_ROWS)
    except ValueError:
        rows = 1
    if request.method == "GET":
        targets = _codes(source.get("moi", ""))
        rows = max(rows, len(targets), 1)
        form = {
            "sources": ", ".join(_codes(source.get("cu", ""))),
            "targets": [{"code": targets[i] if i < len(targets) else "", "share": ""} for i in range(rows)],
            "periods": [str(p.pk) for p in periods if p.status == PeriodStatus.OPEN],
            "forms": [], "decision_number": _clean(source.get("so_qd"), 100), "decision_date": _clean(source.get("ngay_qd"), 20),
            "decision_issuer": _clean(source.get("co_quan"), 300), "note": "",
        }
    else:
        if request.POST.get("action") == "add_row":
            rows = min(rows + 1, MAX_NEW_ROWS)
        form = {
            "sources": _clean(source.get("sources"), 2000),
            "targets": [{"code": _clean(source.get(f"target_{i}"), 40), "share": _clean(source.get(f"share_{i}"), 20)} for i in range(rows)],
            "periods": [_clean(v, 20) for v in source.getlist("period")][:100],
            "forms": [_clean(v, 60) for v in source.getlist("form")][:200],
            **{key: _clean(source.get(key), 2000 if key == "note" else 300) for key in DECISION_FIELDS},
        }
    errors = []
    if request.method == "POST" and request.POST.get("action") != "add_row":
        errors += _too_long(request)
        sources = _units(form["sources"], _("Đơn vị cũ"), errors)
        targets, shares = [], {}
        filled = [row for row in form["targets"] if row["code"] or row["share"]]
        if not filled:
            errors.append(_("Đơn vị mới nhận dữ liệu: cần nhập ít nhất một mã đơn vị."))
        for n, row in enumerate(filled, start=1):
            unit = _unit(row["code"], _("Đơn vị nhận dòng %(n)d") % {"n": n}, errors)
            if unit is None:
                continue
            if unit in targets:
                errors.append(_("Đơn vị nhận %(code)s được nhập hai lần.") % {"code": unit.code})
                continue
            targets.append(unit)
            if len(filled) > 1:
                share = _share(row["share"], _("Đơn vị nhận dòng %(n)d") % {"n": n}, errors)
                if share is not None:
                    shares[unit.pk] = share
        by_pk = {str(p.pk): p for p in periods}
        chosen_periods = [by_pk[v] for v in form["periods"] if v in by_pk]
        if len(chosen_periods) != len(form["periods"]):
            errors.append(_("Kỳ báo cáo đã chọn không hợp lệ."))
        elif not chosen_periods:
            errors.append(_("Chọn ít nhất một kỳ báo cáo."))
        decision = _decision(form, errors)
        if not errors:
            try:
                transfer = transfers.file_request(request.user, sources=sources, targets=targets, periods=chosen_periods, form_codes=form["forms"],
                                                  shares=shares, decision=decision, note=form["note"], request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("Đã gửi đề nghị chuyển dữ liệu số %(n)d. Quản trị hệ thống sẽ xem kế hoạch chuyển và thực hiện hoặc từ chối.") % {"n": transfer.pk})
                return redirect("reorg:transfer", pk=transfer.pk)
    return render(request, "reorg/transfer_new.html", {
        "active_menu": "admin", "form": form, "rows": rows, "errors": errors, "periods": periods, "form_choices": _form_choices(periods),
    }, status=400 if errors else 200)


def _transfer(request, pk):
    """The request, if the account may see it: the central administrator, or an
    administrator whose reach it touches (else 403, audited)."""
    _require_transfers(request)
    transfer = get_object_or_404(TransferRequest.objects.select_related("requested_by", "decided_by"), pk=pk)
    if not _transfers_of(request.user).filter(pk=transfer.pk).exists():
        raise policy.Refused(_("Đề nghị chuyển dữ liệu này không liên quan đến đơn vị nào trong phạm vi quản lý của tài khoản."),
                             unit=transfer.sources.first(), permission=permissions.TRANSFER_REQUEST, note=f"transfer {transfer.pk}")
    return transfer


def _cell_label(spec, row, column, unit_names):
    try:
        shown = spec.row(row)
        row_label = unit_names.get(row.partition("/")[2], shown.label) if shown.group else f"{shown.number} {shown.label}".strip()
    except KeyError:
        row_label = row
    try:
        col = spec.column(column)
        column_label, decimals = f"{col.number} {col.label}".strip(), col.decimals
    except KeyError:
        column_label, decimals = column, 0
    return f"{row_label} — {column_label}", decimals


def _cell_order(spec):
    """Cells in the order of the printed form: rows as declared (a group's rows where the
    group is), then columns left to right."""
    rows = {row.code: n for n, row in enumerate(spec.rows)}

    def key(cell):
        row, column = cell
        try:
            position = spec.column_index(column)
        except (KeyError, ValueError):
            position = 10**6
        return rows.get(row, rows.get(row.partition("/")[0], 10**6)), row, position
    return key


def _shown(value, decimals):
    return value if isinstance(value, str) else vn_number(value, decimals)


def _record_text(spec, data):
    parts = []
    if spec.key and data.get(spec.key):
        parts.append(str(data.get(spec.key)))
    for field in spec.fields:
        if len(parts) >= 3:
            break
        value = data.get(field.code)
        if field.code != spec.key and value not in (None, "") and not isinstance(value, (list, dict)):
            parts.append(str(value)[:80])
    return " · ".join(parts) or "—"


def _plan_view(transfer):
    """The plan as the page shows it: per period and form, what happens to each old
    unit's report, with the figures."""
    planned = transfers.plan(transfer)
    flow = regimes.current().workflow
    source_ids = {line.source.pk for line in planned.lines}
    names = {}  # unit id (as text) -> name, for the rows "one per unit below"
    lines = []
    for line in planned.lines:
        spec = line.source.form.spec_object()
        view = {
            "period": line.period, "form_code": line.form_code, "title": line.source.form.title, "source": line.source,
            "kind": line.kind, "kind_label": TransferLine.Kind(line.kind).label, "cells": line.cells, "records": line.records,
            "state_after": flow.states[line.state_after].label if line.state_after in flow.states else line.state_after,
            "state_reason": line.state_reason, "conflicts": line.conflicts, "targets": [], "figures": [], "allocation": [], "choices": [], "more_records": 0,
        }
        for unit, existing, share in line.targets:
            if existing is None:
                how = _("tạo báo cáo mới cho đơn vị nhận") if line.kind != TransferLine.Kind.MOVED else _("báo cáo chuyển sang đơn vị nhận")
            elif existing.pk in source_ids:
                how = _("cộng vào báo cáo vừa chuyển sang ở dòng trên")
            else:
                how = _("cộng vào báo cáo hiện có của đơn vị nhận (%(state)s)") % {"state": existing.get_status_display()}
            view["targets"].append({"unit": unit, "how": how, "share": share, "existing": existing})
        if spec.kind == "grid":
            ids = {row.partition("/")[2] for row, _c in report_values.read(line.source) if "/" in row}
            if ids - names.keys():
                names.update({str(pk): name for pk, name in Unit.objects.filter(pk__in=[int(i) for i in ids - names.keys() if i.isdigit()]).values_list("pk", "name")})
            entered = report_services.entered_cells(spec, report_values.read(line.source))
            if line.kind == TransferLine.Kind.SPLIT:
                parts = dict(line.allocation)
                for cell in sorted(entered, key=_cell_order(spec)):
                    label, decimals = _cell_label(spec, *cell, names)
                    view["allocation"].append({"label": label, "value": _shown(entered[cell], decimals),
                                               "parts": [_shown(parts.get(unit, {}).get(cell, ""), decimals) for unit, _e, _s in line.targets]})
            else:
                existing = line.targets[0][1]
                theirs = report_services.entered_cells(spec, report_values.read(existing)) if existing is not None else {}
                for cell in sorted(set(entered) | set(theirs), key=_cell_order(spec)):
                    label, decimals = _cell_label(spec, *cell, names)
                    mine, other = entered.get(cell), theirs.get(cell)
                    if isinstance(mine, str) or isinstance(other, str):
                        result = other if other not in (None, "") else mine
                    else:
                        result = (mine or Decimal(0)) + (other or Decimal(0))
                    view["figures"].append({"label": label, "source": _shown(mine, decimals) if mine is not None else "",
                                            "target": _shown(other, decimals) if other is not None else "", "result": _shown(result, decimals)})
        elif line.kind == TransferLine.Kind.SPLIT:
            records = list(line.source.records.order_by("position").values_list("pk", "position", "data"))
            chosen = {str(k): v for k, v in (transfer.record_targets or {}).items()}
            for pk, position, data in records[:MAX_RECORD_CHOICES]:
                view["choices"].append({"pk": pk, "position": position, "text": _record_text(spec, data), "target": int(chosen.get(str(pk), 0) or 0)})
            view["more_records"] = max(len(records) - MAX_RECORD_CHOICES, 0)
        lines.append(view)
    return lines, planned.problems


def _render_transfer(request, transfer, *, errors=(), reject_reason="", status=200):
    may_execute = policy.may_somewhere(request.user, permissions.TRANSFER_EXECUTE)
    context = {
        "active_menu": "admin", "transfer": transfer, "may_execute": may_execute, "errors": list(errors), "reject_reason": reject_reason,
        "sources": transfer.sources.order_by("code"), "targets": transfer.targets.select_related("unit"),
        "periods": transfer.periods.order_by("-data_to"), "keep_state": transfer.keep_state,
    }
    if transfer.status == TransferRequest.Status.PENDING:
        if may_execute and request.GET.get("giu_trang_thai") in ("0", "1"):
            transfer.keep_state = request.GET["giu_trang_thai"] == "1"  # not saved: the plan as it would be
            context["keep_state"] = transfer.keep_state
        context["lines"], context["problems"] = _plan_view(transfer)
    else:
        context["done"] = transfer.lines.select_related("source_report__unit", "target_report__unit", "source_report__period").order_by("id")
    return render(request, "reorg/transfer_detail.html", context, status=status)


@login_required
def transfer_detail(request, pk):
    return _render_transfer(request, _transfer(request, pk))


@require_POST
@login_required
def transfer_execute(request, pk):
    policy.require(request.user, permissions.TRANSFER_EXECUTE, note=f"transfer {pk}")
    transfer = _transfer(request, pk)
    keep_state = request.POST.get("keep_state") == "1"
    record_targets, errors = {}, []
    if transfer.status == TransferRequest.Status.PENDING:
        transfer.keep_state = keep_state
        allowed = {t.unit_id for t in transfer.targets.all()}
        first = transfer.targets.order_by("position").values_list("unit_id", flat=True).first()
        for line in transfers.plan(transfer).lines:
            if line.kind != TransferLine.Kind.SPLIT or line.source.form.kind != "list":
                continue
            default = request.POST.get(f"default_{line.source.pk}", "")
            for pk_ in line.source.records.values_list("pk", flat=True):
                value = request.POST.get(f"record_{pk_}", "") or default or str(first)
                if not value.isdigit() or int(value) not in allowed:
                    errors.append(_("Bản ghi của %(unit)s: đơn vị kế thừa đã chọn không thuộc đề nghị.") % {"unit": line.source.unit.label})
                    break
                record_targets[pk_] = int(value)
    if errors:
        return _render_transfer(request, transfer, errors=errors, status=400)
    try:
        done = transfers.execute(request.user, transfer, keep_state=keep_state, record_targets=record_targets or None, request=request)
    except ValidationError as error:
        transfer.refresh_from_db()
        return _render_transfer(request, transfer, errors=error.messages, status=400)
    result = done.result
    messages.success(request, _("Đã thực hiện chuyển dữ liệu theo đề nghị số %(n)d: %(moved)d báo cáo chuyển nguyên, %(combined)d báo cáo cộng vào báo cáo của đơn vị mới, %(split)d báo cáo chia cho các đơn vị kế thừa.")
                     % {"n": done.pk, "moved": result.get("moved", 0), "combined": result.get("combined", 0), "split": result.get("split", 0)})
    return redirect("reorg:transfer", pk=done.pk)


@require_POST
@login_required
def transfer_reject(request, pk):
    policy.require(request.user, permissions.TRANSFER_EXECUTE, note=f"transfer {pk}")
    transfer = _transfer(request, pk)
    reason = _clean(request.POST.get("reason"), textbounds.REASON)
    try:
        textbounds.bounded(request.POST.get("reason"), textbounds.REASON, _("Lý do từ chối"))
        transfers.reject(request.user, transfer, reason=reason, request=request)
    except ValidationError as error:
        transfer.refresh_from_db()
        return _render_transfer(request, transfer, errors=error.messages, reject_reason=reason, status=400)
    messages.success(request, _("Đã từ chối đề nghị chuyển dữ liệu số %(n)d.") % {"n": transfer.pk})
    return redirect("reorg:transfer", pk=transfer.pk)
