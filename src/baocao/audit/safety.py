"""The audit log is append-only only if the application's database role cannot change it:
in production the app refuses to start when its role owns the audit table, is a superuser,
or may UPDATE, DELETE or TRUNCATE it (scripts/postgres_roles.sql sets up the two roles)."""
from django.core.exceptions import ImproperlyConfigured

TABLE = "audit_auditevent"


def audit_role_problems(cursor):
    """Why the connected role could tamper with the audit log ([] if it cannot). PostgreSQL only."""
    cursor.execute(
        """
        SELECT c.relowner = r.oid, r.rolsuper,
               has_table_privilege(current_user, c.oid, 'UPDATE'), has_table_privilege(current_user, c.oid, 'DELETE'),
               has_table_privilege(current_user, c.oid, 'TRUNCATE'), current_user
        FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
        WHERE c.oid = to_regclass(%s)
        """,
        [TABLE],
    )
    row = cursor.fetchone()
    if row is None:
        return [f"the table {TABLE} does not exist (run the migrations as the owner role)"]
    owns, superuser, update, delete, truncate, role = row
    problems = []
    if owns:
        problems.append(f"the role {role} owns {TABLE} (it could disable its trigger or drop it)")
    if superuser:
        problems.append(f"the role {role} is a superuser")
    for allowed, what in ((update, "UPDATE"), (delete, "DELETE"), (truncate, "TRUNCATE")):
        if allowed:
            problems.append(f"the role {role} may {what} {TABLE}")
    return problems


def refuse_unsafe_audit_role():
    """Raise ImproperlyConfigured, naming the fix, if the app's role could tamper with the audit log."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        problems = audit_role_problems(cursor)
    if problems:
        raise ImproperlyConfigured(
            "BAOCAO_MODE=production refuses to start: " + "; ".join(problems) + ". Run the migrations as an owner role and the "
            "application as a role that may only INSERT and SELECT audit events: see scripts/postgres_roles.sql and docs/operations.md."
        )
