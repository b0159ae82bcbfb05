package summarize

import (
	"regexp"
	"sync"
)

// lazyRegexps lists every expression lazyRegexp made, so a test can
// compile them all: a bad pattern would otherwise panic only when a
// sentence first needs it.
var lazyRegexps []func() *regexp.Regexp

// lazyRegexp compiles pattern on first use. The cleaner's 40 expressions
// allocated 7.6 MB and kept 1.8 MB live when compiled at package init, in
// every briefbot process whether it summarizes or not; most rules' are
// also only tried once their trigger words occur in a sentence.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	f := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
	lazyRegexps = append(lazyRegexps, f)
	return f
}
