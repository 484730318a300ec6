-- A stream's head, read by one step down the (tenant_id, stream_id, stream_version) index.
--
-- events_expect_version read it as max(stream_version), which leaves the planner a choice between that one step and
-- aggregating every index entry of the stream, by its row estimate; a stream that grew since the table was last
-- analysed (a tenant's partners stream during its initial sync: every link appends to it) is estimated at one row,
-- and the planner aggregates. Measured in ops/bench/initial-sync.sh: 17 ms per call at 15,600 events in the partners
-- stream, once per appended row, so one batch of decisions took 2.2 s to append and the sync slowed as the stream
-- grew (37 decisions/s after 5,000 links). ORDER BY … DESC LIMIT 1 is planned as the one step whatever the estimate
-- (0.3 ms on the same stream).
CREATE OR REPLACE FUNCTION events_expect_version(p_tenant text, p_stream text, p_expected bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    head bigint;
BEGIN
    SELECT stream_version INTO head
    FROM events WHERE tenant_id = p_tenant AND stream_id = p_stream
    ORDER BY stream_version DESC LIMIT 1;
    head := coalesce(head, 0);
    IF p_expected >= 0 AND head <> p_expected THEN
        RAISE EXCEPTION 'the stream is at another version than expected'
            USING ERRCODE = 'P0409', DETAIL = format('actual=%s expected=%s', head, p_expected);
    END IF;
    RETURN head;
END $$;
