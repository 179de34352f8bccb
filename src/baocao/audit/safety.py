"""History is append-only only if the application's database role cannot change it: in
production the app refuses to start when its role owns a history table, is a superuser, may
UPDATE, DELETE or TRUNCATE an append-only table (or TRUNCATE a request table), or when a
history trigger is missing or disabled (scripts/postgres_roles.sql sets up the two roles;
migration audit 0005 makes the triggers)."""
from django.core.exceptions import ImproperlyConfigured

TABLE = "audit_auditevent"
# Never changed nor deleted: the audit log, report events and revisions, reorganisation
# records and lineage, the lines of executed transfers.
APPEND_ONLY = (TABLE, "reports_reportevent", "reports_revision", "units_reorganisation", "units_unitlineage", "reorg_transferline")
# Changed only while pending (a trigger refuses once decided): the app may UPDATE, not TRUNCATE.
DECIDED_FINAL = ("reorg_transferrequest", "accounts_accountrequest", "reorg_transfertarget", "reorg_transferrequest_sources",
                 "reorg_transferrequest_periods")
# The trigger each table must have, enabled (audit 0002, reports 0004, audit 0005).
TRIGGERS = {
    TABLE: "audit_event_append_only",
    "reports_revision": "report_revision_immutable",
    **{table: f"{table}_append_only" for table in APPEND_ONLY if table not in (TABLE, "reports_revision")},
    **{table: f"{table}_decided_is_final" for table in DECIDED_FINAL},
}


def history_role_problems(cursor):
    """Why the connected role could erase or rewrite history ([] if it cannot). PostgreSQL only."""
    cursor.execute(
        """
        SELECT t.name, c.oid IS NOT NULL, c.relowner = r.oid, r.rolsuper,
               c.oid IS NOT NULL AND has_table_privilege(current_user, c.oid, 'UPDATE'),
               c.oid IS NOT NULL AND has_table_privilege(current_user, c.oid, 'DELETE'),
               c.oid IS NOT NULL AND has_table_privilege(current_user, c.oid, 'TRUNCATE'),
               EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = t.trigger AND g.tgenabled <> 'D'),
               current_user
        FROM unnest(%s::text[], %s::text[]) AS t(name, trigger)
        LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
        JOIN pg_roles r ON r.rolname = current_user
        ORDER BY t.name
        """,
        [list(TRIGGERS), list(TRIGGERS.values())],
    )
    problems = []
    for table, exists, owns, superuser, update, delete, truncate, triggered, role in cursor.fetchall():
        if superuser and f"the role {role} is a superuser" not in problems:
            problems.append(f"the role {role} is a superuser")
        if not exists:
            problems.append(f"the table {table} does not exist (run the migrations as the owner role)")
            continue
        if owns:
            problems.append(f"the role {role} owns {table} (it could disable its trigger or drop it)")
        changes = (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate)) if table in APPEND_ONLY else (("TRUNCATE", truncate),)
        for what, allowed in changes:
            if allowed:
                problems.append(f"the role {role} may {what} {table}")
        if not triggered:
            problems.append(f"the trigger {TRIGGERS[table]} of {table} is missing or disabled (run the migrations)")
    return problems


def audit_role_problems(cursor):
    """Why the connected role could tamper with the audit log or any other history ([] if it cannot)."""
    return history_role_problems(cursor)


def refuse_unsafe_audit_role():
    """Raise ImproperlyConfigured, naming the fix, if the app's role could tamper with history."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        problems = history_role_problems(cursor)
    if problems:
        raise ImproperlyConfigured(
            "BAOCAO_MODE=production refuses to start: " + "; ".join(problems) + ". Run the migrations as an owner role and the "
            "application as a role that may only INSERT and SELECT audit events and other history: see "
            "scripts/postgres_roles.sql and docs/operations.md."
        )
