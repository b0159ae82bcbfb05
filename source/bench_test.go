package source

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func loadRealFeeds(b *testing.B) (docs [][]byte, total int64) {
	b.Helper()
	for _, name := range realFeeds(b) {
		body, err := os.ReadFile(filepath.Join(feedsDir, name))
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, body)
		total += int64(len(body))
	}
	return docs, total
}

func rawGofeed(b *testing.B, docs [][]byte) {
	for _, d := range docs {
		if _, err := gofeed.NewParser().Parse(bytes.NewReader(d)); err != nil {
			b.Fatal(err)
		}
	}
}

func parseAndNormalize(b *testing.B, docs [][]byte, fetched time.Time) {
	for _, d := range docs {
		doc, err := Parse(d, "", "https://feeds.example.org/x")
		if err != nil {
			b.Fatal(err)
		}
		_ = Normalize(doc.Feed, Feed{Name: "bench"}, "https://feeds.example.org/x", fetched)
	}
}

// BenchmarkFeeds measures throughput over every real feed document: raw
// gofeed parsing, and briefbot's Parse + Normalize of the same documents.
// Compare the two MB/s figures; BenchmarkFeedsOverhead reports the ratio.
func BenchmarkFeeds(b *testing.B) {
	docs, total := loadRealFeeds(b)
	b.Run("gofeed", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			rawGofeed(b, docs)
		}
	})
	b.Run("parse+normalize", func(b *testing.B) {
		b.SetBytes(total)
		b.ReportAllocs()
		for b.Loop() {
			parseAndNormalize(b, docs, goldenFetchTime)
		}
	})
}

// BenchmarkFeedsOverhead runs both in the same loop, interleaved so that
// machine load affects them alike, and reports parse+normalize time over
// raw gofeed time as "overhead-x" (the target is under 1.5).
func BenchmarkFeedsOverhead(b *testing.B) {
	docs, total := loadRealFeeds(b)
	b.SetBytes(total)
	var raw, ours time.Duration
	for b.Loop() {
		t0 := time.Now()
		rawGofeed(b, docs)
		t1 := time.Now()
		parseAndNormalize(b, docs, goldenFetchTime)
		ours += time.Since(t1)
		raw += t1.Sub(t0)
	}
	b.ReportMetric(float64(ours)/float64(raw), "overhead-x")
	b.ReportMetric(float64(total)*float64(b.N)/raw.Seconds()/1e6, "gofeed-MB/s")
	b.ReportMetric(float64(total)*float64(b.N)/ours.Seconds()/1e6, "briefbot-MB/s")
}

// BenchmarkShapeCheckOverhead times the pre-parse shape check against raw
// gofeed on the same real documents, interleaved in one loop, and reports
// check time over gofeed time as "shape-x" (part of Parse's budget against
// gofeed; BenchmarkFeedsOverhead includes it).
func BenchmarkShapeCheckOverhead(b *testing.B) {
	docs, total := loadRealFeeds(b)
	b.SetBytes(total)
	var raw, check time.Duration
	for b.Loop() {
		t0 := time.Now()
		rawGofeed(b, docs)
		t1 := time.Now()
		for _, d := range docs {
			if err := checkShape(d); err != nil {
				b.Fatal(err)
			}
		}
		check += time.Since(t1)
		raw += t1.Sub(t0)
	}
	b.ReportMetric(float64(check)/float64(raw), "shape-x")
}

// BenchmarkFeedsOverheadPerDoc is BenchmarkFeedsOverhead document by
// document, interleaved the same way: it reports the worst document's
// ratio of median times as "worst-overhead-x" (the target is at most 1.5
// on every one) and logs each document's. Medians, because one GC or
// preemption during a small document's parse would swamp a sum.
func BenchmarkFeedsOverheadPerDoc(b *testing.B) {
	names := realFeeds(b)
	docs, total := loadRealFeeds(b)
	b.SetBytes(total)
	raw := make([][]time.Duration, len(docs))
	ours := make([][]time.Duration, len(docs))
	// Which of the two goes first alternates, so that a GC or a cold cache
	// after the previous document does not always fall on the same side.
	oursFirst := false
	timed := func(f func()) time.Duration {
		t0 := time.Now()
		f()
		return time.Since(t0)
	}
	for b.Loop() {
		for i, d := range docs {
			oursFirst = !oursFirst
			parse := func() { parseAndNormalize(b, [][]byte{d}, goldenFetchTime) }
			if oursFirst {
				ours[i] = append(ours[i], timed(parse))
			}
			raw[i] = append(raw[i], timed(func() { rawGofeed(b, docs[i:i+1]) }))
			if !oursFirst {
				ours[i] = append(ours[i], timed(parse))
			}
		}
	}
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2])
	}
	ratios := make([]float64, len(docs))
	var line strings.Builder // one line: go test truncates a benchmark's log at ten
	for i := range docs {
		ratios[i] = median(ours[i]) / median(raw[i])
		fmt.Fprintf(&line, "%s %.2f×; ", names[i], ratios[i])
	}
	b.Log(line.String())
	b.ReportMetric(slices.Max(ratios), "worst-overhead-x")
}
