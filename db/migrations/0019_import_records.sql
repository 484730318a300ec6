-- The first and last events of each import stream (`ImportReceived`, `ImportCompleted`), so that the server
-- lists a tenant's imports and looks one up without scanning the tenant's log.
CREATE INDEX events_import_records ON events (tenant_id, stream_id) WHERE type IN ('ImportReceived', 'ImportCompleted');
