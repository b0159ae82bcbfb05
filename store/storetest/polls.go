package storetest

import (
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

func (s *suite) pollTests() []test {
	return []test{
		{"a poll's interval and reason are kept until a poll carries new ones", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			if src := source(t, st, "src"); src.PollInterval != 0 || src.PollReason != "" {
				t.Errorf("before any poll: interval %v (%q), want none", src.PollInterval, src.PollReason)
			}
			poll(t, st, "src", store.Poll{At: at(time.Second), Interval: 45 * time.Second, IntervalReason: "adaptive, 96 items/day"})
			poll(t, st, "src", store.Poll{At: at(2 * time.Second), NotModified: true})
			if src := source(t, st, "src"); src.PollInterval != 45*time.Second || src.PollReason != "adaptive, 96 items/day" {
				t.Errorf("after a poll without one: interval %v (%q), want the stored 45s", src.PollInterval, src.PollReason)
			}
			poll(t, st, "src", store.Poll{At: at(3 * time.Second), NotModified: true, Interval: time.Hour, IntervalReason: "RSS ttl 1h"})
			if src := source(t, st, "src"); src.PollInterval != time.Hour || src.PollReason != "RSS ttl 1h" {
				t.Errorf("after a 304 carrying one: interval %v (%q), want 1h", src.PollInterval, src.PollReason)
			}
		}},
		{"the first poll stores items and primes the source", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			a, b, c, d := newItem("src", "a", "https://src.example/a"), newItem("", "b", "https://src.example/b"),
				newItem("src", "c", "https://src.example/c"), newItem("src", "d", "")
			d.Fetched = time.Time{} // takes the poll's time
			pollAt := at(time.Second)
			got := poll(t, st, "src", store.Poll{
				At: pollAt, ETag: `W/"abc"`, LastModified: "Fri, 14 Mar 2025 09:26:00 GMT",
				Items: []store.NewItem{{Item: a}, {Item: b, Pending: true}, {Item: c}, {Item: d, Pending: true}},
			})
			// Pending first, then seen, each in input order.
			wantKeys(t, "inserted", got, "b", "d", "a", "c")
			b.Source = "src"
			d.Fetched = pollAt
			ids := map[int64]bool{}
			for i, want := range []story.Item{b, d, a, c} {
				if i < len(got) {
					s.checkItem(t, want, got[i])
					ids[got[i].ID] = true
				}
			}
			if len(ids) != 4 {
				t.Errorf("IDs %v are not distinct", ids)
			}

			src := source(t, st, "src")
			if !src.Primed || src.ETag != `W/"abc"` || src.LastModified != "Fri, 14 Mar 2025 09:26:00 GMT" || src.ItemsSeen != 4 || src.Failures != 0 {
				t.Errorf("source after first poll: %+v; want primed, validators stored, ItemsSeen 4", src)
			}
			s.checkTime(t, "LastPoll", pollAt, src.LastPoll)
			s.checkTime(t, "LastSuccess", pollAt, src.LastSuccess)

			// Only pending items enter the pipeline, and they read back as written.
			pend := pendingItems(t, st)
			wantKeys(t, "PendingItems", pend, "b", "d")
			for i := range min(len(pend), 2) {
				s.checkItem(t, got[i], pend[i])
			}
			if si := byLink(t, st, "https://src.example/a"); si.State != store.ItemSeen || si.Decision != nil {
				t.Errorf("backlog item: State %q, Decision %v; want seen, nil", si.State, si.Decision)
			}
		}},
		{"items round-trip exactly", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			tehran := time.FixedZone("IRST", 3*3600+1800)
			it := story.Item{
				Source:      "src",
				Key:         "tag:src.example,2025:ایران/42",
				GUID:        "tag:src.example,2025:ایران/42",
				Link:        "https://src.example/fa/news/42?id=7",
				Title:       "گفت\u200cوگوهای هسته\u200cای «غیرمستقیم» در مسقط",
				Description: "Quotes \"double\", 'single', back\\slash, NUL-free, 100% ; DROP TABLE items; --",
				Content:     "Line one.\n\nLine two with emoji 🕊️ and RTL \u200fmark.",
				Author:      "O'Brien",
				Language:    "fa",
				Published:   time.Date(2025, 3, 14, 12, 56, 53, 123456789, tehran),
				Fetched:     time.Date(2025, 3, 14, 9, 27, 0, 1, time.UTC),
			}
			got := poll(t, st, "src", store.Poll{At: t0, Items: pending(it)})
			if len(got) != 1 {
				t.Fatalf("inserted %d items, want 1", len(got))
			}
			s.checkItem(t, it, got[0])
			pend := pendingItems(t, st)
			if len(pend) != 1 {
				t.Fatalf("%d pending items, want 1", len(pend))
			}
			s.checkItem(t, it, pend[0])
			s.checkItem(t, it, byLink(t, st, it.Link).Item)
		}},
		{"an item already stored under its key is not new", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			items := pending(newItem("src", "a", "https://src.example/a"), newItem("src", "b", "https://src.example/b"))
			poll(t, st, "src", store.Poll{Items: items})
			// Same keys, even with an edited title and a new link, and even as backlog.
			again := pending(newItem("src", "a", "https://src.example/a"), newItem("src", "b", "https://src.example/b-updated"))
			again[0].Title = "Edited headline"
			if got := poll(t, st, "src", store.Poll{At: at(time.Minute), Items: again}); len(got) != 0 {
				t.Errorf("re-poll inserted %q, want nothing", keys(got))
			}
			if got := poll(t, st, "src", store.Poll{At: at(2 * time.Minute), Items: seen(items[0].Item)}); len(got) != 0 {
				t.Errorf("re-poll as seen inserted %q, want nothing", keys(got))
			}
			if n := source(t, st, "src").ItemsSeen; n != 2 {
				t.Errorf("ItemsSeen = %d, want 2", n)
			}
			pend := pendingItems(t, st)
			wantKeys(t, "PendingItems", pend, "a", "b")
			if len(pend) > 0 && pend[0].Title != items[0].Title {
				t.Errorf("stored title changed to %q by a duplicate", pend[0].Title)
			}
		}},
		{"an item under a new key with a known link is not new", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			poll(t, st, "src", store.Poll{Items: pending(newItem("src", "guid-1", "https://src.example/story"))})
			got := poll(t, st, "src", store.Poll{At: at(time.Minute), Items: pending(
				newItem("src", "guid-2", "https://src.example/story"), // GUID changed, same article
				newItem("src", "guid-3", "https://src.example/other"),
			)})
			wantKeys(t, "inserted", got, "guid-3")
			if si := byLink(t, st, "https://src.example/story"); si.Key != "guid-1" {
				t.Errorf("link now belongs to key %q, want the original guid-1", si.Key)
			}
		}},
		{"the same key or link in another source is a separate item", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "reuters", "apnews")
			poll(t, st, "reuters", store.Poll{Items: pending(newItem("reuters", "k", "https://wire.example/story"))})
			got := poll(t, st, "apnews", store.Poll{Items: pending(newItem("apnews", "k", "https://wire.example/story"))})
			wantKeys(t, "inserted into the second source", got, "k")
			if len(got) == 1 && got[0].Source != "apnews" {
				t.Errorf("inserted item's Source = %q, want apnews", got[0].Source)
			}
			if n := len(pendingItems(t, st)); n != 2 {
				t.Errorf("%d pending items, want 2", n)
			}
		}},
		{"duplicates within one poll keep the first", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			first := newItem("src", "k", "https://src.example/1")
			first.Title = "first"
			sameKey := newItem("src", "k", "https://src.example/2")
			sameLink := newItem("src", "k2", "https://src.example/1")
			got := poll(t, st, "src", store.Poll{Items: pending(first, sameKey, sameLink)})
			wantKeys(t, "inserted", got, "k")
			if len(got) == 1 && got[0].Title != "first" {
				t.Errorf("kept %q, want the first", got[0].Title)
			}
			if n := source(t, st, "src").ItemsSeen; n != 1 {
				t.Errorf("ItemsSeen = %d, want 1", n)
			}
		}},
		{"link-less items are told apart by key", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			got := poll(t, st, "src", store.Poll{Items: pending(newItem("src", "h1", ""), newItem("src", "h2", ""))})
			wantKeys(t, "inserted", got, "h1", "h2")
			got = poll(t, st, "src", store.Poll{At: at(time.Minute), Items: pending(newItem("src", "h1", ""), newItem("src", "h3", ""))})
			wantKeys(t, "inserted on re-poll", got, "h3")
			_, err := st.ItemByLink(t.Context(), "")
			wantNotFound(t, `ItemByLink("")`, err)
		}},
		{"validators follow 200s and 304s", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			poll(t, st, "src", store.Poll{At: t0, ETag: `"v1"`, LastModified: "lm1", Items: seen(newItem("src", "a", "https://src.example/a"))})
			if _, err := st.RecordFailure(t.Context(), "src", at(time.Minute), "HTTP 502"); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name           string
				p              store.Poll
				etag, modified string
			}{
				{"304 without validators keeps them", store.Poll{NotModified: true}, `"v1"`, "lm1"},
				{"304 with a new ETag updates it", store.Poll{NotModified: true, ETag: `"v2"`}, `"v2"`, "lm1"},
				{"200 with new validators replaces them", store.Poll{ETag: `"v3"`, LastModified: "lm3"}, `"v3"`, "lm3"},
				{"200 without validators clears them", store.Poll{}, "", ""},
			}
			for i, step := range steps {
				step.p.At = at(time.Duration(i+2) * time.Minute)
				if got := poll(t, st, "src", step.p); len(got) != 0 {
					t.Errorf("%s: inserted %q", step.name, keys(got))
				}
				src := source(t, st, "src")
				if src.ETag != step.etag || src.LastModified != step.modified {
					t.Errorf("%s: ETag %q, LastModified %q; want %q, %q", step.name, src.ETag, src.LastModified, step.etag, step.modified)
				}
				if src.Failures != 0 || !src.Primed || src.ItemsSeen != 1 || src.LastError != "HTTP 502" {
					t.Errorf("%s: %+v; want no failures, primed, ItemsSeen 1, LastError kept", step.name, src)
				}
				s.checkTime(t, step.name+": LastSuccess", step.p.At, src.LastSuccess)
			}
		}},
		{"a 304 carrying items is refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			_, err := st.RecordPoll(t.Context(), "src", store.Poll{At: t0, NotModified: true, Items: pending(newItem("src", "a", "https://src.example/a"))})
			if err == nil {
				t.Error("RecordPoll accepted a not-modified poll with items")
			}
			if n := len(pendingItems(t, st)); n != 0 {
				t.Errorf("%d items stored", n)
			}
		}},
		{"item lag comes from the newest new pending item", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			mk := func(key string, published, fetched time.Duration) story.Item {
				it := newItem("src", key, "https://src.example/"+key)
				it.Published, it.Fetched = at(published), at(fetched)
				return it
			}
			steps := []struct {
				name  string
				items []store.NewItem
				lag   time.Duration
			}{
				{"backlog only: no lag yet", seen(mk("old", -48*time.Hour, 0)), 0},
				{"newest pending item decides", append(pending(mk("p1", -10*time.Minute, 0), mk("p2", -5*time.Minute, time.Second), mk("p0", -20*time.Minute, 0)),
					seen(mk("s1", -time.Minute, 0))...), 5*time.Minute + time.Second},
				{"nothing new keeps the last lag", pending(mk("p1", -10*time.Minute, 0)), 5*time.Minute + time.Second},
				{"seen items do not change it", seen(mk("s2", -time.Second, 0)), 5*time.Minute + time.Second},
				{"a publisher clock ahead of ours counts as no lag", pending(mk("future", 3*time.Minute, 0)), 0},
			}
			for i, step := range steps {
				poll(t, st, "src", store.Poll{At: at(time.Duration(i) * time.Hour), Items: step.items})
				if got := source(t, st, "src").LastItemLag; got != step.lag {
					t.Errorf("%s: LastItemLag = %v, want %v", step.name, got, step.lag)
				}
			}
		}},
		{"a poll with a bad item stores nothing", func(t *testing.T) {
			for _, bad := range []struct {
				name string
				item story.Item
			}{
				{"empty key", newItem("src", "", "https://src.example/bad")},
				{"another source's item", newItem("other", "k", "https://other.example/k")},
			} {
				t.Run(bad.name, func(t *testing.T) {
					st, _ := s.fresh(t)
					ensure(t, st, "src", "other")
					good := newItem("src", "good", "https://src.example/good")
					if _, err := st.RecordPoll(t.Context(), "src", store.Poll{At: t0, ETag: `"x"`, Items: pending(good, bad.item)}); err == nil {
						t.Fatalf("RecordPoll accepted an item with %s", bad.name)
					}
					if src := source(t, st, "src"); src.Primed || src.ItemsSeen != 0 || src.ETag != "" || !src.LastSuccess.IsZero() {
						t.Errorf("a failed RecordPoll changed the source: %+v", src)
					}
					if n := len(pendingItems(t, st)); n != 0 {
						t.Errorf("a failed RecordPoll stored %d items", n)
					}
					wantKeys(t, "the good item alone", poll(t, st, "src", store.Poll{Items: pending(good)}), "good")
				})
			}
		}},
		{"a cancelled context stores nothing", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			_, err := st.RecordPoll(cancelled(t), "src", store.Poll{At: t0, Items: pending(newItem("src", "a", "https://src.example/a"))})
			if err == nil {
				t.Error("RecordPoll with a cancelled context succeeded")
			}
			if n := len(pendingItems(t, st)); n != 0 {
				t.Errorf("%d items stored", n)
			}
		}},
	}
}
