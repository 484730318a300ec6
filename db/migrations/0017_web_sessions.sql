-- Server-side sessions of the web UI.
--
-- The browser's cookie holds a random session token (32 bytes); only its SHA-256 is stored here, so a copy of the
-- table opens no session. A session belongs to the API key it was opened with: revoking the key deletes its
-- sessions (APIKeyStore.revoke, in the same transaction), and a lookup also requires the key to be live. Logging out
-- deletes the row, so a copied cookie is worthless afterwards; every replica reads the same rows, so any replica
-- serves any session. Sessions expire at expires_at (absolute, from login); expired rows are deleted at each login.
--
-- Row-level security as everywhere. Only the system role (which authenticates requests) reads hashes, opens and
-- ends sessions; a tenant's scope may see that its sessions exist, never their hashes.
CREATE TABLE web_sessions (
    tenant_id  text NOT NULL,
    token_hash bytea NOT NULL CONSTRAINT web_sessions_token_hash_length CHECK (length(token_hash) = 32),
    key_id     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, token_hash),
    CONSTRAINT web_sessions_token_hash_unique UNIQUE (token_hash),
    CONSTRAINT web_sessions_key FOREIGN KEY (tenant_id, key_id) REFERENCES api_keys (tenant_id, key_id)
);

-- Revocation deletes a key's sessions; login deletes expired ones.
CREATE INDEX web_sessions_key ON web_sessions (tenant_id, key_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY web_sessions_isolation ON web_sessions
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT (tenant_id, key_id, created_at, expires_at) ON web_sessions TO accord_tenant;
GRANT SELECT, INSERT, DELETE ON web_sessions TO accord_system;
