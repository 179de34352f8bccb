"""Issue 9, item 5: the audit log is append-only for the application's database role, not
just for a well-behaved app. scripts/postgres_roles.sql makes an owner role (migrations) and
an application role; the application role's TRUNCATE, DISABLE TRIGGER, UPDATE and DELETE of
audit events are refused by PostgreSQL, and in production the app refuses to start when its
role could do them."""
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from baocao.audit import safety
from baocao.audit.services import record_read

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres_roles.sql"


@pytest.fixture
def roles(transactional_db):
    """The two roles on the test database, made by the script, and removed afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles: PostgreSQL only")
    params = connection.get_connection_params()
    db, host, port, user = params["dbname"], params.get("host") or "127.0.0.1", str(params.get("port") or 5432), params.get("user") or "postgres"
    owner, app = f"baocao_t_owner_{os.getpid()}", f"baocao_t_app_{os.getpid()}"
    connection.close()  # the script alters the database: no open transaction of ours in the way
    run = subprocess.run(
        ["psql", "-h", host, "-p", port, "-U", user, "-d", db, "-q", "-v", f"db={db}", "-v", f"owner={owner}", "-v", f"app={app}",
         "-v", "owner_password=", "-v", "app_password=", "-f", str(SCRIPT)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    yield {"db": db, "host": host, "port": port, "owner": owner, "app": app, "admin": user}
    with psycopg.connect(dbname=db, host=host, port=port, user=user, autocommit=True) as admin:
        for role in (app, owner):
            admin.execute(f'REASSIGN OWNED BY "{role}" TO "{user}"')
            admin.execute(f'DROP OWNED BY "{role}"')
        admin.execute(f"ALTER DATABASE \"{db}\" OWNER TO \"{user}\"")
        admin.execute(f'ALTER SCHEMA public OWNER TO "{user}"')
        for role in (app, owner):
            admin.execute(f'DROP ROLE "{role}"')


def connect_as(roles, role):
    return psycopg.connect(dbname=roles["db"], host=roles["host"], port=roles["port"], user=roles[role], autocommit=True)


def test_the_application_role_may_only_insert_and_read_audit_events(roles):
    record_read("login.success", username="truoc-do")
    with connect_as(roles, "app") as app:
        app.execute("INSERT INTO audit_auditevent (at, actor_username, action, unit_path, object_type, object_id, note) "
                    "VALUES (now(), 'app', 'test.inserted', '', '', '', '')")
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] >= 2
        for statement in (
            "TRUNCATE audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
            "UPDATE audit_auditevent SET note = 'x'",
            "DELETE FROM audit_auditevent",
            "DROP TABLE audit_auditevent",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # Everything else the platform needs stays possible.
        app.execute("UPDATE accounts_account SET failed_login_count = failed_login_count")
        assert safety.audit_role_problems(app.cursor()) == []


def test_the_owner_role_runs_the_migrations_and_production_refuses_to_start_as_it(roles):
    with connect_as(roles, "owner") as owner:
        problems = safety.audit_role_problems(owner.cursor())
    assert any("owns audit_auditevent" in p for p in problems)


def test_production_refuses_to_start_as_a_role_that_could_tamper(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # The test runner connects as a superuser that owns the tables: exactly what must be refused.
    with pytest.raises(ImproperlyConfigured, match="postgres_roles.sql"):
        safety.refuse_unsafe_audit_role()


# --- Issue 22, item 6: every history table, not only the audit log ------------------------------


@pytest.fixture
def history(roles, notary_report, tree, make_account):
    """One row of each kind of history, and a pending and a decided request of each kind."""
    from baocao.accounts.models import AccountRequest
    from baocao.reorg.models import TransferLine, TransferRequest, TransferTarget
    from baocao.reports.models import ReportEvent
    from baocao.units.models import Reorganisation, UnitLineage

    account = make_account("T02003002", "approver", username="T02003002_ld")
    log = Reorganisation.objects.create(operation="rename", decision_number="1/QĐ", details={"renamed": []})
    decided = TransferRequest.objects.create(note="sẽ thực hiện")
    pending = TransferRequest.objects.create(note="chờ")
    for transfer in (decided, pending):
        TransferTarget.objects.create(transfer=transfer, unit=tree["T02003002"])
        transfer.periods.add(notary_report.period)
    decided.sources.add(tree["T02003001"])
    line = TransferLine.objects.create(transfer=decided, source_report=notary_report, target_report=notary_report, kind="moved")
    TransferRequest.objects.filter(pk=decided.pk).update(status="executed")  # as execute() does, last

    def account_request(status):
        return AccountRequest.objects.create(unit=tree["T02003002"], kind="revoke", target=account, reason="nghỉ hưu",
                                             requested_by=account, status=status)

    return {
        "event": ReportEvent.objects.create(report=notary_report, transition="send", label="Gửi", reason="lần 1"),
        "log": log,
        "lineage": UnitLineage.objects.create(predecessor=tree["T02003001"], successor=tree["T02003002"], reorganisation=log),
        "line": line,
        "decided": decided, "pending": pending, "unit": tree["T02003001"],
        "approved": account_request("approved"), "asked": account_request("pending"), "_roles": roles,
    }


def test_the_application_role_cannot_erase_or_rewrite_any_history(history):
    h = history
    with connect_as(h["_roles"], "app") as app:
        for statement in (
            f"DELETE FROM reports_reportevent WHERE id = {h['event'].pk}",
            f"UPDATE reports_reportevent SET reason = 'sửa' WHERE id = {h['event'].pk}",
            "TRUNCATE reports_reportevent CASCADE",
            "DELETE FROM reports_revision",
            f"DELETE FROM units_reorganisation WHERE id = {h['log'].pk}",
            f"UPDATE units_reorganisation SET decision_number = 'x' WHERE id = {h['log'].pk}",
            f"DELETE FROM units_unitlineage WHERE id = {h['lineage'].pk}",
            f"UPDATE reorg_transferline SET cells = 99 WHERE id = {h['line'].pk}",
            f"DELETE FROM reorg_transferline WHERE id = {h['line'].pk}",
            # Decided requests are final, and so are a decided transfer's targets, units and periods.
            f"UPDATE reorg_transferrequest SET status = 'pending' WHERE id = {h['decided'].pk}",
            f"DELETE FROM reorg_transfertarget WHERE transfer_id = {h['decided'].pk}",
            f"INSERT INTO reorg_transferrequest_sources (transferrequest_id, unit_id) VALUES ({h['decided'].pk}, {h['unit'].pk})",
            f"DELETE FROM reorg_transferrequest_periods WHERE transferrequest_id = {h['decided'].pk}",
            f"UPDATE accounts_accountrequest SET decision_comment = 'sửa' WHERE id = {h['approved'].pk}",
            f"DELETE FROM accounts_accountrequest WHERE id = {h['approved'].pk}",
            "TRUNCATE accounts_accountrequest CASCADE",
            "ALTER TABLE reports_reportevent DISABLE TRIGGER ALL",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # A pending request is still the unit's to change until it is decided, and history grows.
        app.execute(f"UPDATE reorg_transferrequest SET note = 'bổ sung' WHERE id = {h['pending'].pk}")
        app.execute(f"DELETE FROM reorg_transfertarget WHERE transfer_id = {h['pending'].pk}")
        app.execute(f"UPDATE accounts_accountrequest SET status = 'rejected', decision_comment = 'thiếu văn bản' WHERE id = {h['asked'].pk}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # … and once decided, final
            app.execute(f"UPDATE accounts_accountrequest SET status = 'approved' WHERE id = {h['asked'].pk}")
        app.execute(f"INSERT INTO reports_reportevent (report_id, at, transition, label, from_state, to_state, reason) "
                     f"SELECT report_id, now(), 'approve', 'Phê duyệt', '', '', '' FROM reports_reportevent WHERE id = {h['event'].pk}")
        assert app.execute("SELECT count(*) FROM reports_reportevent").fetchone()[0] == 2
        assert safety.history_role_problems(app.cursor()) == []
    with connect_as(h["_roles"], "owner") as owner:
        problems = safety.history_role_problems(owner.cursor())
    for table in ("reports_reportevent", "units_reorganisation", "units_unitlineage", "reorg_transferrequest", "accounts_accountrequest"):
        assert any(f"owns {table}" in p for p in problems), table
