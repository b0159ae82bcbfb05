package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) storyTests() []test {
	return []test{
		{"a relevant item becomes a story with its source", func(t *testing.T) {
			st, _ := s.fresh(t)
			it := article("reuters", "muscat", "Envoys meet in Muscat", at(-time.Hour))
			d := relevantDecision(at(time.Minute), "Iranian and US envoys met in Muscat.", topicDiplomacy, topicEnergy)
			d.Subtopics = []string{"iran-nuclear", "gulf"}
			it, id := complete(t, st, it, d)
			if id <= 0 {
				t.Fatalf("Decision.StoryID = %d, want the new story's ID", id)
			}
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != id || got.Headline != it.Title || got.Summary != d.Summary || got.Link != it.Link ||
				!slices.Equal(got.Topics, d.Topics) || !slices.Equal(got.Subtopics, d.Subtopics) {
				t.Errorf("Story = %+v\nwant headline %q, summary %q, link %q, topics %q, subtopics %q",
					got, it.Title, d.Summary, it.Link, d.Topics, d.Subtopics)
			}
			s.checkTime(t, "Published", it.Published, got.Published)
			s.checkTime(t, "FirstSeen", d.At, got.FirstSeen)
			s.checkTime(t, "Updated", d.At, got.Updated)
			if len(got.Sources) != 1 {
				t.Fatalf("Sources = %+v, want the one item", got.Sources)
			}
			src := got.Sources[0]
			if src.ItemID != it.ID || src.Source != "reuters" || src.Title != it.Title || src.Link != it.Link {
				t.Errorf("Sources[0] = %+v, want item %d of reuters titled %q at %s", src, it.ID, it.Title, it.Link)
			}
			s.checkTime(t, "Sources[0].Published", it.Published, src.Published)
		}},
		{"an irrelevant item makes no story", func(t *testing.T) {
			st, _ := s.fresh(t)
			_, id := complete(t, st, article("src", "a", "Football results", t0), store.Decision{Score: 0.1, At: t0})
			if id != 0 {
				t.Errorf("irrelevant item joined story %d", id)
			}
			if got := stories(t, st, store.StoryQuery{Limit: 10}); len(got) != 0 {
				t.Errorf("Stories = %v, want none", storyIDs(got))
			}
		}},
		{"completing an item again makes no second story", func(t *testing.T) {
			st, _ := s.fresh(t)
			d := relevantDecision(t0, "First summary.", topicDiplomacy)
			it, id := complete(t, st, article("src", "a", "Talks resume", t0), d)
			d.Summary, d.At = "Rescored summary.", at(time.Minute)
			if err := st.CompleteItem(t.Context(), it.ID, d); err != nil {
				t.Fatal(err)
			}
			if got := byLink(t, st, it.Link).Decision; got == nil || got.StoryID != id {
				t.Errorf("after completing again the item's story is %+v, want %d", got, id)
			}
			if got := stories(t, st, store.StoryQuery{Limit: 10}); !slices.Equal(storyIDs(got), []int64{id}) {
				t.Errorf("Stories = %v, want only %d", storyIDs(got), id)
			}
		}},
		{"an item joins the story its decision names", func(t *testing.T) {
			st, _ := s.fresh(t)
			first, id := complete(t, st, article("reuters", "a", "Ceasefire vote delayed", at(-time.Hour)),
				relevantDecision(at(time.Minute), "The vote was delayed.", topicGaza))
			// The second outlet published earlier but reached us later.
			d := relevantDecision(at(10*time.Minute), "Another outlet's summary.", topicDiplomacy)
			d.Subtopics = []string{"talks", "un"}
			d.StoryID = id
			second, joined := complete(t, st, article("ap", "b", "UN vote on truce put off", at(-2*time.Hour)), d)
			if joined != id {
				t.Fatalf("second item is in story %d, want %d", joined, id)
			}
			got, err := st.Story(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Headline != first.Title || got.Summary != "The vote was delayed." {
				t.Errorf("joining changed the headline or summary: %q / %q", got.Headline, got.Summary)
			}
			if !slices.Equal(got.Topics, []string{topicGaza, topicDiplomacy}) || !slices.Equal(got.Subtopics, []string{"talks", "un"}) {
				t.Errorf("Topics %q, Subtopics %q; want both items' topics and subtopics, first seen first", got.Topics, got.Subtopics)
			}
			s.checkTime(t, "FirstSeen", at(time.Minute), got.FirstSeen)
			s.checkTime(t, "Updated", at(10*time.Minute), got.Updated)
			var srcs []string
			for _, src := range got.Sources {
				srcs = append(srcs, fmt.Sprint(src.Source, "#", src.ItemID))
			}
			if want := []string{fmt.Sprint("ap#", second.ID), fmt.Sprint("reuters#", first.ID)}; !slices.Equal(srcs, want) {
				t.Errorf("Sources %q, want %q (oldest published first)", srcs, want)
			}
			if got := stories(t, st, store.StoryQuery{Topic: topicDiplomacy, Limit: 10}); !slices.Equal(storyIDs(got), []int64{id}) {
				t.Errorf("the joined story is not listed under the new item's topic: %v", storyIDs(got))
			}
			if got := stories(t, st, store.StoryQuery{Limit: 10}); len(got) != 1 || len(got[0].Sources) != 2 {
				t.Errorf("Stories lists %d stories (%+v), want one with both sources", len(got), got)
			}
		}},
		{"joining an unknown story is not found and changes nothing", func(t *testing.T) {
			st, _ := s.fresh(t)
			id := newStory(t, st, "a", t0, topicGaza)
			it := record(t, st, article("ap", "b", "Other", t0))
			d := relevantDecision(at(time.Minute), "S.", topicGaza)
			d.StoryID = id + 1000
			wantNotFound(t, "CompleteItem joining an unknown story", st.CompleteItem(t.Context(), it.ID, d))
			if si := byLink(t, st, it.Link); si.State != store.ItemPending {
				t.Errorf("item is %q after a failed completion, want still pending", si.State)
			}
		}},
		{"an unknown story is not found", func(t *testing.T) {
			st, _ := s.fresh(t)
			_, err := st.Story(t.Context(), 42)
			wantNotFound(t, "Story(42)", err)
		}},
		{"stories come newest first, by topic and since, up to limit", func(t *testing.T) {
			st, _ := s.fresh(t)
			// Created out of order, so IDs alone would give the wrong answer.
			gaza2 := newStory(t, st, "gaza2", at(2*time.Hour), topicGaza)
			both := newStory(t, st, "both", at(3*time.Hour), topicGaza, topicDiplomacy)
			dip1 := newStory(t, st, "dip1", at(time.Hour), topicDiplomacy)
			gaza4 := newStory(t, st, "gaza4", at(4*time.Hour), topicGaza)
			tests := []struct {
				name string
				q    store.StoryQuery
				want []int64
			}{
				{"all", store.StoryQuery{Limit: 10}, []int64{gaza4, both, gaza2, dip1}},
				{"limit", store.StoryQuery{Limit: 2}, []int64{gaza4, both}},
				{"topic", store.StoryQuery{Topic: topicDiplomacy, Limit: 10}, []int64{both, dip1}},
				{"topic and limit", store.StoryQuery{Topic: topicGaza, Limit: 2}, []int64{gaza4, both}},
				{"since is inclusive", store.StoryQuery{Since: at(2 * time.Hour), Limit: 10}, []int64{gaza4, both, gaza2}},
				{"topic and since", store.StoryQuery{Topic: topicDiplomacy, Since: at(90 * time.Minute), Limit: 10}, []int64{both}},
				{"unknown topic", store.StoryQuery{Topic: "sports", Limit: 10}, nil},
			}
			for _, tc := range tests {
				if got := storyIDs(stories(t, st, tc.q)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: Stories = %v, want %v", tc.name, got, tc.want)
				}
			}
			for _, limit := range []int{0, -1} {
				if _, err := st.Stories(t.Context(), store.StoryQuery{Limit: limit}); err == nil {
					t.Errorf("Stories(Limit %d) succeeded, want an error", limit)
				}
			}
		}},
		{"text search needs every word and ranks headline matches first", func(t *testing.T) {
			st, _ := s.fresh(t)
			mk := func(key, title, summary string, when time.Time, topics ...string) int64 {
				_, id := complete(t, st, article("src", key, title, when), relevantDecision(when, summary, topics...))
				return id
			}
			inHeadline := mk("h", "Oman hosts nuclear talks", "Delegations arrived on Saturday.", at(time.Hour), topicDiplomacy)
			inSummary := mk("s", "Delegations arrive in Muscat", "Oman is hosting the nuclear talks.", at(2*time.Hour), topicDiplomacy)
			oneWord := mk("o", "Oman weather", "Rain expected.", at(3*time.Hour), topicEnergy)
			gaza := mk("g", "Ceasefire talks in Cairo", "Mediators met.", at(4*time.Hour), topicGaza)
			tests := []struct {
				name     string
				q        store.StoryQuery
				want     []int64
				anyOrder bool // rank order among these is the implementation's
			}{
				{"headline beats summary", store.StoryQuery{Text: "nuclear talks", Limit: 10}, []int64{inHeadline, inSummary}, false},
				{"every word must occur", store.StoryQuery{Text: "oman weather", Limit: 10}, []int64{oneWord}, false},
				{"case and word endings are ignored", store.StoryQuery{Text: "TALK", Limit: 10}, []int64{inHeadline, inSummary, gaza}, true},
				{"topic filter", store.StoryQuery{Text: "talks", Topic: topicGaza, Limit: 10}, []int64{gaza}, false},
				{"since filter", store.StoryQuery{Text: "oman", Since: at(2 * time.Hour), Limit: 10}, []int64{inSummary, oneWord}, true},
				{"limit", store.StoryQuery{Text: "nuclear", Limit: 1}, []int64{inHeadline}, false},
				{"no match", store.StoryQuery{Text: "sanctions", Limit: 10}, nil, false},
			}
			for _, tc := range tests {
				got, want := storyIDs(stories(t, st, tc.q)), slices.Clone(tc.want)
				if tc.anyOrder {
					slices.Sort(got)
					slices.Sort(want)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: Stories = %v, want %v (in any order: %v)", tc.name, got, tc.want, tc.anyOrder)
				}
			}
			if got := stories(t, st, store.StoryQuery{Text: "nuclear", Limit: 10}); len(got) == 0 || len(got[0].Sources) != 1 {
				t.Errorf("search results come without their sources: %+v", got)
			}
		}},
		{"equally good matches come newest first", func(t *testing.T) {
			st, _ := s.fresh(t)
			older := newStory(t, st, "older", at(time.Hour), topicGaza)
			newer := newStory(t, st, "newer", at(2*time.Hour), topicGaza)
			// "Headline older" and "Headline newer" match "headline" equally.
			if got := storyIDs(stories(t, st, store.StoryQuery{Text: "headline", Limit: 10})); !slices.Equal(got, []int64{newer, older}) {
				t.Errorf("Stories = %v, want %v", got, []int64{newer, older})
			}
		}},
		{"search text with punctuation or search syntax never fails", func(t *testing.T) {
			st, _ := s.fresh(t)
			_, id := complete(t, st, article("src", "a", `Iran's FM: "talks (in Muscat) were useful" — U.S. officials`, t0),
				relevantDecision(t0, "Officials said AND/OR NEAR the end; 50% agreed*.", topicDiplomacy))
			matching := []string{
				`Iran's`, `"Muscat"`, `(Muscat)`, `muscat!`, `U.S.`, `talks*`, `"talks`, `talks"`, `FM:`,
				`50%`, `-muscat`, `+muscat`, `^muscat`, `  muscat   `, `AND`, `NEAR`, `agreed*`, "muscat\x00",
			}
			others := []string{ // may match or not, but must not fail
				`"`, `""`, `'`, `*`, `(`, `)`, `:`, `-`, `^`, `NOT`, `OR NOT AND`, `NEAR(iran talks, 2)`,
				`headline:iran`, `{headline summary}: iran`, `iran AND NOT`, `"unbalanced`, `\`, `%`, `_`,
				"\x00", "\xff\xfe", "😀", "ایران", "伊朗 谈判", `' OR 1=1 --`, `);DROP TABLE stories;--`,
			}
			for _, q := range matching {
				got, err := st.Stories(t.Context(), store.StoryQuery{Text: q, Limit: 5})
				if err != nil {
					t.Errorf("Stories(Text %q): %v", q, err)
				} else if !slices.Equal(storyIDs(got), []int64{id}) {
					t.Errorf("Stories(Text %q) = %v, want the story %d", q, storyIDs(got), id)
				}
			}
			for _, q := range others {
				if _, err := st.Stories(t.Context(), store.StoryQuery{Text: q, Limit: 5}); err != nil {
					t.Errorf("Stories(Text %q): %v", q, err)
				}
			}
			if got := stories(t, st, store.StoryQuery{Limit: 5}); len(got) != 1 {
				t.Errorf("after hostile searches, %d stories remain, want 1", len(got))
			}
		}},
	}
}
