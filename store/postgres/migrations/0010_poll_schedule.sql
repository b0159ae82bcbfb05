-- 0010: each source's polling interval and why (issue 15), as the poller
-- last set it, for `briefbot sources`. Not copied by `briefbot migrate
-- --from sqlite:`: the poller sets it again on the source's next poll.
ALTER TABLE sources ADD COLUMN poll_interval bigint NOT NULL DEFAULT 0; -- nanoseconds; 0 = not set yet
ALTER TABLE sources ADD COLUMN poll_reason text NOT NULL DEFAULT '';
