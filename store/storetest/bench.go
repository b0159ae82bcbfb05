package storetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// The benchmark data both stores use, so their figures compare directly.

// BenchItem is sized like a real feed entry: a headline, a two-sentence
// teaser and a few paragraphs of body.
func BenchItem(src string, n int, at time.Time) story.Item {
	key := fmt.Sprintf("https://%s.example/news/2025/03/14/story-%d", src, n)
	return story.Item{
		Source:      src,
		Key:         key,
		GUID:        key,
		Link:        key,
		Title:       fmt.Sprintf("Envoys meet for round %d of indirect talks as regional mediators push for a deal", n),
		Description: strings.Repeat("Delegations met for several hours and agreed to continue talks next week. ", 4),
		Content:     strings.Repeat("Officials familiar with the talks said both sides exchanged written proposals. ", 20),
		Author:      "Staff reporter",
		Language:    "en",
		Published:   at.Add(-20 * time.Minute),
		Fetched:     at,
	}
}

// BenchWindow is one poll of a feed that shows its newest size items, the
// newest being number newest.
func BenchWindow(src string, newest, size int, at time.Time) []store.NewItem {
	items := make([]store.NewItem, 0, size)
	for n := newest; n > newest-size && n >= 0; n-- {
		items = append(items, store.NewItem{Item: BenchItem(src, n, at), Pending: true})
	}
	return items
}

// BenchRecordPoll reports inserted items per second for the polls a running
// bot makes: a new source's first page, a feed of 50 that gained 2 items
// since the last poll (the common case: mostly duplicates), and 8 sources
// polled at once. open gives each sub-benchmark an empty store.
func BenchRecordPoll(b *testing.B, open func(b *testing.B) store.Store) {
	const size = 50
	b.Run("first-poll-50-new", func(b *testing.B) {
		s := open(b)
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		inserted := 0
		for i := 0; b.Loop(); i++ {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
			got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: BenchWindow(src, size-1, size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("steady-2-new-of-50", func(b *testing.B) {
		s := open(b)
		if err := s.EnsureSource(b.Context(), "src", "https://src.example/feed"); err != nil {
			b.Fatal(err)
		}
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		if _, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: BenchWindow("src", size-1, size, at)}); err != nil {
			b.Fatal(err)
		}
		inserted, polled := 0, 0
		for i := 0; b.Loop(); i++ {
			at := at.Add(time.Duration(i+1) * 2 * time.Minute)
			got, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: BenchWindow("src", size-1+2*(i+1), size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
			polled += size
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
		b.ReportMetric(float64(polled)/b.Elapsed().Seconds(), "feed-items/s")
	})
	b.Run("parallel-8-sources-2-new-of-50", func(b *testing.B) {
		s := open(b)
		for i := range 8 {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
		}
		const parallelism = 4 // × GOMAXPROCS goroutines, like that many pollers
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		// Each goroutine polls its own number range, so every poll's 2
		// newest items are new; its first window is stored before timing.
		goroutines := parallelism * runtime.GOMAXPROCS(0)
		for id := 1; id <= goroutines; id++ {
			src := fmt.Sprintf("src%d", id%8)
			if _, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: BenchWindow(src, id*1_000_000+size-1, size, at)}); err != nil {
				b.Fatal(err)
			}
		}
		var next, inserted atomic.Int64
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := int(next.Add(1))
			src := fmt.Sprintf("src%d", id%8)
			base := id * 1_000_000
			for i := 1; pb.Next(); i++ {
				got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: BenchWindow(src, base+size-1+2*i, size, at)})
				if err != nil {
					b.Error(err)
					return
				}
				inserted.Add(int64(len(got)))
			}
		})
		b.ReportMetric(float64(inserted.Load())/b.Elapsed().Seconds(), "items/s")
	})
}

// The story corpus: word frequencies follow Zipf's law like real text, and
// a few marker words occur at fixed rates so searches of known selectivity
// can be timed.
var benchMarkers = []struct {
	word string
	rate float64 // share of stories whose headline or summary has it
}{
	{"iran", 0.30},      // a word most stories share
	{"ceasefire", 0.08}, // a common subject
	{"hormuz", 0.005},   // a rare one
}

// Stories arrive every BenchEvery from BenchStart: 100,000 span a year.
var (
	BenchStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	BenchEvery = 5 * time.Minute
)

// BenchSources are the sources the corpus's items come from, in turn.
var BenchSources = []string{"reuters", "ap", "aljazeera", "bbc"}

