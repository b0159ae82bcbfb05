package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) retentionTests() []test {
	return []test{
		{"MaxPending caps pending inserts and records the rest as seen", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			known := newItem("src", "known", "https://src.example/known")
			poll(t, st, "src", store.Poll{Items: pending(known)})
			items := []store.NewItem{{Item: known, Pending: true}}
			for i := range 40 {
				items = append(items, store.NewItem{Item: newItem("src", fmt.Sprint("k", i), fmt.Sprint("https://src.example/", i)), Pending: true})
			}
			items = append(items, store.NewItem{Item: newItem("src", "old", "https://src.example/old")})
			got := poll(t, st, "src", store.Poll{At: at(time.Minute), Items: items, MaxPending: 25})
			if len(got) != 41 {
				t.Fatalf("inserted %d items, want 41 (the known one skipped)", len(got))
			}
			// The known item takes no place: the first 25 new ones are pending.
			pend := pendingItems(t, st)
			if len(pend) != 26 {
				t.Fatalf("%d pending items, want 25 new plus the one from the first poll", len(pend))
			}
			for i := range 25 {
				if got[i].Key != fmt.Sprint("k", i) {
					t.Fatalf("inserted[%d] = %q, want k%d: pending ones first, in input order", i, got[i].Key, i)
				}
			}
			for _, n := range []int{25, 39} {
				if si := byLink(t, st, fmt.Sprint("https://src.example/", n)); si.State != store.ItemSeen {
					t.Errorf("item k%d: state %q, want seen past the cap", n, si.State)
				}
			}
			if src := source(t, st, "src"); src.ItemsSeen != 42 {
				t.Errorf("ItemsSeen = %d, want 42", src.ItemsSeen)
			}
		}},
		{"SetSourceWarning sets and clears the health warning", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			if err := st.SetSourceWarning(t.Context(), "src", "no items found", at(time.Hour)); err != nil {
				t.Fatal(err)
			}
			src := source(t, st, "src")
			if src.Warning != "no items found" {
				t.Errorf("Warning = %q", src.Warning)
			}
			s.checkTime(t, "WarningAt", at(time.Hour), src.WarningAt)
			// A poll leaves it: the poller decides when it is over.
			poll(t, st, "src", store.Poll{At: at(2 * time.Hour)})
			if src := source(t, st, "src"); src.Warning != "no items found" {
				t.Errorf("after a poll Warning = %q", src.Warning)
			}
			if err := st.SetSourceWarning(t.Context(), "src", "", at(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if src := source(t, st, "src"); src.Warning != "" || !src.WarningAt.IsZero() {
				t.Errorf("after clearing: %q at %v", src.Warning, src.WarningAt)
			}
			wantNotFound(t, "SetSourceWarning(unknown)", st.SetSourceWarning(t.Context(), "nope", "x", t0))
		}},
		{"Prune deletes old stories and deliveries but never forgets an item", func(t *testing.T) {
			st, _ := s.fresh(t)
			ctx := t.Context()
			subscribe(t, st, realtime("chan-1", topicDiplomacy))
			day := 24 * time.Hour
			oldID := newStory(t, st, "old", at(time.Minute), topicDiplomacy)
			newID := newStory(t, st, "new", at(200*day), topicDiplomacy)
			sent(t, st, claim(t, st, at(201*day))...)
			pendingIt := record(t, st, article("wire", "still-pending", "Pending", at(-time.Hour)))
			if err := st.CacheSummary(ctx, "old-summary", "x", at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := st.CacheSummary(ctx, "new-summary", "y", at(200*day)); err != nil {
				t.Fatal(err)
			}
			arts, _ := st.(store.ItemArticles)
			for _, a := range []store.ItemArticle{
				{Link: "https://wire.example/old-page", From: store.FromArticle, Words: 2, Text: "Old text.", At: at(time.Minute)},
				{Link: "https://wire.example/new-page", From: store.FromArticle, Words: 2, Text: "New text.", At: at(200 * day)},
			} {
				if arts == nil {
					t.Fatalf("%T does not implement store.ItemArticles", st)
				}
				if err := arts.SaveItemArticle(ctx, a); err != nil {
					t.Fatal(err)
				}
			}

			r := store.Retention{StoriesBefore: at(20 * day), DeliveriesBefore: at(20 * day)}
			got, err := st.Prune(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.Stories != 1 || got.Deliveries != 1 || got.Summaries != 1 || got.Articles != 1 || got.ItemsStripped < 1 {
				t.Errorf("Pruned = %+v, want 1 story, 1 delivery, 1 summary, 1 article page and the old item stripped", got)
			}
			if _, ok, _ := arts.ItemArticle(ctx, "https://wire.example/old-page"); ok {
				t.Error("the old article page survived")
			}
			if _, ok, _ := arts.ItemArticle(ctx, "https://wire.example/new-page"); !ok {
				t.Error("the recent article page was deleted")
			}
			if _, err := st.Story(ctx, oldID); err == nil {
				t.Error("the old story survived")
			}
			if _, err := st.Story(ctx, newID); err != nil {
				t.Errorf("the recent story: %v", err)
			}
			if _, ok, _ := st.CachedSummary(ctx, "old-summary"); ok {
				t.Error("the old cached summary survived")
			}
			if _, ok, _ := st.CachedSummary(ctx, "new-summary"); !ok {
				t.Error("the recent cached summary was deleted")
			}
			// The old item is still known, stripped: the same item polled
			// again, by key or by link, is never inserted, so never posted.
			old := byLink(t, st, "https://wire.example/old")
			if old.Title != "" || old.Description != "" || old.Content != "" || old.Author != "" || old.Key != "old" || old.Link != "https://wire.example/old" {
				t.Errorf("old item after prune: %+v; want its text stripped, its key and link kept", old.Item)
			}
			again := article("wire", "old", "Headline old", at(-time.Hour))
			byKey := again
			byKey.Link = "https://wire.example/moved"
			byLinkOnly := again
			byLinkOnly.Key = "new-key"
			if ins := poll(t, st, "wire", store.Poll{At: at(201 * day), Items: pending(byKey, byLinkOnly)}); len(ins) != 0 {
				t.Errorf("re-polled old item inserted as %q", keys(ins))
			}
			// A pending item keeps its text whatever its age.
			if p := byLink(t, st, pendingIt.Link); p.State != store.ItemPending || p.Content == "" {
				t.Errorf("pending item after prune: state %q, content %q", p.State, p.Content)
			}
			// The recent story's delivery was kept: completing another item
			// into it owes an edit, not a second post.
			if len(claim(t, st, at(202*day))) != 0 {
				t.Error("pruning made a delivery due")
			}
			// Pruning again finds nothing.
			if got, err := st.Prune(ctx, r); err != nil || got != (store.Pruned{}) {
				t.Errorf("second Prune = %+v, %v; want nothing", got, err)
			}
		}},
		{"Prune with zero cutoffs keeps everything", func(t *testing.T) {
			st, _ := s.fresh(t)
			id := newStory(t, st, "a", at(time.Minute), topicDiplomacy)
			if got, err := st.Prune(t.Context(), store.Retention{}); err != nil || got != (store.Pruned{}) {
				t.Errorf("Prune(zero) = %+v, %v", got, err)
			}
			if _, err := st.Story(t.Context(), id); err != nil {
				t.Errorf("story after Prune(zero): %v", err)
			}
		}},
		{"Prune removes old digest deliveries", func(t *testing.T) {
			st, _ := s.fresh(t)
			s.digestPruneCase(t, st)
		}},
	}
}

// digestPruneCase: an old sent digest is deleted, its stories are not (no
// story cutoff), and its slot never fires again.
func (s *suite) digestPruneCase(t *testing.T, st store.Store) {
	ctx := t.Context()
	sub := subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}, Since: t0})
	a := newStory(t, st, "a", at(time.Minute), topicGaza)
	slot := at(24 * time.Hour)
	if ok, err := st.EnqueueDigest(ctx, sub.ID, slot, []int64{a}); err != nil || !ok {
		t.Fatalf("EnqueueDigest = %v, %v", ok, err)
	}
	sent(t, st, one(t, "digest", claim(t, st, slot)))
	got, err := st.Prune(ctx, store.Retention{DeliveriesBefore: at(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Deliveries != 1 || got.Stories != 0 {
		t.Errorf("Pruned = %+v, want the one digest delivery", got)
	}
	if _, err := st.Story(ctx, a); err != nil {
		t.Errorf("story after pruning deliveries only: %v", err)
	}
	if ok, err := st.EnqueueDigest(ctx, sub.ID, slot, []int64{a}); err != nil || ok {
		t.Errorf("EnqueueDigest of the pruned slot = %v, %v; want false", ok, err)
	}
}
