-- Claims take turns between tenants (the webhook inbox and the outbound queue). A claim reaches the due rows tenant
-- by tenant (one index probe each, into the indexes below) and takes at most a few of each tenant; it takes every
-- tenant's first row, then every tenant's second, and so on, and within a turn the tenant whose last turn is the
-- oldest goes first. So one claim of a single row alternates between tenants, and a tenant with 50,000 rows waiting
-- takes one place per turn instead of every place.

-- 1. When each tenant last had a turn in each queue ('inbox', 'outbound'). Worker state, like outbound_claims: not
--    rebuilt from events, and losing it only costs one claim's order. Claims run one at a time per queue (a
--    transaction-level advisory lock), so these rows are written by one claim at a time.
CREATE TABLE claim_turns (
    queue        text NOT NULL CONSTRAINT claim_turns_queue_known CHECK (queue IN ('inbox', 'outbound')),
    tenant_id    text NOT NULL REFERENCES tenants (id),
    last_turn_at timestamptz NOT NULL,
    PRIMARY KEY (queue, tenant_id)
);

ALTER TABLE claim_turns ENABLE ROW LEVEL SECURITY;
ALTER TABLE claim_turns FORCE ROW LEVEL SECURITY;
CREATE POLICY claim_turns_isolation ON claim_turns
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT, INSERT, UPDATE, DELETE ON claim_turns TO accord_system;

-- 2. The webhook inbox: due pending rows per tenant, oldest first. It replaces the index on next_attempt_at alone,
--    which only the old claim used (counting pending rows uses this one just as well).
CREATE INDEX webhook_inbox_due_by_tenant ON webhook_inbox (tenant_id, next_attempt_at, received_at) WHERE status = 'pending';
DROP INDEX webhook_inbox_due;

-- 3. The outbound queue (the outbound_requests projection): tables created from now on get the index from the
--    projector's definition (its fourth index, hence _i3); this adds it to the versions that exist already.
--    Settled rows have no next_attempt_at, so a probe for due rows never walks a tenant's finished requests.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT version FROM projections WHERE name = 'outbound_requests' AND state <> 'retired' LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (tenant_id, next_attempt_at)',
                       'outbound_requests_v' || v.version || '_i3', 'outbound_requests_v' || v.version);
    END LOOP;
END
$$;
