package summarize

import (
	"os"
	"path/filepath"
	"testing"
)

// devPairsPath finds the development pairs: $BRIEFBOT_TESTDATA/summaries/dev.jsonl
// if set, else ../shared/testdata/summaries/dev.jsonl beside the repository
// root (the directory holding go.mod). The data is for evaluation only and
// is never copied into the repository.
func devPairsPath(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("BRIEFBOT_TESTDATA"); dir != "" {
		return filepath.Join(dir, "summaries", "dev.jsonl")
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "testdata", "summaries", "dev.jsonl")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// devPairs loads the development pairs, skipping the test when they are
// absent, except in CI (CI=true), where their absence is a failure.
func devPairs(tb testing.TB) []Pair {
	tb.Helper()
	path := devPairsPath(tb)
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("development pairs missing in CI: %v (set BRIEFBOT_TESTDATA or lay out ../shared/testdata)", err)
		}
		tb.Skipf("development pairs not available (%v); set BRIEFBOT_TESTDATA to run", err)
	}
	defer f.Close()
	pairs, err := ReadPairs(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return pairs
}
