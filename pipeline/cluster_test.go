package pipeline

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// clusterNow is the pipeline's clock in the clustering tests.
var clusterNow = time.Date(2025, time.June, 2, 12, 0, 0, 0, time.UTC)

// event is one outlet's report: a wire story carried by several outlets
// shares its text; a different event about the same country does not.
type event struct {
	id            int64
	source, title string
	text          string
}

var (
	talks = []event{
		{1, "reuters", "Iran and US to hold nuclear talks in Oman on Saturday",
			"Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff will meet in Muscat on Saturday for indirect talks on Tehran's nuclear programme, Oman's foreign ministry said."},
		{2, "ap", "Iran and US to hold nuclear talks in Oman on Saturday",
			"Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff will meet in Muscat on Saturday for indirect talks on Tehran's nuclear programme, Oman's foreign ministry said."},
		{3, "aljazeera", "Iran, US nuclear talks set for Muscat on Saturday",
			"Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff will meet in Muscat on Saturday for indirect talks on Tehran's nuclear programme, Oman's foreign ministry said."},
	}
	quake = event{4, "bbc", "Earthquake in southern Iran kills 12 in Hormozgan province",
		"A magnitude 5.9 earthquake struck near Bandar Abbas on Monday, destroying homes in several villages, state media reported."}
)

func (e event) item(published time.Time) story.Item {
	return story.Item{ID: e.id, Source: e.source, Key: e.source, Title: e.title, Description: e.text,
		Link: "https://" + e.source + ".example/" + e.title[:4], Published: published}
}

func clusteringPipeline(ms *memStore) *Pipeline {
	return &Pipeline{
		Store: ms, Log: quietLog(), Now: func() time.Time { return clusterNow },
		Cluster: story.NewClusterer(story.Options{}),
		Classify: func(it story.Item) Relevance {
			return Relevance{Relevant: strings.Contains(it.Title, "Iran"), Topics: []string{"mideast"}}
		},
		Summarize: func(_ context.Context, it story.Item) (Summary, error) { return Summary{Text: it.Description}, nil },
	}
}

func TestClusteringGroupsOutletsIntoOneStory(t *testing.T) {
	ms := &memStore{}
	for i, e := range append(talks, quake) {
		ms.pending = append(ms.pending, e.item(clusterNow.Add(time.Duration(i-4)*time.Hour)))
	}
	p := clusteringPipeline(ms)
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := ms.storyOf(1)
	if first == 0 {
		t.Fatal("the first report started no story")
	}
	for _, e := range talks[1:] {
		if got := ms.storyOf(e.id); got != first {
			t.Errorf("%s's report is in story %d; want the first outlet's story %d", e.source, got, first)
		}
		if d := ms.decisions[e.id]; d.StoryID != first {
			t.Errorf("%s's decision carries StoryID %d; want %d so the store joins it", e.source, d.StoryID, first)
		}
	}
	if got := ms.storyOf(quake.id); got == 0 || got == first {
		t.Errorf("a different event about the same country is in story %d; want a story of its own (not %d)", got, first)
	}
	if n, items := p.Cluster.Len(); n != 2 || items != 4 {
		t.Errorf("clusterer holds %d stories and %d items; want 2 and 4", n, items)
	}
}

