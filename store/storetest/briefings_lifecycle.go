package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// handles opens n stores on one database: st and n-1 more handles, like
// several briefbot processes sharing it.
func (s *suite) handles(t *testing.T, st store.Store, open Opener, n int) []store.Store {
	t.Helper()
	out := []store.Store{st}
	for len(out) < n {
		out = append(out, s.open(t, open))
	}
	return out
}

func (s *suite) briefingConcurrencyTests() []test {
	return []test{
		{"concurrent claimers get each delivery exactly once", func(t *testing.T) {
			st, open := s.fresh(t)
			const channels, storiesN, workers = 3, 20, 8
			for c := range channels {
				subscribe(t, st, realtime(fmt.Sprint("c", c), topicGaza))
			}
			for i := range storiesN {
				newStory(t, st, fmt.Sprint("s", i), at(time.Duration(i)*time.Second), topicGaza)
			}
			stores := s.handles(t, st, open, 2)
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				claimed = map[int64]int{}
				errs    []error
			)
			for w := range workers {
				wg.Go(func() {
					h := stores[w%len(stores)]
					for {
						// A fixed now and a long lease: nothing expires, so
						// a second claim of any row would be a bug.
						ds, err := h.ClaimDeliveries(t.Context(), fmt.Sprint("worker-", w), at(time.Hour), time.Hour, 3)
						if err == nil {
							for _, d := range ds {
								if err = h.DeliverySent(t.Context(), d.ID, fmt.Sprint("m", d.ID), at(time.Hour)); err != nil {
									break
								}
							}
						}
						mu.Lock()
						if err != nil {
							errs = append(errs, err)
						}
						for _, d := range ds {
							claimed[d.ID]++
						}
						mu.Unlock()
						if err != nil || len(ds) == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				t.Error(err)
			}
			if len(claimed) != channels*storiesN {
				t.Errorf("%d distinct deliveries claimed, want %d", len(claimed), channels*storiesN)
			}
			for id, n := range claimed {
				if n != 1 {
					t.Errorf("delivery %d claimed %d times", id, n)
				}
			}
		}},
		{"a digest slot fires once however many instances try", func(t *testing.T) {
			st, open := s.fresh(t)
			sub := subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}})
			a := newStory(t, st, "a", t0, topicGaza)
			stores := s.handles(t, st, open, 2)
			results := make([]bool, 12)
			errs := make([]error, len(results))
			var wg sync.WaitGroup
			for i := range results {
				wg.Go(func() {
					results[i], errs[i] = stores[i%len(stores)].EnqueueDigest(t.Context(), sub.ID, at(24*time.Hour), []int64{a})
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if n := count(results); n != 1 {
				t.Errorf("%d callers enqueued the slot, want exactly 1", n)
			}
			one(t, "digests queued", claim(t, st, at(25*time.Hour)))
		}},
		{"an interaction is answered once however many handlers race", func(t *testing.T) {
			st, open := s.fresh(t)
			stores := s.handles(t, st, open, 2)
			results := make([]bool, 16)
			errs := make([]error, len(results))
			var wg sync.WaitGroup
			for i := range results {
				wg.Go(func() {
					results[i], errs[i] = stores[i%len(stores)].ClaimInteraction(t.Context(), "interaction-1", t0)
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if n := count(results); n != 1 {
				t.Errorf("%d handlers claimed the interaction, want exactly 1", n)
			}
		}},
		{"commands read while the pipeline writes", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			wg.Go(func() {
				for i := range 15 {
					it := record(t, st, article("wire", fmt.Sprint("k", i), fmt.Sprint("Ceasefire talks round ", i), t0))
					if err := st.CompleteItem(t.Context(), it.ID, relevantDecision(at(time.Duration(i)*time.Second), "Talks.", topicGaza)); err != nil {
						errs <- err
						return
					}
				}
			})
			for range 3 {
				wg.Go(func() {
					for range 15 {
						for _, q := range []store.StoryQuery{{Limit: 5}, {Topic: topicGaza, Limit: 5}, {Text: "ceasefire talks", Limit: 5}} {
							got, err := st.Stories(t.Context(), q)
							if err != nil {
								errs <- err
								return
							}
							for _, story := range got {
								if len(story.Sources) != 1 {
									errs <- fmt.Errorf("story %d read with %d sources, want 1", story.ID, len(story.Sources))
									return
								}
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := stories(t, st, store.StoryQuery{Limit: 100}); len(got) != 15 {
				t.Errorf("%d stories, want 15", len(got))
			}
		}},
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func (s *suite) briefingLifecycleTests() []test {
	return []test{
		{"stories, subscriptions, deliveries and interactions survive a reopen", func(t *testing.T) {
			st, open := s.fresh(t)
			sub := subscribe(t, st, realtime("c1", topicGaza))
			dg := subscribe(t, st, store.Subscription{ChannelID: "c2", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00", "20:00"}, Timezone: "Asia/Tehran"})
			a := newStory(t, st, "a", at(time.Minute), topicGaza)
			b := newStory(t, st, "b", at(2*time.Minute), topicGaza)
			ds := claim(t, st, at(2*time.Minute))
			if len(ds) != 2 {
				t.Fatalf("claimed %q, want 2", owed(ds))
			}
			sent(t, st, ds[0])
			if err := st.DeliveryRetry(t.Context(), ds[1].ID, at(time.Hour), "HTTP 502"); err != nil {
				t.Fatal(err)
			}
			if ok, err := st.EnqueueDigest(t.Context(), dg.ID, at(12*time.Hour), []int64{a, b}); err != nil || !ok {
				t.Fatalf("EnqueueDigest = %v, %v", ok, err)
			}
			if ok, err := st.ClaimInteraction(t.Context(), "i-1", t0); err != nil || !ok {
				t.Fatalf("ClaimInteraction = %v, %v", ok, err)
			}
			storiesBefore := stories(t, st, store.StoryQuery{Limit: 10})
			subsBefore := subscriptions(t, st, store.SubscriptionFilter{})
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			st = s.open(t, open)
			after := stories(t, st, store.StoryQuery{Limit: 10})
			if !slices.Equal(storyIDs(after), []int64{b, a}) || len(after[0].Sources) != 1 || after[0].Headline != storiesBefore[0].Headline {
				t.Errorf("stories after reopen: %+v\nwant %+v", after, storiesBefore)
			}
			if got := stories(t, st, store.StoryQuery{Text: "headline", Limit: 10}); len(got) != 2 {
				t.Errorf("search after reopen found %d stories, want 2", len(got))
			}
			subsAfter := subscriptions(t, st, store.SubscriptionFilter{})
			if len(subsAfter) != len(subsBefore) || subsAfter[0].ID != sub.ID || !slices.Equal(subsAfter[1].DigestTimes, dg.DigestTimes) {
				t.Errorf("subscriptions after reopen: %+v\nwant %+v", subsAfter, subsBefore)
			}
			s.checkTime(t, "LastDigest after reopen", at(12*time.Hour), subsAfter[1].LastDigest)
			if ok, err := st.ClaimInteraction(t.Context(), "i-1", at(time.Minute)); err != nil || ok {
				t.Errorf("ClaimInteraction after reopen = %v, %v; want false", ok, err)
			}
			// The retried delivery and the digest are still owed; the sent
			// one is not.
			got := claim(t, st, at(13*time.Hour))
			wantOwed(t, "after reopen", got,
				fmt.Sprintf("%s/gaza:story%v", ds[1].ChannelID, ds[1].StoryIDs),
				fmt.Sprintf("c2/gaza:digest[%d %d]", a, b))
			for _, d := range got {
				if d.ID == ds[1].ID && (d.Attempts != 2 || d.LastError != "HTTP 502") {
					t.Errorf("retried delivery after reopen = %+v, want attempt 2 with LastError HTTP 502", d)
				}
			}
		}},
	}
}
