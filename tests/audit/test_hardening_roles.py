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