func TestRestoreKeepsStoryMembership(t *testing.T) {
	ms := &memStore{}
	ms.pending = []story.Item{talks[0].item(clusterNow.Add(-3 * time.Hour)), quake.item(clusterNow.Add(-2 * time.Hour))}
	if err := clusteringPipeline(ms).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}

	// A restarted pipeline starts with an empty clusterer and restores it.
	p := clusteringPipeline(ms)
	ms.mu.Lock()
	ms.pending = []story.Item{talks[2].item(clusterNow.Add(-time.Hour))}
	ms.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, make(chan struct{})) }()
	deadline := time.After(10 * time.Second)
	for ms.storyOf(talks[2].id) == 0 {
		select {
		case <-deadline:
			t.Fatal("the restarted pipeline did not process the new report")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, want := ms.storyOf(talks[2].id), ms.storyOf(talks[0].id); got != want {
		t.Errorf("after a restart, a third outlet's report is in story %d; want the restored story %d", got, want)
	}
}

// The clusterer may know a story the store lacks (a restored backup): the
// item then starts a new story instead of failing forever.
func TestJoinOfAStoryMissingFromTheStoreStartsANewOne(t *testing.T) {
	ms := &memStore{}
	p := clusteringPipeline(ms)
	p.Cluster.Add(42, story.ClusterItemOf(talks[0].item(clusterNow.Add(-2*time.Hour))))
	ms.pending = []story.Item{talks[1].item(clusterNow.Add(-time.Hour))}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := ms.storyOf(talks[1].id)
	if got == 0 || got == 42 {
		t.Fatalf("item is in story %d; want a new story", got)
	}
	if !slices.Contains(p.Cluster.Stories(), got) {
		t.Errorf("clusterer stories %v lack the new story %d", p.Cluster.Stories(), got)
	}
}

// When outlets that agree join a story another outlet's angle started, the
// story is headed again by the item most like the others: its title, link
// and summary go to the store with the join, so the edit shows them.
func TestJoinRefreshesTheStoryHeadline(t *testing.T) {
	ms := &memStore{}
	// Al Jazeera's wording reached us first and was published first; the
	// wire copy follows from two outlets.
	angle, wire1, wire2 := talks[2], talks[0], talks[1]
	ms.pending = []story.Item{
		angle.item(clusterNow.Add(-3 * time.Hour)),
		wire1.item(clusterNow.Add(-2 * time.Hour)),
		wire2.item(clusterNow.Add(-time.Hour)),
	}
	p := clusteringPipeline(ms)
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := ms.storyOf(angle.id)
	if id == 0 || ms.storyOf(wire1.id) != id || ms.storyOf(wire2.id) != id {
		t.Fatalf("stories %d, %d, %d; want the three reports in one", id, ms.storyOf(wire1.id), ms.storyOf(wire2.id))
	}
	// Two items are equally like each other: the earlier one keeps heading.
	if d := ms.decisions[wire1.id]; d.StoryHeadline != "" || d.StoryLink != "" || d.StorySummary != "" {
		t.Errorf("the first join changes the story to %q / %q / %q; want it unchanged", d.StoryHeadline, d.StoryLink, d.StorySummary)
	}
	// With the wire copy twice, it stands for the story; the earlier copy wins.
	want := wire1.item(time.Time{})
	d := ms.decisions[wire2.id]
	if d.StoryHeadline != want.Title || d.StoryLink != want.Link || d.StorySummary != want.Description {
		t.Errorf("the second join sets the story to %q / %q / %q; want the wire copy's %q / %q / %q",
			d.StoryHeadline, d.StoryLink, d.StorySummary, want.Title, want.Link, want.Description)
	}
	st, err := ms.Story(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Headline != want.Title || st.Link != want.Link {
		t.Errorf("story reads %q at %s; want %q at %s", st.Headline, st.Link, want.Title, want.Link)
	}
}

// The incident: a story first known through an explainer is
// headed, and summarized, by the report of the happening once it joins,
// and another explainer joining later does not take the heading back.
func TestReportHeadsTheStoryOverExplainers(t *testing.T) {
	ms := &memStore{}
	mk := func(id int64, src, title, text string, at time.Duration) story.Item {
		return story.Item{ID: id, Source: src, Key: src, Title: title, Description: text,
			Link: "https://" + src + ".example/" + strconv.FormatInt(id, 10), Published: clusterNow.Add(at)}
	}
	explainer := mk(1, "sky", "How was Iran's nuclear talks deal in Muscat reached? What we know",
		"Iran and the US held indirect nuclear talks in Muscat, with Oman's foreign minister carrying messages between the delegations.", -4*time.Hour)
	report := mk(2, "aljazeera", "Iran and US hold indirect nuclear talks in Muscat",
		"Iran and the US held indirect nuclear talks in Muscat on Saturday, Oman's foreign minister carrying messages between the delegations, Tehran said.", -3*time.Hour)
	later := mk(3, "bbc", "Why do Iran's nuclear talks with the US in Muscat matter?",
		"Iran and the US held indirect nuclear talks in Muscat, with Oman's foreign minister carrying messages between the two delegations.", -2*time.Hour)
	ms.pending = []story.Item{explainer, report, later}
	p := clusteringPipeline(ms)
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := ms.storyOf(explainer.ID)
	if id == 0 || ms.storyOf(report.ID) != id || ms.storyOf(later.ID) != id {
		t.Fatalf("stories %d, %d, %d; want one story", id, ms.storyOf(report.ID), ms.storyOf(later.ID))
	}
	st, err := ms.Story(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Headline != report.Title || st.Link != report.Link || st.Summary != report.Description {
		t.Errorf("story is headed %q at %s, summary %q; want the report's %q at %s, %q",
			st.Headline, st.Link, st.Summary, report.Title, report.Link, report.Description)
	}
}

// A translated title heads the story its item starts, and only then: an
// item joining a story leaves its headline to the story's best item.
func TestTranslatedTitleHeadsOnlyANewStory(t *testing.T) {
	const english = "Iran and US to hold talks in Oman (translated)"
	translating := func(source string) Summarizer {
		return func(_ context.Context, it story.Item) (Summary, error) {
			s := Summary{Text: it.Description}
			if it.Source == source {
				s.Title = english
			}
			return s, nil
		}
	}
	for _, tc := range []struct {
		name         string
		translated   string // the source whose item is translated
		wantHeadline string // the story's headline after both items
		wantDecision string // the translated item's StoryHeadline
	}{
		{"the translated item starts the story", talks[0].source, english, english},
		{"the translated item joins", talks[1].source, talks[0].title, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := &memStore{}
			for i, e := range talks[:2] {
				ms.pending = append(ms.pending, e.item(clusterNow.Add(time.Duration(i-2)*time.Hour)))
			}
			p := clusteringPipeline(ms)
			p.Summarize = translating(tc.translated)
			if err := p.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			id := ms.storyOf(talks[0].id)
			if id == 0 || ms.storyOf(talks[1].id) != id {
				t.Fatalf("the two reports are in stories %d and %d; want one", id, ms.storyOf(talks[1].id))
			}
			st, err := ms.Story(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Headline != tc.wantHeadline {
				t.Errorf("story headline %q, want %q", st.Headline, tc.wantHeadline)
			}
			var translatedID int64
			for _, e := range talks[:2] {
				if e.source == tc.translated {
					translatedID = e.id
				}
			}
			if got := ms.decisions[translatedID].StoryHeadline; got != tc.wantDecision {
				t.Errorf("translated item's decision StoryHeadline %q, want %q", got, tc.wantDecision)
			}
		})
	}
}

// orderedStore records the order decisions are recorded in.
type orderedStore struct {
	*memStore
	order []int64
}

func (o *orderedStore) CompleteItem(ctx context.Context, id int64, d store.Decision) error {
	o.order = append(o.order, id)
	return o.memStore.CompleteItem(ctx, id, d)
}

// TestBatchDecidedInPublishedOrderHoweverCut: the items of polls that
// finished together are decided in published order, whatever order the
// store recorded them in (which follows which poll finished first) and
// however MaxHold cuts the batch into rounds (which follows how fast
// summaries come), so which reports make one story does not follow timing.
func TestBatchDecidedInPublishedOrderHoweverCut(t *testing.T) {
	// The store holds the items by poll: the later-published outlet's
	// poll finished first.
	published := map[int64]time.Duration{3: 0, 4: 10 * time.Minute, 1: 20 * time.Minute, 2: 30 * time.Minute}
	recorded := []event{quake, talks[2], talks[0], talks[1]}
	want := []int64{3, 4, 1, 2}
	var first map[int64]int64 // item -> story, from the first case
	for _, tc := range []struct {
		name    string
		maxHold time.Duration
	}{
		{"one round", time.Hour},
		// Every summary takes longer than MaxHold: one item per round.
		{"a round per item", time.Nanosecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := &memStore{}
			for _, e := range recorded {
				ms.pending = append(ms.pending, e.item(clusterNow.Add(-time.Hour+published[e.id])))
			}
			rec := &orderedStore{memStore: ms}
			p := clusteringPipeline(ms)
			p.Store, p.MaxHold = rec, tc.maxHold
			if err := p.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.order, want) {
				t.Errorf("decisions recorded in order %v, want published order %v", rec.order, want)
			}
			got := map[int64]int64{}
			for id, d := range ms.decisions {
				got[id] = d.StoryID
			}
			for s, ids := range ms.stories {
				for _, id := range ids {
					got[id] = int64(s + 1)
				}
			}
			if first == nil {
				first = got
			} else if !maps.Equal(got, first) {
				t.Errorf("stories %v differ from those of one round %v", got, first)
			}
		})
	}
}
