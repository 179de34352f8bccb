"""NHẬP DỮ LIỆU: what each person has to do, a unit's reports for a period, a grid form
entered like the printed form, a list form as a table of records. Thin views over
reports.services (entry) and reports.workflow (states); the access policy decides."""
import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baocao import textbounds
from baocao.access import permissions, policy
from baocao.formdefs.spec import RuleResult, parse_number
from baocao.units.text import fold

from . import declarations, selectors, services, workflow
from .formatting import vn_number
from .grid_html import RowCells
from .models import Report

def BUSY():
    return _("Chưa lưu: báo cáo đang được người khác lưu hoặc hệ thống đang bận. Số liệu bạn nhập vẫn còn trên màn hình; "
             "hãy chờ vài giây rồi bấm Lưu lại.")


RECORDS_PAGE_SIZE = 25
# Checking every record for the submit button costs ~0.1 ms each; beyond this many the
# page leaves it to the moment of sending.
READINESS_RECORDS = 2000


def _chosen_period(request, periods):
    wanted = request.GET.get("ky", "")
    return next((p for p in periods if str(p.pk) == wanted), None) or selectors.default_period(periods)


@login_required
def entry_home(request):
    """The reports waiting for this person, and the unit's own reports for the chosen period."""
    account = request.user
    policy.require(account, permissions.REPORT_VIEW)
    periods = list(selectors.visible_periods())
    chosen = _chosen_period(request, periods)
    own = []
    if chosen is not None and policy.may(account, permissions.REPORT_VIEW, account.unit, relation=policy.OWN):
        own = selectors.obligations_of(account.unit, chosen)
    declaring = chosen is not None and declarations.applies_to(account.unit) and bool(own or declarations.choices(account.unit, chosen))
    return render(request, "reports/entry_home.html", {
        "declaring": declaring, "declared": declaring and declarations.has_declared(account.unit, chosen),
        "active_menu": "entry", "periods": periods, "period": chosen, "reports": own,
        "todo": selectors.todo_for(account, period=chosen) if chosen else [],
        "sees_below": selectors.sees_below(account), "now": timezone.now(),
    })


