package summarize

import "testing"

// TestLazyRegexpsCompile compiles every expression the cleaner defers, so
// a malformed pattern fails here rather than on the first article that
// reaches its rule.
func TestLazyRegexpsCompile(t *testing.T) {
	if len(lazyRegexps) < len(rules)+len(leadRes) {
		t.Fatalf("%d lazy expressions registered, want at least one per rule and lead (%d)", len(lazyRegexps), len(rules)+len(leadRes))
	}
	for _, re := range lazyRegexps {
		re() // panics on a malformed pattern
	}
}
