-- People who log in to the web UI with an e-mail address and a password, each with a role (issue 12).
--
-- A user belongs to one tenant; the e-mail address (stored lower-case) is unique across tenants, so the login
-- form needs nothing else to find the tenant. Only a bcrypt hash of the password is stored (cost and salt are in
-- the hash). Roles: `admin` may change settings, connections and users; `viewer` only reads. API keys stay for
-- machines (and for logging in as an admin, as before).
--
-- Row-level security as everywhere. Tenant-scoped transactions may read every column but the hash (column
-- privileges); only the system role (which authenticates logins) reads hashes and adds, changes or removes users.
CREATE TABLE tenant_users (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    user_id       text NOT NULL CONSTRAINT tenant_users_user_id_format CHECK (user_id ~ '^u_[0-9a-f]{16}$'),
    email         text NOT NULL CONSTRAINT tenant_users_email_form CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role          text NOT NULL CONSTRAINT tenant_users_role CHECK (role IN ('admin', 'viewer')),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT tenant_users_email_unique UNIQUE (email)
);

ALTER TABLE tenant_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_users_isolation ON tenant_users
    USING (tenant_id = current_setting('accord.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('accord.tenant_id', true));

GRANT SELECT (tenant_id, user_id, email, role, created_at) ON tenant_users TO accord_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_users TO accord_system;

-- A web session is opened either with an API key (as before) or by a user; removing the user ends its sessions.
ALTER TABLE web_sessions ALTER COLUMN key_id DROP NOT NULL;
ALTER TABLE web_sessions ADD COLUMN user_id text;
ALTER TABLE web_sessions ADD CONSTRAINT web_sessions_user
    FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_users (tenant_id, user_id) ON DELETE CASCADE;
ALTER TABLE web_sessions ADD CONSTRAINT web_sessions_one_holder CHECK ((key_id IS NULL) <> (user_id IS NULL));
CREATE INDEX web_sessions_user ON web_sessions (tenant_id, user_id);
GRANT SELECT (user_id) ON web_sessions TO accord_tenant;
