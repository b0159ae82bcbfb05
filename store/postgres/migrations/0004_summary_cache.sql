-- 0004: answers of a paid summarizer (summarize/llm), by request key, so a
-- restart or a second instance never pays for the same summary twice. The
-- same table as store/sqlite's 0004; conventions as in 0001.
CREATE TABLE summary_cache (
    key     text        PRIMARY KEY,
    summary text        NOT NULL,
    created timestamptz NOT NULL
);
