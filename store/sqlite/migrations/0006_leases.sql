-- 0006: leases that split work between instances sharing a database
-- (issue 7). Conventions as in 0001.
--
-- One row per named piece of work that only one instance may do at a time:
-- "poll:<source>" for each source's polls, "pipeline" for the single writer
-- of stories. A lease is free once expires <= now; owner names the instance
-- (host-pid). Rows are never deleted: a source's lease row is a few bytes.
-- Not copied by `briefbot migrate --from sqlite:`: leases are about
-- running processes, not data.
CREATE TABLE leases (
    name    TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    expires TEXT NOT NULL
) STRICT;
