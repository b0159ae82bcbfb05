package store

import (
	"context"
	"time"
)

// SummaryCache keeps what a paid summarizer (summarize/llm) answered, so a
// restart or a second instance sharing the database never asks twice.
// Keys are opaque strings the summarizer derives from its request (model,
// prompt version, article); values are opaque too.
type SummaryCache interface {
	// CachedSummary returns the value stored under key, and false (with a
	// nil error) when there is none.
	CachedSummary(ctx context.Context, key string) (summary string, ok bool, err error)
	// CacheSummary stores summary under key, replacing any value there; at
	// is when it was produced. An empty key or a zero at is an error.
	CacheSummary(ctx context.Context, key, summary string, at time.Time) error
}
