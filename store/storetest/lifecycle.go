package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

func (s *suite) lifecycleTests() []test {
	return []test{
		{"everything survives a reopen and nothing is new again", func(t *testing.T) {
			st, open := s.fresh(t)
			ensure(t, st, "src", "down")
			items := []story.Item{newItem("src", "a", "https://src.example/a"), newItem("src", "b", "https://src.example/b"), newItem("src", "c", "")}
			ins := poll(t, st, "src", store.Poll{At: t0, ETag: `"e"`, LastModified: "lm",
				Items: append(pending(items[0], items[1]), seen(items[2])...)})
			d := store.Decision{Relevant: true, Score: 0.9, Subtopics: []string{"gaza-ceasefire"}, Reasons: []string{"ceasefire"}, Summary: "S.", At: at(time.Minute)}
			if err := st.CompleteItem(t.Context(), ins[0].ID, d); err != nil {
				t.Fatal(err)
			}
			if _, err := st.RecordFailure(t.Context(), "down", at(time.Minute), "HTTP 404"); err != nil {
				t.Fatal(err)
			}
			sources, err := st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			pend := pendingItems(t, st)
			if err := st.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}

			st = s.open(t, open)
			after, err := st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(after, sources, func(a, b store.SourceState) bool { return s.sameSource(a, b) }) {
				t.Errorf("sources after reopen:\n got %+v\nwant %+v", after, sources)
			}
			gotPend := pendingItems(t, st)
			wantKeys(t, "pending after reopen", gotPend, keys(pend)...)
			for i := range min(len(gotPend), len(pend)) {
				s.checkItem(t, pend[i], gotPend[i])
			}
			done := byLink(t, st, "https://src.example/a")
			if done.State != store.ItemDone {
				t.Errorf("completed item is %q after reopen", done.State)
			}
			s.checkDecision(t, d, done.Decision)

			// A restart polls the same feed again: nothing is emitted twice.
			if got := poll(t, st, "src", store.Poll{At: at(time.Hour), Items: pending(items...)}); len(got) != 0 {
				t.Errorf("re-poll after reopen inserted %q", keys(got))
			}
		}},
		{"ping works until close, and close is idempotent", func(t *testing.T) {
			st, _ := s.fresh(t)
			if err := st.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			if err := st.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := st.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := st.Ping(t.Context()); err == nil {
				t.Error("Ping after Close succeeded")
			}
			if err := st.EnsureSource(t.Context(), "x", "https://x.example/"); err == nil {
				t.Error("EnsureSource after Close succeeded")
			}
		}},
	}
}

func (s *suite) sameSource(a, b store.SourceState) bool {
	ta := []time.Time{a.LastPoll, a.LastSuccess, a.LastErrorAt}
	tb := []time.Time{b.LastPoll, b.LastSuccess, b.LastErrorAt}
	a.LastPoll, a.LastSuccess, a.LastErrorAt = time.Time{}, time.Time{}, time.Time{}
	b.LastPoll, b.LastSuccess, b.LastErrorAt = time.Time{}, time.Time{}, time.Time{}
	return a == b && slices.EqualFunc(ta, tb, s.sameTime)
}

func (s *suite) concurrencyTests() []test {
	return []test{
		{"concurrent polls, failures and reads are exact", func(t *testing.T) {
			st, _ := s.fresh(t)
			const (
				sources   = 4
				pollers   = 4 // per source, polling the same feed
				rounds    = 15
				perRound  = 3 // items shared by every poller of a source
				ownPerRnd = 1 // items only one poller sees
				failers   = 4
				failEach  = 10
			)
			var names []string
			for i := range sources {
				names = append(names, fmt.Sprintf("src%02d", i))
			}
			ensure(t, st, append(names, "failing")...)

			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				inserted = map[string]map[string]int{} // source → key → times inserted
				counts   []int
				errs     []string
			)
			fail := func(format string, args ...any) {
				mu.Lock()
				errs = append(errs, fmt.Sprintf(format, args...))
				mu.Unlock()
			}
			// Every inner map exists before any goroutine reads the outer one.
			for _, src := range names {
				inserted[src] = map[string]int{}
			}
			for _, src := range names {
				for p := range pollers {
					wg.Go(func() {
						for r := range rounds {
							var items []story.Item
							for j := range perRound {
								items = append(items, newItem(src, fmt.Sprintf("shared-%d-%d", r, j), fmt.Sprintf("https://%s.example/%d/%d", src, r, j)))
							}
							for j := range ownPerRnd {
								items = append(items, newItem(src, fmt.Sprintf("own-%d-%d-%d", p, r, j), ""))
							}
							got, err := st.RecordPoll(t.Context(), src, store.Poll{At: at(time.Duration(r) * time.Minute), ETag: fmt.Sprint(r), Items: pending(items...)})
							if err != nil {
								fail("RecordPoll(%s): %v", src, err)
								return
							}
							mu.Lock()
							for _, it := range got {
								inserted[src][it.Key]++
							}
							mu.Unlock()
						}
					})
				}
			}
			for range failers {
				wg.Go(func() {
					for i := range failEach {
						n, err := st.RecordFailure(t.Context(), "failing", at(time.Duration(i)*time.Second), "HTTP 503")
						if err != nil {
							fail("RecordFailure: %v", err)
							return
						}
						mu.Lock()
						counts = append(counts, n)
						mu.Unlock()
					}
				})
			}
			// Commands reading while the pollers write.
			for r := range 4 {
				wg.Go(func() {
					for i := range rounds * 2 {
						if _, err := st.Sources(t.Context()); err != nil {
							fail("Sources: %v", err)
							return
						}
						if _, err := st.PendingItems(t.Context(), 50); err != nil {
							fail("PendingItems: %v", err)
							return
						}
						_, err := st.ItemByLink(t.Context(), fmt.Sprintf("https://%s.example/%d/0", names[r], i%rounds))
						if err != nil && !isNotFound(err) {
							fail("ItemByLink: %v", err)
							return
						}
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				t.Error(err)
			}
			if t.Failed() {
				return
			}

			wantPerSource := rounds * (perRound + pollers*ownPerRnd)
			total := 0
			for _, src := range names {
				if n := len(inserted[src]); n != wantPerSource {
					t.Errorf("%s: %d distinct items inserted, want %d", src, n, wantPerSource)
				}
				for k, n := range inserted[src] {
					if n != 1 {
						t.Errorf("%s: item %q inserted %d times", src, k, n)
					}
				}
				if got := source(t, st, src).ItemsSeen; got != int64(wantPerSource) {
					t.Errorf("%s: ItemsSeen = %d, want %d", src, got, wantPerSource)
				}
				total += wantPerSource
			}
			if n := len(pendingItems(t, st)); n != total {
				t.Errorf("%d pending items, want %d", n, total)
			}

			slices.Sort(counts)
			for i, n := range counts {
				if n != i+1 {
					t.Errorf("failure counts returned %v, want each of 1..%d once", counts, failers*failEach)
					break
				}
			}
			if got := source(t, st, "failing").Failures; got != failers*failEach {
				t.Errorf("Failures = %d, want %d", got, failers*failEach)
			}
		}},
	}
}
