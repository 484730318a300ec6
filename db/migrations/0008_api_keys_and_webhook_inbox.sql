-- Per-tenant API keys for the HTTP API and the web UI, and the durable inbox of Stripe webhook deliveries.

-- 1. API keys.
--
-- A key reads `ak_<key_id>_<secret>`: key_id (16 lower-case hex digits) is public and unique across tenants, so
-- a request can be resolved to its tenant with one lookup; only the SHA-256 of the secret part is stored.
-- Keys are never deleted, only revoked (revoked_at), so a leaked key stays recognisable as revoked.
--
-- Row-level security as everywhere. On top of it, tenant-scoped transactions may read only the columns that are
-- not secret (column privileges): only the system role (which authenticates requests) reads the hashes, and
-- only it creates or revokes keys.
CREATE TABLE api_keys (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    key_id      text NOT NULL CONSTRAINT api_keys_key_id_format CHECK (key_id ~ '^[0-9a-f]{16}$'),
    secret_hash bytea NOT NULL CONSTRAINT api_keys_secret_hash_length CHECK (length(secret_hash) = 32),
    name        text NOT NULL CONSTRAINT api_keys_name_length CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, key_id),
    CONSTRAINT api_keys_key_id_unique UNIQUE (key_id)
);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_isolation ON api_keys
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT (tenant_id, key_id, name, created_at, revoked_at) ON api_keys TO accord_tenant;
GRANT SELECT, INSERT, UPDATE ON api_keys TO accord_system;

-- 2. The webhook inbox.
--
-- A verified delivery is inserted here (in the tenant's scope) and answered at once; the inbox processor works
-- through it asynchronously. The primary key deduplicates deliveries: Stripe sends events more than once, and a
-- duplicate is acknowledged without being recorded again.
--
-- Processing claims due rows in a short system-scope transaction (FOR UPDATE SKIP LOCKED) and leases them by
-- moving next_attempt_at forward, so no transaction stays open while Stripe is called (an open writing
-- transaction would hold back every event reader's watermark). A worker that dies leaves its lease to expire;
-- the row is then claimed again. Failures are recorded in last_error and retried with backoff until
-- max attempts, after which the row is 'failed' (visible, and retriable by resetting it to 'pending').
CREATE TABLE webhook_inbox (
    tenant_id       text NOT NULL REFERENCES tenants (id),
    source          text NOT NULL CONSTRAINT webhook_inbox_source_known CHECK (source IN ('stripe')),
    event_id        text NOT NULL CONSTRAINT webhook_inbox_event_id_length CHECK (length(event_id) BETWEEN 1 AND 255),
    event_type      text NOT NULL CONSTRAINT webhook_inbox_event_type_length CHECK (length(event_type) BETWEEN 1 AND 255),
    -- The object the event is about (a Stripe customer id for customer.*), when it has one.
    object_id       text,
    -- The event's own creation time (Stripe's `created`).
    event_created   timestamptz NOT NULL,
    payload         jsonb NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_inbox_status_known CHECK (status IN ('pending', 'processed', 'ignored', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CONSTRAINT webhook_inbox_attempts_positive CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    processed_at    timestamptz,
    PRIMARY KEY (tenant_id, source, event_id)
);

-- The processor's queue: due pending rows, oldest first.
CREATE INDEX webhook_inbox_due ON webhook_inbox (next_attempt_at) WHERE status = 'pending';

ALTER TABLE webhook_inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_inbox_isolation ON webhook_inbox
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT, INSERT ON webhook_inbox TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_inbox TO accord_system;
