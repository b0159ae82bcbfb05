-- 0010: each source's polling interval and why (issue 15), as the poller
-- last set it, for `briefbot sources`. Conventions as in 0001. Not copied
-- by `briefbot migrate --from sqlite:`: the poller sets it again on the
-- source's next poll.
ALTER TABLE sources ADD COLUMN poll_interval INTEGER NOT NULL DEFAULT 0; -- nanoseconds; 0 = not set yet
ALTER TABLE sources ADD COLUMN poll_reason TEXT NOT NULL DEFAULT '';
