from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_page(request, pk):
    """The job's progress bar, then its result; only for the account that started it (the
    page polls itself with htmx while the job runs)."""
    job = get_object_or_404(Job.objects.defer("upload"), pk=pk, actor=request.user)
    template = "jobs/progress.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render(request, template, {"job": job, "active_menu": job.params.get("menu", "")})
