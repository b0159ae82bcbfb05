package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/story"
)

// lateFake is a LateSummarizer whose better summaries are delivered, from
// another goroutine, when the test says so: before the pipeline records
// the decision (early) or after Drain returns.
type lateFake struct {
	early   bool
	pending []func() // deliveries held until release
	done    chan struct{}
	calls   int
}

func (f *lateFake) summarize(_ context.Context, it story.Item, deliver func(string)) (Summary, error) {
	f.calls++
	better := "Model brief from " + it.Source + "."
	run := func() {
		f.done <- struct{}{}
		deliver(better)
		f.done <- struct{}{}
	}
	if f.early {
		go run() // arrives before the decision is recorded: must wait for it
	} else {
		f.pending = append(f.pending, func() { go run() })
	}
	return Summary{Text: extractive(it)}, nil
}

// extractive is the fake's immediate summary: one per outlet, so the test
// sees whose summary a story shows.
func extractive(it story.Item) string { return "Extractive summary from " + it.Source + "." }

// wait lets every held delivery run and waits until each has finished.
func (f *lateFake) wait(t *testing.T, n int) {
	t.Helper()
	for _, run := range f.pending {
		run()
	}
	for range 2 * n {
		select {
		case <-f.done:
		case <-time.After(10 * time.Second):
			t.Fatal("a late delivery never finished")
		}
	}
}

func TestLateSummaryReplacesTheStorysSummary(t *testing.T) {
	iran := func(id int64, source, title string) story.Item {
		return story.Item{ID: id, Source: source, Title: title,
			Link: "https://" + source + ".example/" + title, Published: clusterNow.Add(-time.Hour)}
	}
	for _, tc := range []struct {
		name    string
		early   bool
		poison  int64
		items   []story.Item
		updates []string // "story:summary"
	}{
		{name: "after the story is recorded",
			items:   []story.Item{iran(1, "wire", "Iran talks resume")},
			updates: []string{"1:Model brief from wire."}},
		{name: "before the decision is recorded, it waits for it", early: true,
			items:   []story.Item{iran(1, "wire", "Iran talks resume")},
			updates: []string{"1:Model brief from wire."}},
		{name: "each story gets its own item's brief",
			items: []story.Item{iran(1, "wire", "Iran talks resume"),
				iran(2, "desk", "Iran earthquake kills dozens")},
			updates: []string{"1:Model brief from wire.", "2:Model brief from desk."}},
		{name: "a decision never recorded gets nothing", poison: 1,
			items: []story.Item{iran(1, "wire", "Iran talks resume")}},
		{name: "an off-topic item is not summarized",
			items: []story.Item{iran(1, "wire", "Football results")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := &memStore{pending: slices.Clone(tc.items), poison: tc.poison}
			f := &lateFake{early: tc.early, done: make(chan struct{})}
			p := clusteringPipeline(ms)
			p.Summarize = nil // SummarizeLate takes its place
			p.SummarizeLate = f.summarize
			p.BatchSize = 1
			for range maxItemFailures {
				_ = p.Drain(t.Context()) // a poisoned item fails until set aside
			}
			relevant := 0
			for _, it := range tc.items {
				if strings.Contains(it.Title, "Iran") {
					relevant++
				}
			}
			if tc.poison == 0 && f.calls != relevant {
				t.Errorf("SummarizeLate called %d times; want once per relevant item (%d)", f.calls, relevant)
			}
			if tc.poison != 0 {
				relevant = f.calls // each failed attempt asked once
			}
			f.wait(t, relevant)
			ms.mu.Lock()
			defer ms.mu.Unlock()
			slices.Sort(ms.updates) // deliveries run concurrently
			if !slices.Equal(ms.updates, tc.updates) {
				t.Errorf("UpdateStorySummary calls %q; want %q", ms.updates, tc.updates)
			}
			for _, it := range tc.items {
				if d, ok := ms.decisions[it.ID]; ok && d.Relevant && d.Summary != extractive(it) {
					t.Errorf("item %d recorded with %q; want the immediate summary %q", it.ID, d.Summary, extractive(it))
				}
			}
		})
	}
}

// A late brief of an item that joined a story another item heads must not
// replace that item's summary.
func TestLateSummaryLeavesAStoryHeadedByAnotherItem(t *testing.T) {
	ms := &memStore{}
	for i, e := range talks {
		ms.pending = append(ms.pending, e.item(clusterNow.Add(time.Duration(i-4)*time.Hour)))
	}
	f := &lateFake{done: make(chan struct{})}
	p := clusteringPipeline(ms)
	p.SummarizeLate = f.summarize
	if err := p.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	first := ms.storyOf(talks[0].id)
	st, err := ms.Story(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	var head story.Item
	for _, e := range talks {
		if it := ms.done[e.id]; it.Link == st.Link {
			head = it
		}
	}
	if head.ID == 0 {
		t.Fatalf("no item heads story %d (link %q)", first, st.Link)
	}
	f.wait(t, f.calls)
	want := []string{fmt.Sprintf("%d:Model brief from %s.", first, head.Source)}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if !slices.Equal(ms.updates, want) {
		t.Errorf("UpdateStorySummary calls %q; want only the heading item's brief %q", ms.updates, want)
	}
}
