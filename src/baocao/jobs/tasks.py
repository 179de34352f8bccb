"""The one task the worker runs: a Job by its id (the Job row says what to do)."""
from django_tasks import task


@task()
def run_job(job_id):
    from .services import run

    run(job_id)
