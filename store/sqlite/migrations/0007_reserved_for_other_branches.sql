-- 0007: placeholder on the fulltext branch only. Migrations 0007 and 0008
-- belong to other branches; when merging, drop this file (their real 0007
-- takes its place) so that 0009_item_articles follows them.
SELECT 1;
