import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_page(request, pk):
    """The job's progress bar, then its result; only for the account that started it (the
    page polls itself with htmx while the job runs)."""
    job = get_object_or_404(Job.objects.defer("upload", "output"), pk=pk, actor=request.user)
    template = "jobs/progress.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render(request, template, {"job": job, "active_menu": job.params.get("menu", "")})


@login_required
def download(request, pk):
    """The file the job produced, for the account that started it only, while it is kept."""
    job = get_object_or_404(Job.objects.only("output", "output_filename", "status"), pk=pk, actor=request.user, status=Job.Status.DONE)
    if job.output is None:
        raise Http404("the file is no longer kept")
    return FileResponse(io.BytesIO(bytes(job.output)), as_attachment=True, filename=job.output_filename or f"cong-viec-{job.pk}")
