package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// followStory completes a new item of outlet src that starts a story
// following story prev, and returns the new story's ID.
func followStory(t *testing.T, st store.Store, prev int64, key string, when time.Time) int64 {
	t.Helper()
	d := relevantDecision(when, "Summary "+key+".", topicGaza)
	d.FollowsStoryID = prev
	_, id := complete(t, st, article("ap", key, "Headline "+key, when.Add(-time.Hour)), d)
	if id == 0 || id == prev {
		t.Fatalf("item %q got story %d; want a new story following %d", key, id, prev)
	}
	return id
}

func wantFollows(t *testing.T, st store.Store, id, want int64) {
	t.Helper()
	got, err := st.Story(t.Context(), id)
	if err != nil {
		t.Fatalf("Story(%d): %v", id, err)
	}
	if got.Follows != want {
		t.Errorf("Story(%d).Follows = %d, want %d", id, got.Follows, want)
	}
}

func (s *suite) followTests() []test {
	return []test{
		{"a new story keeps the story it follows, after a reopen too", func(t *testing.T) {
			st, open := s.fresh(t)
			first := newStory(t, st, "a", t0, topicGaza)
			next := followStory(t, st, first, "b", at(30*time.Hour))
			wantFollows(t, st, first, 0)
			wantFollows(t, st, next, first)

			list, err := st.Stories(t.Context(), store.StoryQuery{Topic: topicGaza, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			follows := map[int64]int64{}
			for _, x := range list {
				follows[x.ID] = x.Follows
			}
			if len(follows) != 2 || follows[first] != 0 || follows[next] != first {
				t.Errorf("Stories: follows by story %v, want {%d: 0, %d: %d}", follows, first, next, first)
			}

			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			wantFollows(t, s.open(t, open), next, first)
		}},
		{"a join keeps the story's follows as it is", func(t *testing.T) {
			st, _ := s.fresh(t)
			first := newStory(t, st, "a", t0, topicGaza)
			next := newStory(t, st, "b", at(time.Hour), topicGaza)
			d := relevantDecision(at(2*time.Hour), "Summary c.", topicGaza)
			d.StoryID, d.FollowsStoryID = next, first
			if _, got := complete(t, st, article("bbc", "c", "Headline c", at(time.Hour)), d); got != next {
				t.Fatalf("item joined story %d, want %d", got, next)
			}
			wantFollows(t, st, next, 0)
		}},
		{"following a story that does not exist is ErrNotFound", func(t *testing.T) {
			st, _ := s.fresh(t)
			it := record(t, st, article("ap", "a", "Headline a", t0))
			d := relevantDecision(t0, "Summary a.", topicGaza)
			d.FollowsStoryID = 4242
			if err := st.CompleteItem(t.Context(), it.ID, d); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("CompleteItem following a missing story: %v, want ErrNotFound", err)
			}
			if got, err := st.Stories(t.Context(), store.StoryQuery{Limit: 10}); err != nil || len(got) != 0 {
				t.Errorf("Stories after the refused decision: %d stories (err %v), want none", len(got), err)
			}
		}},
		{"StoryMessage finds the message a channel got for a story", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			subscribe(t, st, realtime("c2", topicGaza))
			id := newStory(t, st, "a", t0, topicGaza)
			wantMessage := func(what, channel string, storyID int64, want string) {
				t.Helper()
				got, err := st.StoryMessage(t.Context(), channel, storyID)
				if want == "" {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s: StoryMessage(%s, %d) = %q, %v; want ErrNotFound", what, channel, storyID, got, err)
					}
					return
				}
				if err != nil || got != want {
					t.Errorf("%s: StoryMessage(%s, %d) = %q, %v; want %q", what, channel, storyID, got, err, want)
				}
			}
			wantMessage("before any post", "c1", id, "")
			ds := claim(t, st, t0)
			if len(ds) != 2 {
				t.Fatalf("claimed %q, want two story deliveries", owed(ds))
			}
			wantMessage("while the post is in flight", "c1", id, "")
			for _, d := range ds {
				if d.ChannelID == "c1" {
					sentAs(t, st, d, "m1")
				}
			}
			wantMessage("after the post", "c1", id, "m1")
			wantMessage("a channel whose post is not sent", "c2", id, "")
			wantMessage("another story", "c1", id+1, "")
			join(t, st, id, "bbc", "b", at(time.Minute))
			wantMessage("while an edit is owed", "c1", id, "m1")
		}},
	}
}
