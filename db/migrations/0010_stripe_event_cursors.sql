-- Catching up with Stripe: webhooks are a fast path, not the record. Each tenant's Stripe events list
-- (GET /v1/events, kept 30 days by Stripe) is read from a cursor on start and periodically, and every event
-- found goes into the same webhook inbox, whose primary key (tenant, source, event id) deduplicates it against
-- the webhook delivery of the same event.

-- 1. The cursor: the next read lists events created at or after created_from. It only ever moves forward, and
-- only to a time whose events were all read (minus an overlap that absorbs clock skew and events that appear in
-- Stripe's list late); re-reading the overlap is harmless, the inbox deduplicates.
CREATE TABLE stripe_event_cursors (
    tenant_id        text PRIMARY KEY REFERENCES tenants (id),
    created_from     timestamptz NOT NULL,
    -- The last complete read: when, and how many events it listed and found new.
    last_read_at     timestamptz,
    last_read_listed integer NOT NULL DEFAULT 0 CONSTRAINT stripe_event_cursors_listed_positive CHECK (last_read_listed >= 0),
    last_read_new    integer NOT NULL DEFAULT 0 CONSTRAINT stripe_event_cursors_new_positive CHECK (last_read_new >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE stripe_event_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_event_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY stripe_event_cursors_isolation ON stripe_event_cursors
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT, INSERT, UPDATE ON stripe_event_cursors TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON stripe_event_cursors TO accord_system;

-- 2. How each inbox entry arrived: a webhook delivery, or the catch-up's read of the events list (whichever came
-- first; the other is a duplicate and recorded nowhere).
ALTER TABLE webhook_inbox ADD COLUMN received_via text NOT NULL DEFAULT 'webhook'
    CONSTRAINT webhook_inbox_received_via_known CHECK (received_via IN ('webhook', 'catch_up'));
