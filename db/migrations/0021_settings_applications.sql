-- Applying a change of mappings to the pairs already linked (issue 11). The reactor no longer carries the new
-- mappings to every linked pair inside the tenant's turn (a tenant with thousands of links held its shard's other
-- tenants behind it, and nobody could see how far it was or stop it): it records an application here, and the
-- settings application service works through the tenant's links in link order, a chunk at a time, moving the
-- cursor after each chunk. Decisions derive their ids from the settings change and the link, so a chunk applied
-- again after a crash, or a whole application applied twice, issues nothing new.
--
-- A newer change of mappings supersedes an unfinished older one (it carries every mapping to every link itself).
-- A person may pause an application and resume it; a paused application keeps its cursor.
-- Worker state, like reactor_held_decisions: the change itself is in the log; this is where carrying it out stands.
CREATE TABLE settings_applications (
    tenant_id        text NOT NULL REFERENCES tenants (id),
    global_position  bigint NOT NULL,
    settings_version bigint NOT NULL,
    correlation_id   uuid NOT NULL,
    total            integer NOT NULL CONSTRAINT settings_applications_total CHECK (total >= 0),
    done             integer NOT NULL DEFAULT 0 CONSTRAINT settings_applications_done CHECK (done >= 0),
    cursor           text,
    state            text NOT NULL DEFAULT 'running'
                     CONSTRAINT settings_applications_state CHECK (state IN ('running', 'paused', 'finished', 'superseded')),
    holder           text,
    lease_until      timestamptz NOT NULL DEFAULT '-infinity',
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (tenant_id, global_position)
);

-- The service looks for running applications of every tenant.
CREATE INDEX settings_applications_running ON settings_applications (state, updated_at) WHERE state = 'running';

ALTER TABLE settings_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE settings_applications FORCE ROW LEVEL SECURITY;
CREATE POLICY settings_applications_isolation ON settings_applications
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

-- A tenant reads where its application stands and pauses or resumes it; the reactor and the service (system) do the rest.
GRANT SELECT, UPDATE ON settings_applications TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON settings_applications TO accord_system;
