-- Which outbound worker is carrying out which request. Mutable worker state, not a read model: it is not
-- rebuilt from events, and losing it costs at most a reconciliation.
--
-- A worker claims due requests in a short transaction (the outbound_requests queue rows FOR UPDATE SKIP LOCKED,
-- then an upsert here that loses to a live claim), sends outside any transaction, appends the outcome to the
-- request's stream with the expected version, then releases its claim. A released claim remembers the global
-- position of the last event its worker saw (release_position) and keeps the request from being claimed again
-- until the queue row has caught up with it (so a projection that lags behind the log never causes a second
-- send) and until expires_at (the earliest next attempt).
--
-- A claim that was never released and whose expires_at has passed belonged to a worker that died or hung: the
-- next worker takes it over (previous_worker is set) and, because the old attempt may have reached e-conomic,
-- looks the customer up before creating it again.
CREATE TABLE outbound_claims (
    tenant_id        text NOT NULL REFERENCES tenants (id),
    request_id       text NOT NULL,
    worker           text NOT NULL CONSTRAINT outbound_claims_worker_length CHECK (length(worker) BETWEEN 1 AND 200),
    -- New with every claim, so a worker whose claim was taken over can neither renew nor release the new one.
    token            uuid NOT NULL,
    claimed_at       timestamptz NOT NULL DEFAULT now(),
    -- In flight: when the claim lapses. Released: not before this time.
    expires_at       timestamptz NOT NULL,
    released         boolean NOT NULL DEFAULT false,
    release_position bigint,
    -- The worker whose lapsed in-flight claim this one took over (NULL for a fresh claim).
    previous_worker  text,
    takeovers        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, request_id),
    CONSTRAINT outbound_claims_release_position CHECK (released = (release_position IS NOT NULL))
);
CREATE INDEX outbound_claims_worker ON outbound_claims (worker) WHERE NOT released;

ALTER TABLE outbound_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbound_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY outbound_claims_isolation ON outbound_claims
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

-- A tenant may see what is in flight; only workers (the system role) claim.
GRANT SELECT ON outbound_claims TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON outbound_claims TO accord_system;