def posted_version(request):
    """The report version the page was read at (-1 if missing: the save is then refused as stale)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def report_for(request, pk):
    """The report, if the account may view it (else 403, audited)."""
    report = get_object_or_404(Report.objects.select_related("form", "unit", "unit__parent", "period", "updated_by", "state_changed_by"), pk=pk)
    policy.require(request.user, permissions.REPORT_VIEW, report.unit, note=f"report {report.pk}")
    return report


def workflow_context(request, report, ready=None):
    """What every report page shows of its state: the state, why it was returned, the
    deadline, and the actions (each enabled, or disabled with its reason)."""
    now = timezone.now()
    edit = workflow.edit_decision(request.user, report, now=now)
    return {
        "may_edit": bool(edit),
        "edit_reason": edit.reason,
        "actions": workflow.allowed_actions(request.user, report, ready=ready, now=now),
        "warnings": [(key, message, report.warning_notes.get(key, "")) for key, message in ready.warnings.items()] if ready else [],
        "days_left": (timezone.localtime(report.due_at).date() - timezone.localdate(now)).days,
        "extended": report.due_at > report.period.due_at,
    }


@login_required
def report_page(request, pk):
    report = report_for(request, pk)
    if report.form.kind == "list":
        return _list_page(request, report)
    return _grid_page(request, report)


# --- grids -----------------------------------------------------------------------------


# The most cells one save may name: more than any form's grid (12b with 300 sub-units has ~3,300).
MAX_POSTED_CELLS = 50_000


def _posted_cells(request):
    """({"ROW|COL": what was typed}, partial): the cells the page sent. A plain form posts
    every input c|ROW|COL; grid.js posts only the cells changed since the page was shown,
    as one JSON field `changes` (a 12b of 300 sub-units has more inputs than Django lets a
    request carry, DATA_UPLOAD_MAX_NUMBER_FIELDS), and the others keep their stored value."""
    raw = request.POST.get("changes")
    if raw is None:
        return {name[2:]: value for name, value in request.POST.items() if name.startswith("c|") and name.count("|") >= 2}, False
    try:
        changes = json.loads(raw)
    except ValueError:
        changes = None
    if not isinstance(changes, dict) or len(changes) > MAX_POSTED_CELLS or not all(
        isinstance(k, str) and isinstance(v, str) and k.count("|") >= 1 for k, v in changes.items()
    ):
        raise BadRequest(_("Dữ liệu gửi lên không hợp lệ."))
    return changes, True


def _entered_from_post(spec, cells):
    """{(row, col): Decimal | str} from {"ROW|COL": typed} (blank cells left out), and the
    cells that could not be read as numbers ({(row, col): what was typed})."""
    entered, unreadable = {}, {}
    for name, raw in cells.items():
        row, column = name.split("|", 1)
        text = raw.strip()
        if not text:
            continue
        try:
            is_text = spec.column(column).type == "text"
        except KeyError:
            continue  # not a cell of this form (a hand-made request): ignored like an unknown column
        if is_text:
            entered[(row, column)] = text
            continue
        try:
            entered[(row, column)] = parse_number(text)
        except ValueError:
            unreadable[(row, column)] = text
    return entered, unreadable


def _grid_context(report, values, problems, may_edit, typed=None, typed_notes=None):
    spec = report.form.spec_object()
    instances = services.instances_for(report)
    rows = []
    problems_by_cell = {}
    for problem in problems:
        for cell in problem.cells or ((None, None),):
            problems_by_cell.setdefault(tuple(cell), []).append(problem)
    cell_kinds = {}
    for row in spec.expand_rows(instances):
        cells = []
        for column in spec.leaves:
            if row.kind == "heading":
                cells.append({"column": column, "disabled": True})
                continue
            # The instance rows of a group ("one row per unit below") share their template's cells.
            kind_key = (row.group or row.code, column.code)
            if kind_key not in cell_kinds:
                template_cell = spec.cell(row.code, column.code)
                cell_kinds[kind_key] = (template_cell.disabled, template_cell.computed)
            disabled, computed = cell_kinds[kind_key]
            key = (row.code, column.code)
            value = (typed or {}).get(key, values.get(key))
            shown = value if isinstance(value, str) else vn_number(value, column.decimals)
            cells.append(
                {
                    "column": column,
                    "disabled": disabled,
                    "computed": computed,
                    "name": f"c|{row.code}|{column.code}",
                    "value": shown,
                    "problems": problems_by_cell.get(key, []),
                }
            )
        render_cell = RowCells(row, may_edit).cell
        rows.append({"row": row, "cells_html": mark_safe("".join(render_cell(cell) for cell in cells))})
    notes = [
        {"field": field, "name": f"n|{field['code']}", "value": (typed_notes or {}).get(field["code"], report.notes.get(field["code"], ""))}
        for field in getattr(spec, "footer_fields", ())
    ]
    client = spec.to_client_json()
    client["instances"] = {group: [key for key, _label in keys] for group, keys in instances.items()}
    empty_groups = [row.label for row in spec.rows if getattr(row, "per", None) and not instances.get(row.code)]
    prefills = [row for row in spec.rows if getattr(row, "prefill", None) and instances.get(row.code)]
    return {"spec": spec, "header_rows": spec.header_rows(), "grid_rows": rows, "client_spec": client, "notes": notes,
            "empty_groups": empty_groups, "prefills": prefills}


def _grid_page(request, report, *, values=None, problems=(), typed=None, status=200, version=None):
    """The grid page; after a refused save, `values`/`typed` are what the user sent, and
    `version` the one to save against (the newer one after a conflict, so a second,
    deliberate save overwrites what the colleague saved)."""
    ready = None
    if values is None:
        values = services.grid_values(report)
        problems = services.check_grid(report, values)
        ready = workflow.readiness_of(problems)
    context = {
        "active_menu": "entry",
        "report": report,
        **workflow_context(request, report, ready),
        "rule_problems": [p for p in problems if not p.code.startswith("cell_")],
        "cell_problems": [p for p in problems if p.code.startswith("cell_")],
        "version": version if version is not None else (request.POST.get("version", report.version) if request.method == "POST" else report.version),
        "explanation": request.POST.get("explanation", report.explanation) if request.method == "POST" else report.explanation,
    }
    typed_notes = {name[2:]: value for name, value in request.POST.items() if name.startswith("n|")} if typed is not None else None
    # After a refused save, the cells sent are not stored: grid.js sends them again.
    context["unsaved_cells"] = sorted(f"{row}|{column}" for row, column in typed) if typed else []
    context.update(_grid_context(report, values, problems, context["may_edit"], typed, typed_notes))
    return render(request, "reports/grid.html", context, status=status)


def _bounded_texts(request, spec):
    """(explanation, {footer field: note}) as posted, or TextTooLong (a ValidationError) naming
    what is too long; notes of fields the form does not have are left out."""
    explanation = textbounds.bounded(request.POST.get("explanation", ""), textbounds.EXPLANATION, _("Thuyết minh"))
    fields = {field["code"]: field for field in getattr(spec, "footer_fields", ())}
    limits = {code: (textbounds.FOOTER_NOTE, field["label"]) for code, field in fields.items()}
    notes = textbounds.bounded_fields({name[2:]: value for name, value in request.POST.items() if name[2:] in fields and name.startswith("n|")}, limits)
    return explanation, {code: text for code, text in notes.items() if f"n|{code}" in request.POST}


def _save_grid(request, report):
    spec = report.form.spec_object()
    cells, partial = _posted_cells(request)
    entered, unreadable = _entered_from_post(spec, cells)
    # What the user typed, exactly, to put back on the screen if the save is refused.
    typed = {tuple(name.split("|", 1)): value for name, value in cells.items()}
    if partial:
        # The changed cells over the stored ones. Safe against a colleague's save in
        # between: that changes the version, and the save below is then refused as stale.
        stored = services.entered_cells(spec, services.grid_values(report))
        for key in typed:
            stored.pop(key, None)
        entered = {**stored, **entered}
    if unreadable:
        problems = [RuleResult("cell_type", "error", _("Phải là số (ví dụ 1.234.567 hoặc 1.234,5)."), (cell,)) for cell in unreadable]
        messages.error(request, _("Chưa lưu: có ô không đọc được thành số."))
        return _grid_page(request, report, values=entered, problems=problems, typed=typed, status=400)
    version = posted_version(request)
    try:
        explanation, notes = _bounded_texts(request, spec)
        results = services.save_grid(
            request.user, report, entered, expected_version=version, explanation=explanation, notes=notes, request=request,
        )
    except services.StaleReport as stale:
        messages.error(request, stale.message)
        return _grid_page(request, stale.report, values=entered, problems=(), typed=typed, status=409, version=stale.report.version)
    except services.InvalidValues as invalid:
        messages.error(request, _("Chưa lưu: %(n)d ô có số liệu không hợp lệ.") % {"n": len(invalid.problems)})
        return _grid_page(request, report, values=entered, problems=invalid.problems, typed=typed, status=400)
    except OperationalError:  # the report row stayed locked past the lock timeout, or the database was busy
        messages.error(request, BUSY())
        return _grid_page(request, report, values=entered, problems=(), typed=typed, status=503, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _grid_page(request, report, values=entered, problems=(), typed=typed, status=400)
    errors = [r for r in results if r.blocking]
    if errors:
        messages.warning(request, _("Đã lưu. Còn %(n)d lỗi cần sửa trước khi gửi báo cáo.") % {"n": len(errors)})
    else:
        messages.success(request, _("Đã lưu báo cáo."))
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def report_save(request, pk):
    report = report_for(request, pk)
    if report.form.kind == "list":
        raise Http404
    return _save_grid(request, report)


def posted_fields_bound(request, pk):
    """How many fields a plain (non-JavaScript) save of report `pk` may post: one input per
    cell of its grid (a group's rows one per unit below it: a 12b of 200 notary
    organisations has 2,211), its footer notes and a few more. The request's reader applies
    it instead of DATA_UPLOAD_MAX_NUMBER_FIELDS to this page's POST only, and only when the
    POST carries more fields than that (shell.middleware); the body stays bounded by
    DATA_UPLOAD_MAX_MEMORY_SIZE. None for a report that is not a grid."""
    from baocao.units.models import Unit

    report = Report.objects.select_related("form").filter(pk=pk).first()
    if report is None or report.form.kind == "list":
        return None
    spec = report.form.spec_object()
    groups = sum(1 for row in spec.rows if getattr(row, "per", None))
    below = Unit.objects.filter(parent_id=report.unit_id).count() if groups else 0
    return min(MAX_POSTED_CELLS, (len(spec.rows) + groups * below) * len(spec.leaves) + 100)


report_save.posted_fields_bound = posted_fields_bound


# --- lists -----------------------------------------------------------------------------


def _display(spec, field, value):
    if value in (None, ""):
        return ""
    if field.type == "choice":
        return spec.choice_label(field.code, value) or value
    if field.type == "tick":
        return "x" if value else ""
    if field.type in ("integer", "decimal", "money", "area"):
        return vn_number(Decimal(str(value)), field.decimals)
    return value


def _summary_fields(spec):
    """The columns of the records table: identifying fields, the name, the amounts."""
    unique = [fl for fl in spec.fields if fl.unique]
    names = [fl for fl in spec.fields if fl.type == "text" and fl.required and not fl.unique][:2]
    amounts = [fl for fl in spec.fields if fl.type in ("money", "area") and fl.required][:3]
    return (unique + names + amounts)[:8] or list(spec.fields[:6])


def _list_page(request, report):
    spec = report.form.spec_object()
    query = request.GET.get("q", "").strip()
    records = list(report.records.order_by("position").values_list("position", "data"))
    if query:
        words = fold(query).split()
        records = [(p, d) for p, d in records if all(w in fold(" ".join(str(v) for v in d.values() if v)) for w in words)]
    page = Paginator(records, RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown_fields = _summary_fields(spec)
    rows = [{"position": p, "cells": [_display(spec, fl, d.get(fl.code)) for fl in shown_fields]} for p, d in page]
    return render(
        request,
        "reports/list.html",
        {
            "active_menu": "entry",
            "report": report,
            "spec": spec,
            "page": page,
            "rows": rows,
            "fields": shown_fields,
            "query": query,
            **workflow_context(request, report, workflow.readiness(report) if len(records) <= READINESS_RECORDS else None),
        },
    )


def _record_form_context(report, spec, data, errors=None, rules=()):
    references = services.referenced_records(report)
    # The fields each broken rule read are marked, and point to the rule's message.
    flagged = {}
    for number_, result in enumerate(rules, start=1):
        for code in result.cells:
            flagged.setdefault(code, []).append((f"rule-{number_}", result.blocking))
    unit_types = services.unit_type_codes(report)
    groups = []
    for group in spec.groups:
        fields = []
        for code in group.fields:
            fl = spec.field(code)
            value = data.get(code)
            if fl.type in ("integer", "decimal", "money", "area") and value not in (None, ""):
                try:
                    value = vn_number(parse_number(value), fl.decimals)
                except ValueError:
                    pass
            choices, forbidden = (), {}
            if fl.type == "choice":  # each with why it is not offered to this unit, if it is not
                forbidden = spec.forbidden_choices(code, unit_types)
                choices = [{"key": c.key, "label": c.label, "group": c.group,
                            "forbidden": forbidden.get(c.key, "") if c.key != value else ""}
                           for c in spec.enumerations.get(fl.enumeration, ())]
            options = references.get(fl.form, {}) if fl.type == "reference" else {}
            fields.append({"field": fl, "value": value if value is not None else "", "errors": (errors or {}).get(code, []),
                           "choices": choices, "references": options, "forbidden": list(dict.fromkeys(forbidden.values())),
                           "rule_ids": " ".join(i for i, _blocking in flagged.get(code, ())),
                           "rule_blocking": any(blocking for _i, blocking in flagged.get(code, ()))})
        groups.append({"group": group, "fields": fields})
    return {"groups": groups, "rules": rules, "client_spec": spec.to_client_json(unit_types)}


@login_required
def record_edit(request, pk, position=None):
    """Add (no position), edit, or duplicate (?copy=N) a record of a list report."""
    report = report_for(request, pk)
    spec = report.form.spec_object()
    if spec.kind != "list":
        raise Http404
    if request.method == "POST":
        data = {fl.code: request.POST.get(fl.code, "") for fl in spec.fields}
        for fl in spec.fields:
            if fl.type == "tick":
                data[fl.code] = bool(request.POST.get(fl.code))
        version = posted_version(request)
        try:
            _item, warnings = services.save_record(request.user, report, data, expected_version=version, position=position, request=request)
        except services.InvalidRecords as invalid:
            check = invalid.checks[1]
            messages.error(request, _("Chưa lưu: bản ghi có lỗi, xem các ô được đánh dấu."))
            context = _record_form_context(report, spec, data, check.errors, check.rules)
            return render(request, "reports/record.html", {"active_menu": "entry", "report": report, "position": position, "version": request.POST.get("version"),
                                                           "may_edit": True, **context}, status=400)
        except OperationalError:  # locked past the lock timeout: what was typed stays on the form
            messages.error(request, BUSY())
            context = _record_form_context(report, spec, data)
            return render(request, "reports/record.html", {"active_menu": "entry", "report": report, "position": position, "version": request.POST.get("version"),
                                                           "may_edit": True, **context}, status=503)
        except services.StaleReport as stale:
            messages.error(request, stale.message)
            context = _record_form_context(stale.report, spec, data)
            return render(request, "reports/record.html", {"active_menu": "entry", "report": stale.report, "position": position, "version": stale.report.version,
                                                           "may_edit": True, **context}, status=409)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:report", pk=report.pk)
        messages.success(request, _("Đã lưu bản ghi.") + (" " + " ".join(w.message for w in warnings) if warnings else ""))
        return redirect("reports:report", pk=report.pk)
    source = position or request.GET.get("copy")
    data = {}
    if source:
        try:
            source = int(source)
        except ValueError:
            raise BadRequest(_("Số thứ tự bản ghi cần nhân bản phải là số.")) from None
        item = report.records.filter(position=source).first()
        if item is None:
            raise Http404(_("Không tìm thấy bản ghi số %(n)s.") % {"n": source})
        data = dict(item.data)
    context = _record_form_context(report, spec, data)
    return render(request, "reports/record.html", {"active_menu": "entry", "report": report, "position": position, "version": report.version,
                                                   "may_edit": bool(workflow.edit_decision(request.user, report)), **context})


@require_POST
@login_required
def explanation_save(request, pk):
    report = report_for(request, pk)
    version = posted_version(request)
    try:
        explanation = textbounds.bounded(request.POST.get("explanation", ""), textbounds.EXPLANATION, _("Thuyết minh"))
        services.save_explanation(request.user, report, explanation, expected_version=version, request=request)
    except services.StaleReport as stale:
        messages.error(request, stale.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã lưu thuyết minh."))
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def record_delete(request, pk, position):
    report = report_for(request, pk)
    if report.form.kind != "list":
        raise Http404
    version = posted_version(request)
    try:
        services.delete_record(request.user, report, position, expected_version=version, request=request)
    except services.StaleReport as stale:
        messages.error(request, stale.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã xóa bản ghi số %(n)d.") % {"n": position})
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def prefill(request, pk):
    """Lấy số liệu từ báo cáo đã phê duyệt của đơn vị cấp dưới (12b from the practices' 12a)."""
    report = report_for(request, pk)
    try:
        filled, waiting = services.prefill_from_below(request.user, report, expected_version=posted_version(request), request=request)
    except services.StaleReport as stale:
        messages.error(request, stale.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã lấy số liệu từ báo cáo đã phê duyệt của %(n)d đơn vị.") % {"n": len(filled)})
        if waiting:
            messages.warning(request, _("Chưa có báo cáo đã phê duyệt, giữ nguyên dòng của: %(names)s.") % {"names": ", ".join(waiting[:30])})
    return redirect("reports:report", pk=report.pk)
