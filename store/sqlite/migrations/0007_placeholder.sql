-- 0007: placeholder on the harden branch only. Another branch adds the real
-- 0007 at the same time; migrations must be numbered without gaps, so this
-- file stands in until the branches are merged, when it is dropped (or the
-- lead renumbers 0008).
SELECT 1;
