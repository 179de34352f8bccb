"""History the application cannot erase (issue 22, item 6; docs/security.md "History").

Like the audit log (0002, 0003) and revisions (reports 0004), the database itself refuses to
change what happened:

- report events (a report's workflow history), reorganisation records, unit lineage and the
  lines of executed transfers: never UPDATE nor DELETE;
- transfer requests and account requests: changed only while pending; once decided (executed,
  rejected, approved) the row, and for a transfer its targets, source units and periods, can no
  longer be changed or deleted.

PostgreSQL: row triggers raising insufficient_privilege, plus, for the append-only tables, the
UPDATE, DELETE and TRUNCATE privileges taken back from every role but the owner (the
application role owns nothing, so it can neither disable a trigger nor drop a table;
scripts/postgres_roles.sql does the same on every run, and `audit.safety` refuses to start in
production as a role that could). SQLite (the embedded default): UPDATE is refused the same
way; DELETE stays possible because the test runner empties tables with it.

All in the audit app, the owner of "what the app may not erase", so the apps' own migrations
stay theirs.
"""
from django.db import migrations

# Tables no row of which may ever change.
APPEND_ONLY = ("reports_reportevent", "reports_revision", "units_reorganisation", "units_unitlineage", "reorg_transferline")
# Requests: (table, the status that may still change). Their children follow the parent's decision.
DECIDED = (("reorg_transferrequest", "pending"), ("accounts_accountrequest", "pending"))
TRANSFER_CHILDREN = (("reorg_transfertarget", "transfer_id"), ("reorg_transferrequest_sources", "transferrequest_id"),
                     ("reorg_transferrequest_periods", "transferrequest_id"))

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '%% is history: %% refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION history_decided_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> TG_ARGV[0] THEN
        RAISE EXCEPTION '%% #%% is decided (%%): %% refused', TG_TABLE_NAME, OLD.id, OLD.status, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION history_transfer_child_final() RETURNS trigger AS $$
DECLARE
    parent bigint;
    decided text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        parent := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    ELSE
        parent := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    END IF;
    SELECT status INTO decided FROM reorg_transferrequest WHERE id = parent;
    IF decided IS NOT NULL AND decided <> 'pending' THEN
        RAISE EXCEPTION 'transfer request #%% is decided (%%): %% of %% refused', parent, decided, TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# Every role but the owner loses UPDATE, DELETE and TRUNCATE on the append-only tables (what
# default privileges granted when they were created).
PG_REVOKE = """
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_name = '{table}' AND grantee NOT IN (current_user, 'PUBLIC')
          AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {table} FROM %%I', grantee_name);
    END LOOP;
END $$;
"""


def _pg_forward():
    statements = [PG_FUNCTIONS]
    for table in APPEND_ONLY:
        if table != "reports_revision":  # reports 0004 has its own trigger
            statements.append(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION history_append_only();")
        statements.append(PG_REVOKE.format(table=table))
    for table, open_status in DECIDED:
        statements.append(f"CREATE TRIGGER {table}_decided_is_final BEFORE UPDATE OR DELETE ON {table} "
                          f"FOR EACH ROW EXECUTE FUNCTION history_decided_is_final('{open_status}');")
    for table, column in TRANSFER_CHILDREN:
        statements.append(f"CREATE TRIGGER {table}_decided_is_final BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                          f"FOR EACH ROW EXECUTE FUNCTION history_transfer_child_final('{column}');")
    return statements


def _pg_backward():
    statements = []
    for table in APPEND_ONLY:
        if table != "reports_revision":
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    for table, _status in DECIDED:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_decided_is_final ON {table};")
    for table, _column in TRANSFER_CHILDREN:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_decided_is_final ON {table};")
    statements += ["DROP FUNCTION IF EXISTS history_append_only();", "DROP FUNCTION IF EXISTS history_decided_is_final();",
                   "DROP FUNCTION IF EXISTS history_transfer_child_final();"]
    return statements


def _sqlite_forward():
    statements = []
    for table in APPEND_ONLY:
        if table != "reports_revision":
            statements.append(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                              f"BEGIN SELECT RAISE(ABORT, '{table} is history (UPDATE refused)'); END;")
    for table, open_status in DECIDED:
        statements.append(f"CREATE TRIGGER {table}_decided_is_final BEFORE UPDATE ON {table} WHEN OLD.status <> '{open_status}' "
                          f"BEGIN SELECT RAISE(ABORT, '{table}: a decided request is final (UPDATE refused)'); END;")
    for table, column in TRANSFER_CHILDREN:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_decided_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN (SELECT status FROM reorg_transferrequest WHERE id = {row}.{column}) <> 'pending' "
                f"BEGIN SELECT RAISE(ABORT, 'transfer request is decided ({event} of {table} refused)'); END;")
    return statements


def _sqlite_backward():
    statements = [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in APPEND_ONLY]
    statements += [f"DROP TRIGGER IF EXISTS {table}_decided_is_final;" for table, _status in DECIDED]
    statements += [f"DROP TRIGGER IF EXISTS {table}_decided_{event};" for table, _column in TRANSFER_CHILDREN for event in ("insert", "update")]
    return statements


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": _pg_forward, "sqlite": _sqlite_forward}.get(vendor, list)():
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": _pg_backward, "sqlite": _sqlite_backward}.get(vendor, list)():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_list_indexes"),
        ("reports", "0009_report_period_exempt"),
        ("units", "0004_reorganisation_and_lineage"),
        ("reorg", "0001_initial"),
        ("accounts", "0007_account_request_letter"),
    ]
    operations = [migrations.RunPython(forward, backward)]
