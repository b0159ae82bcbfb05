package main

import (
	"math/rand"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/story"
)

// The load tests' headlines are distinct, relevant events whatever order
// they arrive in: the multi-instance test's floor on distinct stories
// relies on it (it varied with arrival order when the headlines shared most
// of their words).
func TestBurstHeadlinesAreDistinctStories(t *testing.T) {
	cfg, err := config.Parse([]byte(""), "empty.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := newClassifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	judgeItem := relevance(cl)
	const sources, perSource = 40, 10 // twice the fleet's burst
	for i := range sources * perSource {
		title, desc := burstHeadline(i)
		if !judgeItem(story.Item{Title: title, Description: desc}).Relevant {
			t.Fatalf("headline %d %q is not relevant to the default topic", i, title)
		}
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for seed := range 30 {
		// Sources' polls land in any order; each source's items in order.
		order := rand.New(rand.NewSource(int64(seed))).Perm(sources)
		c := story.NewClusterer(story.Options{})
		var id int64
		for _, s := range order {
			for k := range perSource {
				title, desc := burstHeadline(s*perSource + k)
				id++
				if d := c.Assign(story.ClusterItem{ID: id, Outlet: "outlet", Title: title, Text: desc, Published: now}); d.Joined {
					t.Fatalf("order %d: %q joined another item's story: %s", seed, title, d.Reason)
				}
			}
		}
	}
}
