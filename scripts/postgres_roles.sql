-- Two PostgreSQL roles for baocao (docs/operations.md, docs/security.md "Audit"):
--   the OWNER owns the database's tables and runs the migrations (`baocao migrate`);
--   the APP role is what gunicorn and the task worker connect as: it reads and writes the
--   platform's tables but may only INSERT and SELECT audit events and the other history (report
--   events, revisions, reorganisation records and lineage, executed transfers' lines) — no
--   UPDATE, DELETE or TRUNCATE — and, owning nothing, it cannot disable the triggers that keep
--   decided requests final (migration audit 0005) or drop a table.
--
-- Run as a superuser, before the first `baocao migrate` and again after it (idempotent):
--   psql -h HOST -U postgres -v db=baocao -v owner=baocao_owner -v app=baocao_app \
--        -v owner_password='…' -v app_password='…' -f scripts/postgres_roles.sql
-- Then: migrations with DATABASE_URL=postgres://baocao_owner:…@HOST/baocao,
--       gunicorn and `baocao db_worker` with DATABASE_URL=postgres://baocao_app:…@HOST/baocao.
-- In production the app refuses to start if its role owns a history table or may change it.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEROLE NOCREATEDB', :'owner', :'owner_password') WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS', :'app', :'app_password') WHERE :'app_password' <> '' \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec

\connect :"db"
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
SELECT format('REVOKE CREATE ON SCHEMA public FROM PUBLIC') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec
-- Tables and sequences already there (a database migrated before the roles existed) go to the owner.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner') FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', sequencename, :'owner') FROM pg_sequences
    WHERE schemaname = 'public' AND sequenceowner <> :'owner'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid WHERE s.relname = sequencename AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER FUNCTION public.%I() OWNER TO %I', proname, :'owner') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.prorettype = 'trigger'::regtype \gexec
-- What the app may do: on every table the owner has made or will make …
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', :'owner', :'app') \gexec
-- … except the audit log: append and read only (migration audit 0003 does the same on a fresh database).
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.audit_auditevent FROM %I', :'app')
    WHERE to_regclass('public.audit_auditevent') IS NOT NULL \gexec
SELECT format('GRANT SELECT, INSERT ON public.audit_auditevent TO %I', :'app')
    WHERE to_regclass('public.audit_auditevent') IS NOT NULL \gexec
-- … and the rest of history likewise (migration audit 0005 does the same on a fresh database).
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.%I FROM %I', t, :'app')
    FROM unnest(ARRAY['reports_reportevent', 'reports_revision', 'units_reorganisation', 'units_unitlineage', 'reorg_transferline']) AS t
    WHERE to_regclass('public.' || t) IS NOT NULL \gexec
SELECT format('GRANT SELECT, INSERT ON public.%I TO %I', t, :'app')
    FROM unnest(ARRAY['reports_reportevent', 'reports_revision', 'units_reorganisation', 'units_unitlineage', 'reorg_transferline']) AS t
    WHERE to_regclass('public.' || t) IS NOT NULL \gexec
