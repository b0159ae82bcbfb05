package summarize

import (
	"os"
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// devPairs loads the development pairs, skipping the test when they are
// absent, except in CI (CI=true), where their absence is a failure.
func devPairs(tb testing.TB) []Pair {
	tb.Helper()
	path := evaldata.Require(tb, "summaries/dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	pairs, err := ReadPairs(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return pairs
}
