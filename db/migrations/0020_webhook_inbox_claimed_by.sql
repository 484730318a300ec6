-- Who holds a delivery's claim (the processor's id, which defaults to the outbound worker's `<host>:<pid>` and is
-- kept across a restart when the process is given the same id): a processor starting under an id takes back at once
-- the claims a killed process with that id held, instead of waiting for their leases to end. NULL: not claimed, or
-- claimed by a processor without an id (its claims lapse).
ALTER TABLE webhook_inbox ADD COLUMN claimed_by text;
