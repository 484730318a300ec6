-- Roles used at runtime, and the tenants table.
--
-- accord_tenant: every tenant-scoped transaction runs as this role (SET LOCAL ROLE), with
--                accord.tenant_id set; row-level security limits it to that tenant's rows.
-- accord_system: cross-tenant workers (projectors, reactor, outbound worker, migrations checks);
--                it bypasses row-level security and is never used for a tenant's API request.
-- The login role the application connects with must be a member of both (see db/README.md).
-- Roles are cluster-wide: create them only if missing, and tolerate a concurrent creator.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord_tenant') THEN
        CREATE ROLE accord_tenant NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'accord_system') THEN
        CREATE ROLE accord_system NOLOGIN BYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO accord_tenant, accord_system;

CREATE TABLE tenants (
    id         text PRIMARY KEY CONSTRAINT tenants_id_format CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name       text NOT NULL CONSTRAINT tenants_name_length CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_isolation ON tenants
    USING (id = current_setting('accord.tenant_id', true));

GRANT SELECT ON tenants TO accord_tenant;
GRANT SELECT, INSERT, UPDATE ON tenants TO accord_system;
