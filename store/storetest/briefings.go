package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Topics used by the briefing tests: stored as given, compared exactly.
const (
	topicDiplomacy = "mideast-diplomacy"
	topicGaza      = "gaza"
	topicEnergy    = "energy"
)

// article is an item of source src with its own title and publication
// time; its link is derived from the key.
func article(src, key, title string, published time.Time) story.Item {
	it := newItem(src, key, "https://"+src+".example/"+key)
	it.Title = title
	it.Published = published
	return it
}

// relevantDecision is the pipeline's verdict on an item about topics.
func relevantDecision(when time.Time, summary string, topics ...string) store.Decision {
	return store.Decision{
		Relevant:  true,
		Score:     0.9,
		Topics:    topics,
		Subtopics: []string{"talks"},
		Reasons:   []string{"matched"},
		Summary:   summary,
		At:        when,
	}
}

// record polls it in as a pending item and returns it with its ID.
func record(t *testing.T, st store.Store, it story.Item) story.Item {
	t.Helper()
	ensure(t, st, it.Source)
	got := poll(t, st, it.Source, store.Poll{Items: pending(it)})
	if len(got) != 1 {
		t.Fatalf("recording %q inserted %d items, want 1", it.Key, len(got))
	}
	return got[0]
}

// complete records it, completes it with d and returns its story's ID
// (zero when it has none).
func complete(t *testing.T, st store.Store, it story.Item, d store.Decision) (story.Item, int64) {
	t.Helper()
	it = record(t, st, it)
	if err := st.CompleteItem(t.Context(), it.ID, d); err != nil {
		t.Fatalf("CompleteItem(%q): %v", it.Key, err)
	}
	si := byLink(t, st, it.Link)
	if si.Decision == nil {
		t.Fatalf("item %q has no decision after CompleteItem", it.Key)
	}
	return it, si.Decision.StoryID
}

// newStory completes a fresh item about topics at when and returns its story.
func newStory(t *testing.T, st store.Store, key string, when time.Time, topics ...string) int64 {
	t.Helper()
	_, id := complete(t, st, article("wire", key, "Headline "+key, when.Add(-time.Hour)),
		relevantDecision(when, "Summary of "+key+".", topics...))
	if id == 0 {
		t.Fatalf("relevant item %q got no story", key)
	}
	return id
}

func subscribe(t *testing.T, st store.Store, sub store.Subscription) store.Subscription {
	t.Helper()
	if sub.GuildID == "" {
		sub.GuildID = "guild-1"
	}
	got, err := st.Subscribe(t.Context(), sub)
	if err != nil {
		t.Fatalf("Subscribe(%s, %s): %v", sub.ChannelID, sub.Topic, err)
	}
	return got
}

func realtime(channel, topic string) store.Subscription {
	return store.Subscription{ChannelID: channel, Topic: topic, Mode: store.ModeRealtime, Since: t0, CreatedBy: "user-1"}
}

func subscriptions(t *testing.T, st store.Store, f store.SubscriptionFilter) []store.Subscription {
	t.Helper()
	got, err := st.Subscriptions(t.Context(), f)
	if err != nil {
		t.Fatalf("Subscriptions(%+v): %v", f, err)
	}
	return got
}

func stories(t *testing.T, st store.Store, q store.StoryQuery) []store.Story {
	t.Helper()
	got, err := st.Stories(t.Context(), q)
	if err != nil {
		t.Fatalf("Stories(%+v): %v", q, err)
	}
	return got
}

func storyIDs(ss []store.Story) []int64 {
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

// claim claims every due delivery at now for an hour.
func claim(t *testing.T, st store.Store, now time.Time) []store.Delivery {
	t.Helper()
	got, err := st.ClaimDeliveries(t.Context(), "test-poster", now, time.Hour, 1000)
	if err != nil {
		t.Fatalf("ClaimDeliveries(%v): %v", now, err)
	}
	return got
}

// owed summarises deliveries as "channel/topic:story,story" for comparison.
func owed(ds []store.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s/%s:%s%v", d.ChannelID, d.Topic, d.Kind, d.StoryIDs)
	}
	slices.Sort(out)
	return out
}

func wantOwed(t *testing.T, what string, got []store.Delivery, want ...string) {
	t.Helper()
	slices.Sort(want)
	if g := owed(got); !slices.Equal(g, want) && (len(g) != 0 || len(want) != 0) {
		t.Errorf("%s: deliveries\n got %q\nwant %q", what, g, want)
	}
}

func sent(t *testing.T, st store.Store, ds ...store.Delivery) {
	t.Helper()
	for _, d := range ds {
		if err := st.DeliverySent(t.Context(), d.ID, fmt.Sprint("msg-", d.ID), t0); err != nil {
			t.Fatalf("DeliverySent(%d): %v", d.ID, err)
		}
	}
}

func one(t *testing.T, what string, ds []store.Delivery) store.Delivery {
	t.Helper()
	if len(ds) != 1 {
		t.Fatalf("%s: %d deliveries %q, want exactly one", what, len(ds), owed(ds))
	}
	return ds[0]
}
