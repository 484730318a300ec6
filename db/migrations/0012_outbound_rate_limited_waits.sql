-- The outbound queue shows requests waiting for a rate limit (HTTP 429) as such: status 'rate_limited' (a text
-- value, no schema change) and how many times each request waited, in a new column of the outbound_requests
-- projection. Tables created from now on get the column from the projector's definition; this adds it to the
-- versions that exist already (waits recorded before this change were failures, so 0 is what a rebuild gives too)
-- and re-points the view at the active one so that readers see it.
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT version, state FROM projections WHERE name = 'outbound_requests' AND state <> 'retired' LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS rate_limited_waits integer NOT NULL DEFAULT 0',
                       'outbound_requests_v' || v.version);
        IF v.state = 'active' THEN
            EXECUTE format('CREATE OR REPLACE VIEW outbound_requests WITH (security_invoker = true) AS SELECT * FROM %I',
                           'outbound_requests_v' || v.version);
        END IF;
    END LOOP;
END
$$;
