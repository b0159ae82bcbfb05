package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// refreshTests hold Decision.StoryHeadline, StoryLink and StorySummary to
// their contract: a join may give its story new text, which the story's
// messages are then edited to show, and a new story may be headed by a
// translated headline.
func (s *suite) refreshTests() []test {
	return []test{
		{"a join replaces the story's headline, link and summary it carries, and owes the edit", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "first", t0, topicGaza)
			sentAs(t, st, one(t, "post", claim(t, st, t0)), "m1")

			d := relevantDecision(at(time.Minute), "The joining item's summary.", topicGaza)
			d.StoryID = id
			d.StoryHeadline, d.StoryLink, d.StorySummary = "A plainer headline", "https://ap.example/plain", "Several outlets agree."
			it, _ := complete(t, st, article("ap", "plain", "Joining item's own title", t0), d)

			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Headline != d.StoryHeadline || got.Link != d.StoryLink || got.Summary != d.StorySummary {
				t.Errorf("after the join the story reads %q / %q / %q; want %q / %q / %q",
					got.Headline, got.Link, got.Summary, d.StoryHeadline, d.StoryLink, d.StorySummary)
			}
			if len(got.Sources) != 2 {
				t.Errorf("story has %d sources, want 2", len(got.Sources))
			}
			// The refreshed text is searchable, the replaced one no longer.
			if ids := storyIDs(stories(t, st, store.StoryQuery{Text: "plainer", Limit: 10})); len(ids) != 1 || ids[0] != id {
				t.Errorf("searching the new headline finds %v, want [%d]", ids, id)
			}
			if ids := storyIDs(stories(t, st, store.StoryQuery{Text: "Headline first", Limit: 10})); len(ids) != 0 {
				t.Errorf("searching the replaced headline finds %v, want none", ids)
			}
			wantOwed(t, "after the join", claim(t, st, at(2*time.Minute)), fmt.Sprintf("c1/gaza:edit[%d]", id))
			// The story fields are instructions, not part of the item's decision.
			if sd := byLink(t, st, it.Link).Decision; sd == nil || sd.StoryHeadline != "" || sd.StoryLink != "" || sd.StorySummary != "" {
				t.Errorf("the item's stored decision is %+v; want its story fields empty", sd)
			}
		}},
		{"empty story fields leave the story's text as it was", func(t *testing.T) {
			st, _ := s.fresh(t)
			id := newStory(t, st, "first", t0, topicGaza)
			before, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			d := relevantDecision(at(time.Minute), "Only the summary changes.", topicGaza)
			d.StoryID, d.StorySummary = id, "Only the summary changes."
			complete(t, st, article("ap", "b", "Another title", t0), d)
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Headline != before.Headline || got.Link != before.Link || got.Summary != d.StorySummary {
				t.Errorf("story reads %q / %q / %q; want %q / %q / %q",
					got.Headline, got.Link, got.Summary, before.Headline, before.Link, d.StorySummary)
			}
		}},
		{"a new story takes StoryHeadline; its link and summary are the item's; completing again changes nothing", func(t *testing.T) {
			st, _ := s.fresh(t)
			d := relevantDecision(t0, "Its own summary.", topicGaza)
			d.StoryHeadline, d.StoryLink, d.StorySummary = "Translated headline", "https://x.example/not", "Not this either."
			it, id := complete(t, st, article("wire", "a", "Its own title", t0), d)
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Headline != d.StoryHeadline || got.Link != it.Link || got.Summary != "Its own summary." {
				t.Errorf("a new story reads %q / %q / %q; want %q / %q / %q",
					got.Headline, got.Link, got.Summary, d.StoryHeadline, it.Link, "Its own summary.")
			}
			// The item keeps its original title, which the embed shows
			// beneath the headline.
			if len(got.Sources) != 1 || got.Sources[0].Title != it.Title {
				t.Errorf("story sources are %+v; want one with the item's title %q", got.Sources, it.Title)
			}
			if sd := byLink(t, st, it.Link).Decision; sd == nil || sd.StoryHeadline != "" {
				t.Errorf("the item's stored decision is %+v; want its story fields empty", sd)
			}
			// Completing the item again, naming its own story, changes nothing.
			d.StoryID = id
			d.StoryHeadline = "Not this"
			if err := st.CompleteItem(t.Context(), it.ID, d); err != nil {
				t.Fatal(err)
			}
			if again, err := st.Story(t.Context(), id); err != nil || again.Headline != "Translated headline" || again.Summary != "Its own summary." {
				t.Errorf("after completing again the story reads %q / %q (err %v); want it unchanged", again.Headline, again.Summary, err)
			}
		}},
		{"a new story without StoryHeadline takes the item's title", func(t *testing.T) {
			st, _ := s.fresh(t)
			it, id := complete(t, st, article("wire", "a", "Its own title", t0), relevantDecision(t0, "Its own summary.", topicGaza))
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Headline != it.Title || got.Link != it.Link {
				t.Errorf("a new story reads %q / %q; want the item's %q / %q", got.Headline, got.Link, it.Title, it.Link)
			}
		}},
	}
}
