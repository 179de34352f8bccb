"""Starting a background job and reporting its progress (docs/adr/0006).

A feature that may take long (a catalogue of tens of thousands of units, a register of
tens of thousands of records, the account export and bulk resets) calls `start`
with the dotted path of a handler. The handler runs in the task worker (`baocao
db_worker`), receives the Job and a `Progress`, and returns {"message", "problems",
"link"}, or also an `Output` (a file for its starter to download: the page links it);
raising `Refused(message, problems)` ends the job as refused (nothing done), any
other exception as failed (logged, the person told to try again or call support)."""
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from baocao.audit.services import client_ip

from .models import Job

log = logging.getLogger(__name__)


class Refused(Exception):
    """The job's input was refused: nothing was done; `problems` says why."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.message, self.problems = message, [str(p) for p in problems]


# How long a job's file (an export) stays downloadable after the job ends.
OUTPUT_KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Output:
    """A file a job produced, returned by its handler as result["output"]."""

    filename: str
    content: bytes


class Progress:
    """Writes how far the job has got, at most every `interval` seconds (one UPDATE), in
    autocommit so the page sees it while the job works."""

    def __init__(self, job, interval=0.5):
        self.job, self.interval, self.last = job, interval, 0.0

    def __call__(self, done, total=None, stage=None, *, force=False):
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if stage is not None:
            fields["stage"] = str(stage)[:300]
        if transaction.get_connection().in_atomic_block:
            return  # inside the job's own transaction the page could not see it anyway
        Job.objects.filter(pk=self.job.pk).update(**fields)


def start(actor, handler, *, title, request=None, unit=None, params=None, upload=None, filename=""):
    """Record the job and hand it to the task worker; returns the Job (its page shows it)."""
    from .tasks import run_job

    # Old exports are not kept: they hold personal data (usernames, units) and space.
    # (The name goes too, so the job's page no longer offers "Tải tệp về".)
    Job.objects.filter(output__isnull=False, finished_at__lt=timezone.now() - OUTPUT_KEPT).update(output=None, output_filename="")

    job = Job.objects.create(
        handler=handler, title=str(title)[:300], actor=actor, ip=client_ip(request), unit=unit, params=params or {},
        upload=upload, filename=str(filename)[:200], stage=_("Đang chờ đến lượt xử lý…"),
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def as_request(job):
    """What the audited actions of a job see as the request: its actor and address."""
    return SimpleNamespace(user=job.actor, META={"REMOTE_ADDR": job.ip} if job.ip else {})


def run(job_id):
    """Run a queued job (the task worker calls this)."""
    job = Job.objects.select_related("actor", "unit").filter(pk=job_id, status=Job.Status.QUEUED).first()
    if job is None:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), stage=_("Đang xử lý…"))
    progress = Progress(job)
    try:
        result = import_string(job.handler)(job, progress)
        status = Job.Status.DONE
        output = result.pop("output", None)
        if output is not None:  # the page offers it ("Tải tệp về")
            Job.objects.filter(pk=job.pk).update(output=output.content, output_filename=output.filename[:200])
    except Refused as refused:
        result, status = {"message": refused.message, "problems": refused.problems[:1000]}, Job.Status.REFUSED
    except Exception:  # noqa: BLE001 - the job must end, whatever happened; the error is logged
        log.exception("job %s (%s) failed", job.pk, job.handler)
        result = {"message": _("Công việc gặp lỗi hệ thống và chưa được thực hiện; không có gì bị thay đổi. "
                               "Hãy thử lại sau ít phút hoặc liên hệ bộ phận hỗ trợ kỹ thuật.")}
        status = Job.Status.FAILED
    Job.objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now(), upload=None, stage="")
