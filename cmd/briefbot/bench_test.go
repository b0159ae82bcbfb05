package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store/sqlite"
)

// BenchmarkRunIdleMemory measures the live heap of `briefbot run` watching
// as many sources as the built-in list, once every source has been polled
// and the pipeline has gone idle, against the heap of the test process
// before the bot started (the baseline, measured in the same run). The
// resident set size is reported too: SQLite (modernc) allocates outside the
// Go heap. Feeds are the real documents in testdata/feeds, served locally.
func BenchmarkRunIdleMemory(b *testing.B) {
	docs, err := filepath.Glob("../../testdata/feeds/*.*")
	if err != nil || len(docs) == 0 {
		b.Fatalf("no feed documents: %v", err)
	}
	var feedDocs []string
	for _, d := range docs {
		if !strings.HasSuffix(d, ".md") {
			feedDocs = append(feedDocs, d)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join("../../testdata/feeds", filepath.Base(r.URL.Path)))
	}))
	defer srv.Close()

	for b.Loop() {
		base, baseRSS := liveHeap(), rss(b)
		dir := b.TempDir()
		var sb strings.Builder
		fmt.Fprintf(&sb, "log: {level: error}\ndatabase: {path: %s}\nadmin: {listen: \"\"}\npolling: {allow_private_networks: true, backfill: 5, interval: 30s}\nsources:\n", filepath.Join(dir, "bb.db"))
		defaults := source.DefaultFeeds()
		for i, f := range defaults {
			fmt.Fprintf(&sb, "  - name: %s\n    url: %s/%s\n", f.Name, srv.URL, filepath.Base(feedDocs[i%len(feedDocs)]))
		}
		cfg, err := config.Parse([]byte(sb.String()), "bench.yaml", nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv}
		go func() { done <- runBot(ctx, e, cfg, newLogger(io.Discard, "error", "json")) }()

		// Idle: every source polled, nothing pending. First polls are
		// spread over the interval (30s here), so all are in within 60s.
		st, err := sqlite.Open(ctx, filepath.Join(dir, "bb.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			srcs, err := st.Sources(ctx)
			polled := 0
			for _, s := range srcs {
				if !s.LastPoll.IsZero() || !s.LastErrorAt.IsZero() {
					polled++
				}
			}
			pending, _ := st.PendingItems(ctx, 1)
			if err == nil && polled == len(defaults) && len(pending) == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("sources not all polled within 60s (%d of %d)", polled, len(defaults))
			}
			time.Sleep(50 * time.Millisecond)
		}
		st.Close()
		idle, idleRSS := liveHeap(), rss(b)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(base)/(1<<20), "baseline-heap-MiB")
		b.ReportMetric(float64(idle)/(1<<20), "idle-heap-MiB")
		b.ReportMetric(float64(idle-base)/(1<<20), "bot-heap-MiB")
		b.ReportMetric(float64(idle)/float64(base), "idle/baseline")
		b.ReportMetric(float64(baseRSS)/(1<<20), "baseline-RSS-MiB")
		b.ReportMetric(float64(idleRSS)/(1<<20), "idle-RSS-MiB")
	}
}

// rss reads the process's resident set size from /proc (Linux).
func rss(b *testing.B) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status to read RSS from: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	b.Fatal("VmRSS not found in /proc/self/status")
	return 0
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
