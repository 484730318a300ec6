-- Each tenant's connections to the outside systems: where e-conomic and Stripe are, and the secrets to call them.
--
-- Secrets never go into events. They are stored here encrypted with AES-256-GCM under a master key that is not
-- in the database (ACCORD_MASTER_KEY). Each encrypted column holds one sealed box (12-byte nonce, ciphertext,
-- 16-byte tag); the associated data binds it to the tenant and the column, so a value copied to another tenant
-- or another column does not decrypt. key_id names the master key that sealed the row (a digest of the key, not
-- the key), so keys can be rotated later and a wrong key is reported as such.
--
-- Row-level security as everywhere; on top of it, tenant-scoped transactions may read only the columns that
-- are not secret (column privileges). Only the system role reads or writes the secrets.
CREATE TABLE tenant_connections (
    tenant_id                          text PRIMARY KEY REFERENCES tenants (id),
    key_id                             text NOT NULL CONSTRAINT tenant_connections_key_id_format CHECK (key_id ~ '^[a-z0-9-]{1,64}$'),
    economic_base_url                  text,
    economic_app_secret_token          bytea,
    economic_agreement_grant_token     bytea,
    stripe_api_base                    text,
    stripe_secret_key                  bytea,
    -- A JSON array of webhook endpoint secrets, sealed as one value (several while a secret is rolled).
    stripe_webhook_secrets             bytea,
    updated_at                         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_connections_economic_complete CHECK (
        (economic_base_url IS NULL) = (economic_app_secret_token IS NULL)
        AND (economic_base_url IS NULL) = (economic_agreement_grant_token IS NULL)),
    CONSTRAINT tenant_connections_stripe_complete CHECK (
        (stripe_api_base IS NULL) = (stripe_secret_key IS NULL) AND (stripe_api_base IS NOT NULL OR stripe_webhook_secrets IS NULL))
);

ALTER TABLE tenant_connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_connections_isolation ON tenant_connections
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

-- A tenant may see where it is connected and when that changed, never the secrets (not even encrypted).
GRANT SELECT (tenant_id, key_id, economic_base_url, stripe_api_base, updated_at) ON tenant_connections TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_connections TO accord_system;
