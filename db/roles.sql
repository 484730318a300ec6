-- The cluster's roles for Accord (not a migration: roles are cluster-wide, and creating a BYPASSRLS role needs a
-- superuser). Run once per cluster by an administrator, before the first `accord migrate`; safe to run again.
-- ops/postgres.sh and the tests run it; on a managed PostgreSQL run it as the provider's admin user, then give the
-- two login roles passwords (ALTER ROLE … PASSWORD …). See db/README.md.
--
-- accord_tenant  (no login)            a tenant's transactions (SET LOCAL ROLE, row-level security)
-- accord_system  (no login, BYPASSRLS) cross-tenant workers
-- accord_owner   (login)               owns the database's objects; only `accord migrate` connects as it
-- accord         (login)               what `accord serve` connects as: no superuser, no role or database creation,
--                                      no BYPASSRLS of its own; a member of accord_tenant and accord_system only
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord_tenant') THEN
        CREATE ROLE accord_tenant NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord_system') THEN
        CREATE ROLE accord_system NOLOGIN BYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord_owner') THEN
        CREATE ROLE accord_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord') THEN
        CREATE ROLE accord LOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- another session created them at the same time
END $$;

ALTER ROLE accord_owner NOSUPERUSER NOCREATEROLE NOBYPASSRLS NOREPLICATION;
ALTER ROLE accord NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT;
GRANT accord_tenant, accord_system TO accord;
