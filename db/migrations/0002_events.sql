-- The event log: the only source of truth. Append-only.
--
-- Ordering: readers never rely on global_position alone (sequence values commit out of order).
-- Every event records the id of the transaction that wrote it (txid); readers only read events
-- whose txid is below the oldest transaction still running (pg_snapshot_xmin(pg_current_snapshot())),
-- ordered by (txid, global_position), and checkpoint that pair. See db/README.md.
CREATE TABLE events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       text NOT NULL REFERENCES tenants (id),
    stream_id       text NOT NULL CONSTRAINT events_stream_id_length CHECK (length(stream_id) BETWEEN 1 AND 500),
    stream_version  bigint NOT NULL CONSTRAINT events_stream_version_positive CHECK (stream_version >= 1),
    type            text NOT NULL CONSTRAINT events_type_length CHECK (length(type) BETWEEN 1 AND 200),
    schema_version  integer NOT NULL DEFAULT 1 CONSTRAINT events_schema_version_positive CHECK (schema_version >= 1),
    data            jsonb NOT NULL,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    txid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- Optimistic concurrency: two writers expecting the same stream version collide here (SQLSTATE 23505).
    CONSTRAINT events_stream_version_unique UNIQUE (tenant_id, stream_id, stream_version)
);

-- The forward reader's order and watermark.
CREATE INDEX events_txid_position ON events (txid, global_position);

-- Append-only: no updates, deletes or truncation, whoever asks.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the events table is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Wake subscribers: one notification per tenant per statement, delivered at commit.
-- The payload is the tenant id (never event data). Subscribers also poll, so a lost
-- notification only delays them.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('accord_events', t.tenant_id)
    FROM (SELECT DISTINCT tenant_id FROM new_events) AS t;
    RETURN NULL;
END $$;

CREATE TRIGGER events_notify AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_isolation ON events
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT, INSERT ON events TO accord_tenant, accord_system;
