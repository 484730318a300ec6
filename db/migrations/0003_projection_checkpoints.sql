-- Where each projector (and each version of it, and each shard) has read up to.
-- A projector writes its read-model rows and its checkpoint in the same transaction.
-- shard is 'all' for a projector over every tenant, or a tenant id for a per-tenant run.
CREATE TABLE projection_checkpoints (
    projection      text NOT NULL,
    version         integer NOT NULL CONSTRAINT projection_checkpoints_version_positive CHECK (version >= 1),
    shard           text NOT NULL DEFAULT 'all',
    txid            xid8 NOT NULL DEFAULT '0',
    global_position bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, version, shard)
);

-- Only cross-tenant workers read or move checkpoints.
GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints TO accord_system;
