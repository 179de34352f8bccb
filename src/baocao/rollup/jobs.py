"""Roll-up exports too long for a request, run by the task worker (docs/adr/0006, 0014):
the breakdown over every unit of a large subtree that owes a form, and the units that have
not sent. Each reads the page's own parameters again, as its starter (rights are checked
again: they may have changed), in keyset batches, and hands back the file."""
from types import SimpleNamespace

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.audit.services import record_read
from baocao.jobs.services import Output, Refused, as_request

from . import exports, selectors, views

BATCH = 1_000


def _request(job):
    """What the page's readers need of a request: the starter and the page's parameters."""
    return SimpleNamespace(user=job.actor, GET=QueryDict(job.params.get("query", "")), META=as_request(job).META)


def _choices(read, job):
    try:
        return read(_request(job))
    except (PermissionDenied, Http404, BadRequest) as refused:
        raise Refused(str(getattr(refused, "reason", "") or refused) or _("Không đủ quyền hoặc lựa chọn không còn hợp lệ.")) from None


def breakdown_export(job, progress):
    request = _request(job)
    selection, cells, scope, sort, descending, query = _choices(views.breakdown_choices, job)
    keys, wanted_ids, total = views.breakdown_total(selection, cells)
    owed = total["progress"]
    stage = _("Đang đọc số liệu của các đơn vị…")
    progress(0, owed.obligations, stage, force=True)
    rows, after, done = [], None, 0
    while True:
        batch = list(selectors.owing_units(selection.unit, selection.period, selection.form.sources, query, after=after)[:BATCH])
        if not batch:
            break
        rows += views.every_unit_rows(request, selection, cells, keys, wanted_ids, batch)
        after = batch[-1].path
        done += sum(r["progress"].obligations for r in rows[-len(batch):])
        progress(done, owed.obligations, stage)
    progress(done, owed.obligations, _("Đang lập tệp Excel…"), force=True)
    content = exports.breakdown_workbook(selection, cells, total, views._sorted(rows, sort, descending), scope)
    record_read("rollup.breakdown_exported", request=as_request(job), unit=selection.unit, obj=selection.period,
           after={"form": selection.form.code, "choice": selection.choice, "cells": [c.key for c in cells], "scope": scope,
                  "rows": len(rows), "background": True})
    return {"message": _("Đã lập tệp Excel chi tiết của %(n)d đơn vị.") % {"n": len(rows)},
            "output": Output(views.breakdown_filename(selection), content)}


def not_sent_export(job, progress):
    selection, codes, query = _choices(views.not_sent_choices, job)
    owed = selectors.progress(selection.unit, selection.period, codes).not_sent
    stage = _("Đang đọc các báo cáo chưa gửi…")
    progress(0, owed, stage, force=True)
    reports, contacts, after = [], {}, None
    while True:
        batch = list(selectors.not_sent(selection.unit, selection.period, codes, query, after=after)[:BATCH])
        if not batch:
            break
        reports += batch
        contacts.update(selectors.contacts({r.unit_id for r in batch} - set(contacts)))
        after = (batch[-1].unit.path, batch[-1].form_code)
        progress(len(reports), max(owed, len(reports)), stage)
    progress(len(reports), max(owed, len(reports)), _("Đang lập tệp Excel…"), force=True)
    content = exports.not_sent_workbook(selection, reports, contacts, timezone.now())
    record_read("rollup.not_sent_exported", request=as_request(job), unit=selection.unit, obj=selection.period,
           after={"form": selection.form.code if selection.form else "", "reports": len(reports), "background": True})
    return {"message": _("Đã lập tệp Excel %(n)d báo cáo chưa gửi.") % {"n": len(reports)},
            "output": Output(views.not_sent_filename(selection), content)}