// BenchStory is one story of the corpus with its one item; the item and
// the story share ID, link and headline.
type BenchStory struct {
	ID        int64 // 1, 2, 3…
	Source    string
	Link      string
	Headline  string
	Summary   string
	Published time.Time // the item's and the story's
	FirstSeen time.Time // also the item's fetch time and the story's update
	Topics    []string
	Subtopics []string
}

// BenchStories generates the n-story corpus, the same on every call (fixed
// seed). Stores write it directly (CompleteItem per story would make setup
// take minutes) as the rows CompleteItem would write.
func BenchStories(n int) []BenchStory {
	topics := []string{"mideast-diplomacy", "gaza", "energy", "sanctions"}
	topicWeights := []float64{0.6, 0.25, 0.1, 0.05}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, 20_000)
	words := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		return out
	}
	pick := func() string {
		x := rng.Float64()
		for i, w := range topicWeights {
			if x < w {
				return topics[i]
			}
			x -= w
		}
		return topics[0]
	}
	out := make([]BenchStory, 0, n)
	for i := range n {
		head, summary := words(10), words(40)
		for _, m := range benchMarkers {
			if rng.Float64() < m.rate {
				if rng.IntN(2) == 0 {
					head[rng.IntN(len(head))] = m.word
				} else {
					summary[rng.IntN(len(summary))] = m.word
				}
			}
		}
		seen := BenchStart.Add(time.Duration(i) * BenchEvery)
		src := BenchSources[i%len(BenchSources)]
		ts := []string{pick()}
		if t2 := pick(); t2 != ts[0] && rng.IntN(4) == 0 {
			ts = append(ts, t2)
		}
		out = append(out, BenchStory{
			ID:        int64(i + 1),
			Source:    src,
			Link:      fmt.Sprintf("https://%s.example/news/%d", src, i),
			Headline:  strings.Join(head, " "),
			Summary:   strings.Join(summary, " "),
			Published: seen.Add(-20 * time.Minute),
			FirstSeen: seen,
			Topics:    ts,
			Subtopics: []string{"talks"},
		})
	}
	return out
}

// BenchStoryCount is how many stories BenchStories runs on: 100,000 (the
// figure the README reports) unless BRIEFBOT_BENCH_STORIES sets fewer, as
// CI's one-pass smoke run does.
func BenchStoryCount() int {
	if v, err := strconv.Atoi(os.Getenv("BRIEFBOT_BENCH_STORIES")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

// BenchStoriesRead times the reads behind /latest and /topic on s, which
// holds BenchStories(n), reporting the 99th percentile beside the mean.
func BenchStoriesRead(b *testing.B, s store.Store, n int) {
	last := BenchStart.Add(time.Duration(n-1) * BenchEvery)
	queries := []struct {
		name string
		q    store.StoryQuery
	}{
		{"latest", store.StoryQuery{Limit: 5}},
		{"topic-60pct", store.StoryQuery{Topic: "mideast-diplomacy", Limit: 5}},
		{"topic-5pct", store.StoryQuery{Topic: "sanctions", Limit: 10}},
		{"topic-since-72h", store.StoryQuery{Topic: "gaza", Since: last.Add(-72 * time.Hour), Limit: 10}},
		{"text-30pct", store.StoryQuery{Text: "Iran", Limit: 5}},
		{"text-8pct", store.StoryQuery{Text: "ceasefire", Limit: 5}},
		{"text-0.5pct", store.StoryQuery{Text: "hormuz", Limit: 5}},
		{"text-two-words", store.StoryQuery{Text: "iran ceasefire", Limit: 5}},
		{"text-and-topic", store.StoryQuery{Text: "ceasefire", Topic: "gaza", Limit: 5}},
		{"text-30pct-rare-topic", store.StoryQuery{Text: "iran", Topic: "sanctions", Limit: 5}},
		{"text-30pct-since-72h", store.StoryQuery{Text: "iran", Since: last.Add(-72 * time.Hour), Limit: 5}},
		{"text-no-match", store.StoryQuery{Text: "zzzz", Limit: 5}},
	}
	for _, tc := range queries {
		b.Run(tc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				got, err := s.Stories(b.Context(), tc.q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 && tc.name != "text-no-match" {
					b.Fatalf("%s found nothing", tc.name)
				}
			}
			reportP99(b, lat)
		})
	}
	b.Run("story-by-id", func(b *testing.B) {
		var lat []time.Duration
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			if _, err := s.Story(b.Context(), int64(1+i*7919%n)); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		reportP99(b, lat)
	})
}

func reportP99(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
