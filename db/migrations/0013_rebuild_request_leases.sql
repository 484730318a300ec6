-- A rebuild request's claim is a lease that the process carrying it out renews while it works: a process that
-- dies (or is cut off) mid-rebuild lets its lease run out within a minute, and another process takes the
-- request over. Before, a dead claimer kept the request for 30 minutes, and with matching held until a
-- match-rule change's rebuild is done, the tenant's matching waited that long.
ALTER TABLE projection_rebuild_requests ADD COLUMN lease_until timestamptz;
