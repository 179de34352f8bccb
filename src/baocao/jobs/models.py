"""A long job run in the background (docs/adr/0006): who started it, what it is doing now,
how far it has got, and what came of it. The page /cong-viec/<id>/ shows it to the person
who started it, with a progress bar."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        REFUSED = "refused", _("Không thực hiện được")
        FAILED = "failed", _("Gặp lỗi hệ thống")

    # Dotted path of the function that does the work: handler(job, progress) -> result dict.
    handler = models.CharField(max_length=200)
    title = models.CharField(_("Công việc"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    # The uploaded file, kept in the database so any worker on any host can read it;
    # emptied when the job ends.
    upload = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(max_length=300, blank=True)  # what it is doing now, for the page
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # None: not known (yet)
    # The file the job produced (an export), for the account that started it to download;
    # kept in the database like the upload, cleared a day after the job ends (jobs.services).
    output = models.BinaryField(null=True, blank=True)
    output_filename = models.CharField(max_length=200, blank=True)
    # {"message": str, "problems": [str], "link": url} — what the page shows at the end.
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "refused", "failed"]), name="job_status_valid"),
        ]

    def __str__(self):
        return f"{self.title} ({self.status})"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(99, int(100 * self.done / self.total))
