package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// saveArticle stores text as the article page at link, read at when.
func saveArticle(t *testing.T, st store.Store, link, text string, when time.Time) {
	t.Helper()
	arts, ok := st.(store.ItemArticles)
	if !ok {
		t.Fatalf("%T does not implement store.ItemArticles", st)
	}
	a := store.ItemArticle{Link: link, From: store.FromArticle, Words: len(strings.Fields(text)), Text: text, At: when}
	if err := arts.SaveItemArticle(t.Context(), a); err != nil {
		t.Fatalf("SaveItemArticle(%q): %v", link, err)
	}
}

// articleSearchTests: /topic's text search reads the article pages kept
// for a story's items (issue 16), after headlines and summaries.
func (s *suite) articleSearchTests() []test {
	return []test{
		{"text search finds a story by its article text, after headline and summary matches", func(t *testing.T) {
			st, _ := s.fresh(t)
			mk := func(key, title, summary string, when time.Time, topics ...string) (string, int64) {
				it, id := complete(t, st, article("src", key, title, when), relevantDecision(when, summary, topics...))
				return it.Link, id
			}
			_, inHeadline := mk("h", "Oman hosts nuclear talks", "Delegations arrived on Saturday.", at(time.Hour), topicDiplomacy)
			// Newer, and its page says "nuclear" far more often: only the
			// place of the match may put it second.
			pageLink, inPage := mk("p", "Delegations arrive in Muscat", "Talks begin on Sunday.", at(2*time.Hour), topicDiplomacy)
			saveArticle(t, st, pageLink, "Envoys discussed centrifuges at the nuclear site.\n\n"+
				strings.Repeat("The nuclear file was the subject. ", 20), at(2*time.Hour))
			// A page about centrifuges for an item that made no story.
			loose, _ := complete(t, st, article("src", "loose", "Football results", at(3*time.Hour)), store.Decision{Score: 0.1, At: at(3 * time.Hour)})
			saveArticle(t, st, loose.Link, "Centrifuges and football.", at(3*time.Hour))
			// A page not read (the teaser was used) adds no words.
			teaserLink, teaserStory := mk("t", "Gaza aid convoy", "Trucks crossed.", at(4*time.Hour), topicGaza)
			arts := st.(store.ItemArticles)
			if err := arts.SaveItemArticle(t.Context(), store.ItemArticle{Link: teaserLink, From: store.FromTeaser, Reason: "robots",
				Detail: "robots.txt disallows article pages on this host", At: at(4 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			// A story whose second item's page matches, and whose headline
			// also does: listed once, as a headline match.
			_, both := mk("b", "Centrifuges inspected", "Inspectors visited.", at(30*time.Minute), topicDiplomacy)
			second := join(t, st, both, "ap", "b2", at(5*time.Hour))
			saveArticle(t, st, second.Link, "The centrifuges were counted by inspectors.", at(5*time.Hour))

			tests := []struct {
				name string
				q    store.StoryQuery
				want []int64
			}{
				{"a word only in the article", store.StoryQuery{Text: "centrifuges", Limit: 10}, []int64{both, inPage}},
				{"headline match first, however newer the page match", store.StoryQuery{Text: "nuclear", Limit: 10}, []int64{inHeadline, inPage}},
				{"every word in one page", store.StoryQuery{Text: "centrifuges site", Limit: 10}, []int64{inPage}},
				{"a word in no text", store.StoryQuery{Text: "centrifuges weather", Limit: 10}, nil},
				{"topic filter", store.StoryQuery{Text: "centrifuges", Topic: topicGaza, Limit: 10}, []int64{both}},
				{"topic filter on a page match", store.StoryQuery{Text: "site", Topic: topicGaza, Limit: 10}, nil},
				{"topic filter keeps a page match", store.StoryQuery{Text: "site", Topic: topicDiplomacy, Limit: 10}, []int64{inPage}},
				{"since filter", store.StoryQuery{Text: "centrifuges", Since: at(time.Hour), Limit: 10}, []int64{inPage}},
				{"limit keeps the headline match", store.StoryQuery{Text: "nuclear", Limit: 1}, []int64{inHeadline}},
				{"the teaser's story is found by its own text only", store.StoryQuery{Text: "convoy", Limit: 10}, []int64{teaserStory}},
			}
			for _, tc := range tests {
				if got := storyIDs(stories(t, st, tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: Stories(%q) = %v, want %v", tc.name, tc.q.Text, got, tc.want)
				}
			}
			if got := stories(t, st, store.StoryQuery{Text: "centrifuges site", Limit: 10}); len(got) != 1 || len(got[0].Sources) != 1 {
				t.Errorf("a story found by its page comes without its sources: %+v", got)
			}
		}},
		{"a page saved again is searched by its new text", func(t *testing.T) {
			st, _ := s.fresh(t)
			it, id := complete(t, st, article("src", "a", "Talks resume", at(time.Hour)), relevantDecision(at(time.Hour), "Envoys met.", topicDiplomacy))
			saveArticle(t, st, it.Link, "A first reading about centrifuges.", at(time.Hour))
			saveArticle(t, st, it.Link, "A second reading about enrichment.", at(2*time.Hour))
			if got := storyIDs(stories(t, st, store.StoryQuery{Text: "centrifuges", Limit: 10})); len(got) != 0 {
				t.Errorf("the replaced text still matches: %v", got)
			}
			if got := storyIDs(stories(t, st, store.StoryQuery{Text: "enrichment", Limit: 10})); !slices.Equal(got, []int64{id}) {
				t.Errorf("the new text: Stories = %v, want %v", got, []int64{id})
			}
		}},
		{"article text pruned by retention is no longer matched", func(t *testing.T) {
			st, _ := s.fresh(t)
			day := 24 * time.Hour
			// The story is recent (an item joined it lately), so it stays;
			// its first item's page was read long ago, so it goes.
			old, id := complete(t, st, article("src", "old", "Talks resume", at(time.Hour)), relevantDecision(at(time.Hour), "Envoys met.", topicGaza))
			saveArticle(t, st, old.Link, "Envoys discussed centrifuges.", at(time.Hour))
			recent := join(t, st, id, "ap", "recent", at(200*day))
			saveArticle(t, st, recent.Link, "Inspectors counted the cascades.", at(200*day))
			for _, q := range []string{"centrifuges", "cascades"} {
				if got := storyIDs(stories(t, st, store.StoryQuery{Text: q, Limit: 10})); !slices.Equal(got, []int64{id}) {
					t.Fatalf("before pruning, Stories(%q) = %v, want %v", q, got, []int64{id})
				}
			}
			got, err := st.Prune(t.Context(), store.Retention{StoriesBefore: at(20 * day)})
			if err != nil {
				t.Fatal(err)
			}
			if got.Articles != 1 || got.Stories != 0 {
				t.Fatalf("Pruned = %+v, want the one old page and no story", got)
			}
			if got := storyIDs(stories(t, st, store.StoryQuery{Text: "centrifuges", Limit: 10})); len(got) != 0 {
				t.Errorf("the pruned page still matches: Stories = %v", got)
			}
			if got := storyIDs(stories(t, st, store.StoryQuery{Text: "cascades", Limit: 10})); !slices.Equal(got, []int64{id}) {
				t.Errorf("the kept page: Stories = %v, want %v", got, []int64{id})
			}
		}},
	}
}
