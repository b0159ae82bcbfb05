package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

func (s *suite) itemTests() []test {
	decision := store.Decision{
		Relevant:  true,
		Score:     0.8734,
		Topics:    []string{"mideast-diplomacy"},
		Subtopics: []string{"iran-nuclear", "gulf"},
		Reasons:   []string{`"Araghchi"`, `"indirect talks"`, "Muscat"},
		Summary:   "Iranian and US envoys held a second round of indirect talks in Muscat.",
		At:        at(90 * time.Second),
	}
	return []test{
		{"pending items come oldest first, ties in recorded order, up to limit", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "a", "b")
			mk := func(src, key string, fetched time.Duration) story.Item {
				it := newItem(src, key, "https://"+src+".example/"+key)
				it.Fetched = at(fetched)
				return it
			}
			poll(t, st, "a", store.Poll{Items: append(pending(mk("a", "late", 2*time.Minute), mk("a", "tie1", time.Minute)),
				seen(mk("a", "backlog", -time.Hour))...)})
			poll(t, st, "b", store.Poll{Items: pending(mk("b", "tie2", time.Minute), mk("b", "early", 0))})

			wantKeys(t, "PendingItems(100)", pendingItems(t, st), "early", "tie1", "tie2", "late")
			got, err := st.PendingItems(t.Context(), 2)
			if err != nil {
				t.Fatal(err)
			}
			wantKeys(t, "PendingItems(2)", got, "early", "tie1")
			for _, limit := range []int{0, -1} {
				if _, err := st.PendingItems(t.Context(), limit); err == nil {
					t.Errorf("PendingItems(%d) succeeded, want an error", limit)
				}
			}
		}},
		{"completing an item records its decision", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			ins := poll(t, st, "src", store.Poll{Items: pending(newItem("src", "a", "https://src.example/a"), newItem("src", "b", "https://src.example/b"))})
			if len(ins) != 2 {
				t.Fatalf("inserted %d, want 2", len(ins))
			}
			if si := byLink(t, st, "https://src.example/a"); si.State != store.ItemPending || si.Decision != nil {
				t.Errorf("before completion: State %q, Decision %v; want pending, nil", si.State, si.Decision)
			}
			if err := st.CompleteItem(t.Context(), ins[0].ID, decision); err != nil {
				t.Fatal(err)
			}
			wantKeys(t, "PendingItems after completing a", pendingItems(t, st), "b")
			si := byLink(t, st, "https://src.example/a")
			if si.State != store.ItemDone {
				t.Errorf("State = %q, want done", si.State)
			}
			s.checkItem(t, ins[0], si.Item)
			s.checkDecision(t, decision, si.Decision)

			// An irrelevant item keeps its (empty-listed) decision too: /why needs it.
			rejected := store.Decision{Score: 0.12, At: at(2 * time.Minute)}
			if err := st.CompleteItem(t.Context(), ins[1].ID, rejected); err != nil {
				t.Fatal(err)
			}
			s.checkDecision(t, rejected, byLink(t, st, "https://src.example/b").Decision)
		}},
		{"completing a done item again replaces its decision", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			ins := poll(t, st, "src", store.Poll{Items: pending(newItem("src", "a", "https://src.example/a"))})
			if err := st.CompleteItem(t.Context(), ins[0].ID, decision); err != nil {
				t.Fatal(err)
			}
			second := decision
			second.Relevant, second.Score, second.Reasons = false, 0.2, []string{"rescored"}
			if err := st.CompleteItem(t.Context(), ins[0].ID, second); err != nil {
				t.Fatal(err)
			}
			s.checkDecision(t, second, byLink(t, st, "https://src.example/a").Decision)
		}},
		{"completing an unknown item is not found", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			ins := poll(t, st, "src", store.Poll{Items: pending(newItem("src", "a", "https://src.example/a"))})
			err := st.CompleteItem(t.Context(), ins[0].ID+1000, decision)
			wantNotFound(t, "CompleteItem(unknown)", err)
		}},
		{"completing a seen item is refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			ins := poll(t, st, "src", store.Poll{Items: seen(newItem("src", "a", "https://src.example/a"))})
			err := st.CompleteItem(t.Context(), ins[0].ID, decision)
			if err == nil || errors.Is(err, store.ErrNotFound) {
				t.Errorf("CompleteItem(seen) = %v, want an error other than not found", err)
			}
			if si := byLink(t, st, "https://src.example/a"); si.State != store.ItemSeen || si.Decision != nil {
				t.Errorf("seen item became %q with decision %v", si.State, si.Decision)
			}
		}},
		{"unknown links are not found", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			poll(t, st, "src", store.Poll{Items: pending(newItem("src", "a", "https://src.example/a"))})
			for _, link := range []string{"https://src.example/b", "https://src.example/a/", "https://src.example/", ""} {
				_, err := st.ItemByLink(t.Context(), link)
				wantNotFound(t, "ItemByLink("+link+")", err)
			}
		}},
		{"a link in several sources answers with the most advanced", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "s1", "s2", "s3")
			const link = "https://wire.example/story"
			poll(t, st, "s1", store.Poll{Items: seen(newItem("s1", "k", link))})
			if si := byLink(t, st, link); si.Source != "s1" || si.State != store.ItemSeen {
				t.Errorf("only s1: got %s/%s", si.Source, si.State)
			}
			poll(t, st, "s2", store.Poll{Items: pending(newItem("s2", "k", link))})
			p3 := poll(t, st, "s3", store.Poll{Items: pending(newItem("s3", "k", link))})
			if si := byLink(t, st, link); si.Source != "s2" || si.State != store.ItemPending {
				t.Errorf("s2 and s3 pending: got %s/%s, want the earliest pending, s2", si.Source, si.State)
			}
			if err := st.CompleteItem(t.Context(), p3[0].ID, decision); err != nil {
				t.Fatal(err)
			}
			if si := byLink(t, st, link); si.Source != "s3" || si.State != store.ItemDone {
				t.Errorf("s3 done: got %s/%s, want s3/done", si.Source, si.State)
			}
		}},
	}
}
