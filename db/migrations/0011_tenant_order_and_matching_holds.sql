-- Per-tenant forward reads in log order: a tenant's rebuild (`tenant_id = $1 AND (txid, global_position) > (...)
-- ORDER BY txid, global_position LIMIT n`) and its event count. With only events_txid_position they walk every
-- tenant's events from the checkpoint on, so a tenant's rebuild took as long as the whole table; with this index it
-- reads that tenant's events alone. (Built inside the migration's transaction: on a large table, writers wait
-- until it is built.)
CREATE INDEX events_tenant_txid_position ON events (tenant_id, txid, global_position);

-- Decisions the reactor holds while a tenant's match index is rebuilt after a change of its match fields (the
-- index still has the old fields' keys: matching on it would miss customers that match under the new ones, and
-- automatic create would make duplicates). Each row names the event whose decision waits; it is decided once the
-- rebuild the change asked for has finished, then removed. Deciding an event twice issues nothing new (its ids
-- derive from the event), so a row removed late, or kept after a crash, costs at most a second look.
CREATE TABLE reactor_held_decisions (
    tenant_id       text NOT NULL REFERENCES tenants (id),
    global_position bigint NOT NULL,
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL,
    held_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, global_position)
);

ALTER TABLE reactor_held_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE reactor_held_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY reactor_held_decisions_isolation ON reactor_held_decisions
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT, INSERT, DELETE ON reactor_held_decisions TO accord_tenant, accord_system;

-- A tenant may see the rebuilds asked for on its behalf: its overview says when matching waits for one.
ALTER TABLE projection_rebuild_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE projection_rebuild_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY projection_rebuild_requests_isolation ON projection_rebuild_requests
    USING (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT ON projection_rebuild_requests TO accord_tenant;
