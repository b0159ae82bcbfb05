package summarize

import (
	"context"
	"testing"
)

// BenchmarkSummarize measures extractive summaries of the development
// articles (cleaning, splitting, ranking) on one goroutine; the issue asks
// for at least 500 articles/s per core.
func BenchmarkSummarize(b *testing.B) {
	pairs := devPairs(b)
	s := New(Options{})
	ctx := context.Background()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		p := pairs[n%len(pairs)]
		if _, err := s.Summarize(ctx, Article{Title: p.Title, Text: p.Article}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkClean measures the cleaner alone on the development articles.
func BenchmarkClean(b *testing.B) {
	pairs := devPairs(b)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		Clean(pairs[n%len(pairs)].Article)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "articles/s")
}
