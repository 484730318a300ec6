-- 1. The expected-version check raises instead of inserting nothing, so that appends to several streams in one
--    transaction (one pipeline) are all-or-nothing: a stale version aborts the whole transaction.
--    SQLSTATE P0409 (stream_version_conflict); the detail carries the stream's actual version.
CREATE FUNCTION events_expect_version(p_tenant text, p_stream text, p_expected bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    head bigint;
BEGIN
    SELECT coalesce(max(stream_version), 0) INTO head
    FROM events WHERE tenant_id = p_tenant AND stream_id = p_stream;
    IF p_expected >= 0 AND head <> p_expected THEN
        RAISE EXCEPTION 'the stream is at another version than expected'
            USING ERRCODE = 'P0409', DETAIL = format('actual=%s expected=%s', head, p_expected);
    END IF;
    RETURN head;
END $$;

GRANT EXECUTE ON FUNCTION events_expect_version(text, text, bigint) TO accord_tenant, accord_system;

-- 2. NOTIFY inside a writing transaction takes a cluster-wide lock that PostgreSQL holds through the commit's
--    WAL flush, so notifying transactions cannot share a flush (group commit) and are serialised. Writers that
--    notify after their commit themselves set accord.notify_after_commit = 'on' (transaction-local) and the
--    trigger stays quiet; any other writer still notifies from the trigger.
CREATE OR REPLACE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('accord.notify_after_commit', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('accord_events', t.tenant_id)
    FROM (SELECT DISTINCT tenant_id FROM new_events) AS t;
    RETURN NULL;
END $$;
