-- Matching earlier match failures again after a change of match fields (issue 11), as a first phase of the same
-- settings application that carries a change of mappings to the linked pairs. The reactor used to match them again
-- inside the tenant's turn (a tenant with thousands of failures held its shard's other tenants behind it, with no
-- progress to follow and no pause); the settings application service now works through them a chunk at a time,
-- in customer-key order from `cursor`, once the match index has been rebuilt for the new fields and the customers
-- read model has applied the change, then goes on to the links (when the mappings changed too) from a fresh cursor.
--
-- A newer change supersedes an unfinished older one and takes over what the older one still had to do: a pending
-- phase of failures, the links.
ALTER TABLE settings_applications
    ADD COLUMN phase text NOT NULL DEFAULT 'links'
        CONSTRAINT settings_applications_phase CHECK (phase IN ('failures', 'links')),
    ADD COLUMN applies_links boolean NOT NULL DEFAULT true,
    -- NULL: the match fields did not change (no failures to match again); counted when that phase begins.
    ADD COLUMN failures_total integer
        CONSTRAINT settings_applications_failures_total CHECK (failures_total >= 0),
    ADD COLUMN failures_done integer NOT NULL DEFAULT 0
        CONSTRAINT settings_applications_failures_done CHECK (failures_done >= 0);
