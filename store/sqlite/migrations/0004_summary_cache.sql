-- 0004: answers of a paid summarizer (summarize/llm), by request key, so a
-- restart or a second instance never pays for the same summary twice.
-- Conventions as in 0001. Rows are small (a key and a two-sentence answer)
-- and one per relevant item at most.
CREATE TABLE summary_cache (
    key     TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    created TEXT NOT NULL
) STRICT, WITHOUT ROWID;
