package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// summaryUpdateTests hold UpdateStorySummary to its contract: a story
// posted with one summary and given a better one later (a model's, late)
// has its messages edited exactly as when an item joins.
func (s *suite) summaryUpdateTests() []test {
	return []test{
		{"a new summary replaces the story's and makes a sent message owe an edit", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("sent", topicGaza))
			subscribe(t, st, realtime("waiting", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			var posted store.Delivery
			for _, d := range claim(t, st, t0) {
				if d.ChannelID == "sent" {
					posted = d
					sentAs(t, st, d, "m1")
				} else if err := st.DeliveryRetry(t.Context(), d.ID, at(time.Hour), "HTTP 503"); err != nil {
					t.Fatal(err)
				}
			}
			const better = "Envoys agreed on a ceasefire text, both sides said."
			if err := st.UpdateStorySummary(t.Context(), id, better, at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Summary != better || got.Headline != "Headline s" {
				t.Errorf("story reads %q / %q; want %q / %q", got.Headline, got.Summary, "Headline s", better)
			}
			if !s.sameTime(at(time.Minute), got.Updated) {
				t.Errorf("story updated %v, want %v", got.Updated, at(time.Minute))
			}
			if ids := storyIDs(stories(t, st, store.StoryQuery{Text: "ceasefire", Limit: 10})); len(ids) != 1 || ids[0] != id {
				t.Errorf("searching the new summary finds %v, want [%d]", ids, id)
			}
			// Only the sent message owes an edit; the waiting post renders
			// the new summary when it goes, and stays due when it was.
			eds := claim(t, st, at(2*time.Minute))
			wantOwed(t, "after the update", eds, fmt.Sprintf("sent/gaza:edit[%d]", id))
			if len(eds) == 1 {
				wantEdit(t, "after the update", eds[0], posted.ID, "m1", 1)
			}
		}},
		{"an unchanged summary owes no edit", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			sentAs(t, st, one(t, "post", claim(t, st, t0)), "m1")
			if err := st.UpdateStorySummary(t.Context(), id, "Summary of s.", at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			wantOwed(t, "after the same summary", claim(t, st, at(2*time.Minute)))
			if got, err := st.Story(t.Context(), id); err != nil || !s.sameTime(t0, got.Updated) {
				t.Errorf("story updated %v (err %v); want it untouched at %v", got.Updated, err, t0)
			}
		}},
		{"updates before the edit is made coalesce into one edit", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			sentAs(t, st, one(t, "post", claim(t, st, t0)), "m1")
			for i, sum := range []string{"First better summary.", "Second better summary."} {
				if err := st.UpdateStorySummary(t.Context(), id, sum, at(time.Duration(i+1)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			join(t, st, id, "ap", "b", at(3*time.Minute))
			wantOwed(t, "after two updates and a join", claim(t, st, at(4*time.Minute)), fmt.Sprintf("c1/gaza:edit[%d]", id))
		}},
		{"a missing story, an empty summary or a zero time is an error", func(t *testing.T) {
			st, _ := s.fresh(t)
			id := newStory(t, st, "s", t0, topicGaza)
			if err := st.UpdateStorySummary(t.Context(), id+1000, "Text.", t0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing story: %v, want ErrNotFound", err)
			}
			if err := st.UpdateStorySummary(t.Context(), id, "", t0); err == nil {
				t.Error("empty summary accepted")
			}
			if err := st.UpdateStorySummary(t.Context(), id, "Text.", time.Time{}); err == nil {
				t.Error("zero time accepted")
			}
			if got, err := st.Story(t.Context(), id); err != nil || got.Summary != "Summary of s." {
				t.Errorf("story summary %q (err %v); want it unchanged", got.Summary, err)
			}
		}},
	}
}
