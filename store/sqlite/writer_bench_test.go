//go:build unix

package sqlite

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// BenchmarkPollWrites paces polls as 10,000 feeds on a 2-minute interval
// make them (about 83 a second, 16 under way at once) through the store's
// two writes a poll: the lease claim and a not-modified record that keeps
// the lease. It reports the process's CPU per poll and transactions per
// poll, one write a transaction (as before group commit) beside grouped,
// in the same run:
//
//	go test ./store/sqlite -run '^$' -bench PollWrites -benchtime 2000x -count 3
func BenchmarkPollWrites(b *testing.B) {
	for _, tc := range []struct {
		name  string
		limit int
	}{{"one-per-transaction", 1}, {"grouped", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			s := benchStore(b)
			s.groupLimit = tc.limit
			const sources, workers = 1000, 16
			const every = 2 * time.Minute / 10000
			ctx := b.Context()
			for i := range sources {
				if err := s.EnsureSource(ctx, fmt.Sprintf("s%d", i), fmt.Sprintf("https://s%d.example/feed", i)); err != nil {
					b.Fatal(err)
				}
			}
			ticks := make(chan int)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for i := range ticks {
						name := fmt.Sprintf("s%d", i%sources)
						now := time.Now()
						if _, _, err := s.Lease(ctx, "poll:"+name, "bench", now, now.Add(time.Minute)); err != nil {
							b.Error(err)
						}
						keep := store.LeaseKeep{Name: "poll:" + name, Owner: "bench", Until: now.Add(2 * time.Minute)}
						if _, err := s.RecordPoll(ctx, name, store.Poll{At: now, NotModified: true, ETag: `"e"`, Keep: keep}); err != nil {
							b.Error(err)
						}
					}
				})
			}
			tx0, cpu0 := s.txCount.Load(), processCPU(b)
			b.ResetTimer()
			tick := time.NewTicker(every)
			for i := range b.N {
				<-tick.C
				ticks <- i
			}
			tick.Stop()
			close(ticks)
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/poll")
			b.ReportMetric(float64(s.txCount.Load()-tx0)/float64(b.N), "tx/poll")
		})
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
