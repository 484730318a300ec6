-- Which version of each projection is live, which is being rebuilt, and which are retired.
--
-- A projection's tables are named <table>_v<version>; readers use a view named <table> that points at the
-- active version (security_invoker, so row-level security of the underlying table applies to the reader).
-- A rebuild creates the next version's tables, fills them from the first event while the active version
-- keeps serving, catches up, then swaps the views and the states in one transaction (blue/green).
CREATE TABLE projections (
    name         text NOT NULL CONSTRAINT projections_name_format CHECK (name ~ '^[a-z][a-z0-9_]{0,40}$'),
    version      integer NOT NULL CONSTRAINT projections_version_positive CHECK (version >= 1),
    state        text NOT NULL CONSTRAINT projections_state_known CHECK (state IN ('building', 'active', 'retired')),
    reason       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz,
    retired_at   timestamptz,
    PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX projections_one_active ON projections (name) WHERE state = 'active';
CREATE UNIQUE INDEX projections_one_building ON projections (name) WHERE state = 'building';

-- Rebuilds asked for by rule changes (e.g. a tenant's new match fields) or by a person.
-- tenant_id NULL means every tenant.
CREATE TABLE projection_rebuild_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection   text NOT NULL,
    tenant_id    text REFERENCES tenants (id),
    reason       text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    error        text
);
CREATE INDEX projection_rebuild_requests_open ON projection_rebuild_requests (requested_at) WHERE finished_at IS NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON projections, projection_rebuild_requests TO accord_system;

-- Projection tables and views are created and dropped at run time by the system role.
GRANT CREATE ON SCHEMA public TO accord_system;
