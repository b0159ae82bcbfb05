package summarize

import (
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// devPairs loads the development pairs, skipping the test when they are
// absent, except in CI (CI=true), where their absence is a failure.
func devPairs(tb testing.TB) []Pair {
	tb.Helper()
	return evaldata.Load(tb, "summaries/dev.jsonl", ReadPairs)
}
