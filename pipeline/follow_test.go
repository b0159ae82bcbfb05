package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/briefbot/briefbot/story"
)

// outcome is the same talks a day and a half after talks[0]: too old to
// join its story, close enough to follow it.
var outcome = event{5, "bbc", "Iran and US end nuclear talks in Oman, agree to meet again",
	"Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff ended indirect talks in Muscat and agreed to meet again next week, Oman's foreign ministry said."}

func TestLaterDevelopmentFollowsTheEarlierStory(t *testing.T) {
	tests := []struct {
		name string
		// known is the story the clusterer holds talks[0] in; 0: the
		// pipeline stores it first, so the store knows the story.
		known       int64
		wantFollows bool
	}{
		{name: "the earlier story is stored", wantFollows: true},
		{name: "the earlier story is missing from the store", known: 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := &memStore{}
			p := clusteringPipeline(ms)
			earlier := talks[0].item(clusterNow.Add(-40 * time.Hour))
			var first int64
			if tt.known != 0 {
				p.Cluster.Add(tt.known, story.ClusterItemOf(earlier))
			} else {
				ms.pending = []story.Item{earlier}
				if err := p.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				first = ms.storyOf(talks[0].id)
			}
			ms.mu.Lock()
			ms.pending = []story.Item{outcome.item(clusterNow.Add(-time.Hour))}
			ms.mu.Unlock()
			if err := p.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := ms.storyOf(outcome.id)
			if got == 0 || got == first || got == tt.known {
				t.Fatalf("the later report is in story %d; want a new story (not %d)", got, max(first, tt.known))
			}
			var want int64
			if tt.wantFollows {
				want = first
			}
			if d := ms.decisions[outcome.id]; d.FollowsStoryID != want {
				t.Errorf("decision follows story %d, want %d", d.FollowsStoryID, want)
			}
			st, err := ms.Story(context.Background(), got)
			if err != nil {
				t.Fatal(err)
			}
			if st.Follows != want {
				t.Errorf("new story %d follows %d, want %d", got, st.Follows, want)
			}
		})
	}
}
