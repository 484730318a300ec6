-- The reactor by tenant (issue 10): its work is cut into shards (tenant -> shard by a stable hash of the tenant id,
-- mod the number of shards, ACCORD_REACTOR_SHARDS), and each shard is leased to one reactor task at a time, across
-- every process on this database. A lease is a row: the holder, and until when. The holder takes it for one turn of
-- the shard (every tenant of the shard with something to decide gets one batch), renews it before each tenant's
-- batch and gives it back after the turn; a killed process's lease lapses and the next task takes the shard over.
-- Worker state, like outbound_claims: not rebuilt from events; losing it costs at most one lease time.
--
-- Checkpoints stay in projection_checkpoints under the name 'reactor', version 1:
--   shard 'all'                 the reactor's low-water mark: every event up to it is handled, for every tenant
--                               (the single reactor's checkpoint until now, moved on as the minimum of the shards');
--   shard 'shard/<count>/<n>'   every event of the shard's tenants up to it is handled;
--   shard 'tenant/<id>'         every event of that tenant up to it is handled (ahead of its shard while the shard
--                               waits for another tenant's backlog).
-- A shard without a checkpoint starts at the low-water mark, which is the old single checkpoint: nothing is decided
-- again or skipped by this migration, nor by changing the number of shards later.
CREATE TABLE reactor_shards (
    shard_count integer NOT NULL CONSTRAINT reactor_shards_count_positive CHECK (shard_count >= 1),
    shard       integer NOT NULL,
    holder      text,
    lease_until timestamptz NOT NULL DEFAULT '-infinity',
    turn_at     timestamptz NOT NULL DEFAULT '-infinity',
    PRIMARY KEY (shard_count, shard),
    CONSTRAINT reactor_shards_shard_in_range CHECK (shard >= 0 AND shard < shard_count)
);

-- Only the reactor (a cross-tenant worker) reads or takes leases.
GRANT SELECT, INSERT, UPDATE, DELETE ON reactor_shards TO accord_system;
