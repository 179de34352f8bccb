import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
# A web request never runs a statement longer than this (PostgreSQL cancels it and the page
# says to try again); commands and the task worker have no such limit (settings.py).
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "25000")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    from baocao.audit.safety import refuse_unsafe_audit_role

    refuse_unsafe_audit_role()  # the audit log must be append-only for this role, not just for the app
