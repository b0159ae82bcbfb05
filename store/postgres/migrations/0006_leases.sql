-- 0006: leases that split work between instances sharing a database
-- (issue 7). The same table as store/sqlite's 0006; conventions as in 0001.
--
-- One row per named piece of work that only one instance may do at a time:
-- "poll:<source>" for each source's polls, "pipeline" for the single writer
-- of stories. A lease is free once expires <= now (bigint nanoseconds, as
-- deliveries.lease_until: a lease that ends 1ns from now is not over);
-- owner names the instance (host-pid). Rows are never deleted: a source's
-- lease row is a few bytes. Not copied by `briefbot migrate --from
-- sqlite:`: leases are about running processes, not data.
CREATE TABLE leases (
    name    text   PRIMARY KEY,
    owner   text   NOT NULL,
    expires bigint NOT NULL
);
