-- A rebuild requested by an event (a settings change) records that event's position, so replaying the event
-- (e.g. while rebuilding the projection that requests it) never asks for the same rebuild twice.
ALTER TABLE projection_rebuild_requests ADD COLUMN cause_position bigint;
CREATE UNIQUE INDEX projection_rebuild_requests_cause
    ON projection_rebuild_requests (projection, tenant_id, cause_position) WHERE cause_position IS NOT NULL;
