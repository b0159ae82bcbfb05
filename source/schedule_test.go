package source

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/briefbot/briefbot/story"
)

// TestPhaseSpreading pins the even load: 1,000 feeds on 10 hosts start
// over one 2-minute interval with no 10-second window holding more than
// twice the average share, and feeds of one host are at least 1/n of the
// interval apart.
func TestPhaseSpreading(t *testing.T) {
	const n, hosts, interval = 1000, 10, 2 * time.Minute
	feeds := make([]Feed, n)
	for i := range feeds {
		feeds[i] = Feed{Name: fmt.Sprintf("feed-%04d", i), URL: fmt.Sprintf("http://127.0.0.1:%d/f/%d.xml", 9000+i%hosts, i)}
	}
	s := newScheduler(feeds, interval, 0, 0, time.Now)
	now := time.Date(2026, 12, 7, 17, 0, 3, 0, time.UTC)
	windows := make([]int, interval/(10*time.Second))
	byHost := map[string][]time.Duration{}
	for _, f := range feeds {
		d := s.first(f, interval, now, now)
		if d < 0 || d >= interval {
			t.Fatalf("%s: first poll in %s, want within [0, %s)", f.Name, d, interval)
		}
		windows[d/(10*time.Second)]++
		byHost[feedHost(f.URL)] = append(byHost[feedHost(f.URL)], d)
	}
	avg := float64(n) / float64(len(windows))
	for i, c := range windows {
		if float64(c) > 2*avg {
			t.Errorf("window %d holds %d first polls, more than twice the average %.0f", i, c, avg)
		}
	}
	for host, ds := range byHost {
		gap := minCircularGap(ds, interval)
		if want := interval / time.Duration(len(ds)); gap < want-time.Millisecond {
			t.Errorf("host %s: two feeds %s apart, want at least %s", host, gap, want)
		}
	}
	// The phase is stable: a restart lands on the same offset.
	f := feeds[7]
	a := now.Add(s.first(f, interval, now, now))
	later := now.Add(17 * time.Minute)
	b := later.Add(s.first(f, interval, later, later))
	if b.Sub(a)%interval != 0 {
		t.Errorf("phase moved across a restart: %s then %s", a, b)
	}
}

func minCircularGap(ds []time.Duration, period time.Duration) time.Duration {
	gap := period
	for i := range ds {
		for j := range ds {
			if i == j {
				continue
			}
			d := (ds[i] - ds[j] + period) % period
			gap = min(gap, d)
		}
	}
	return gap
}

// TestNextStaysOnPhase: after a poll on phase, the next is one interval on,
// even when the poll itself took a few seconds.
func TestNextStaysOnPhase(t *testing.T) {
	f := Feed{Name: "a", URL: "http://h/a"}
	s := newScheduler([]Feed{f}, 2*time.Minute, 0, 0, time.Now)
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	at := now.Add(s.first(f, 2*time.Minute, now, now))
	polledAt := at.Add(3 * time.Second)
	if got := polledAt.Add(s.next(f, 2*time.Minute, polledAt)); !got.Equal(at.Add(2 * time.Minute)) {
		t.Errorf("next poll at %s, want %s", got, at.Add(2*time.Minute))
	}
}

// TestAdaptiveBounds pins the adaptive schedule: busy feeds poll more
// often than the flat interval, quiet ones less, all within the bounds,
// and the total request rate equals the flat schedule's unless the
// bounds make that impossible.
func TestAdaptiveBounds(t *testing.T) {
	const def, lo, hi = 2 * time.Minute, 30 * time.Second, 30 * time.Minute
	tests := []struct {
		name  string
		rates []float64 // items per hour
	}{
		{"10% busy, 90% quiet", append(repeat(6, 100), repeat(0.05, 900)...)},
		{"spread of rates", []float64{0.01, 0.1, 0.5, 1, 2, 4, 8, 16, 30, 60}},
		{"all alike", repeat(3, 50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := budgetScale(tt.rates, def, lo, hi)
			perSec := 0.0
			var busiest, quietest time.Duration
			for i, r := range tt.rates {
				d, why := adaptiveInterval(r, c, lo, hi)
				if d < lo || d > hi {
					t.Fatalf("rate %.2f/h: interval %s outside [%s, %s]", r, d, lo, hi)
				}
				if why == "" {
					t.Fatal("no reason given")
				}
				perSec += 1 / d.Seconds()
				if i == 0 || r == max(tt.rates[0], r) {
					busiest = d
				}
				quietest = max(quietest, d)
			}
			flat := float64(len(tt.rates)) / def.Seconds()
			if math.Abs(perSec/flat-1) > 0.01 {
				t.Errorf("requests %.3f/s, flat schedule %.3f/s: want the same", perSec, flat)
			}
			if tt.rates[0] != tt.rates[len(tt.rates)-1] && !(busiest < def && quietest > def) {
				t.Errorf("busiest polls every %s, quietest every %s: want them either side of %s", busiest, quietest, def)
			}
		})
	}
	// Extremes are clamped.
	if d, why := adaptiveInterval(1e6, 1000, lo, hi); d != lo || why == "" {
		t.Errorf("a firehose polls every %s (%s), want min_interval %s", d, why, lo)
	}
	if d, _ := adaptiveInterval(quietRate, 1000, lo, hi); d != hi {
		t.Errorf("a silent feed polls every %s, want max_interval %s", d, hi)
	}
}

func repeat(r float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// TestSchedulerLearnsRate: a feed publishing every few minutes gets a
// shorter interval than one publishing daily; undated items teach nothing.
func TestSchedulerLearnsRate(t *testing.T) {
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	busy, quiet, undated := Feed{Name: "busy"}, Feed{Name: "quiet"}, Feed{Name: "undated"}
	s := newScheduler([]Feed{busy, quiet, undated}, 2*time.Minute, 30*time.Second, 30*time.Minute, func() time.Time { return now })
	s.observe("busy", itemsEvery(now, 3*time.Minute, 20), feedHints{}, now)
	s.observe("quiet", itemsEvery(now, 24*time.Hour, 5), feedHints{}, now)
	s.observe("undated", itemsEvery(now, 0, 20), feedHints{}, now)
	b, _ := s.interval(busy)
	q, _ := s.interval(quiet)
	u, why := s.interval(undated)
	if !(b < 2*time.Minute && q > 2*time.Minute) {
		t.Errorf("busy every %s, quiet every %s: want busy < 2m < quiet", b, q)
	}
	if u != 2*time.Minute {
		t.Errorf("undated feed every %s (%s), want polling.interval", u, why)
	}
	// A configured interval wins over learning.
	if d, _ := s.interval(Feed{Name: "busy", Interval: 5 * time.Minute}); d != 5*time.Minute {
		t.Errorf("configured 5m, got %s", d)
	}
}

// TestSchedulerFollowsFeedSetAndDefault: a reloaded polling.interval
// applies to feeds with no learned rate, and a feed no longer polled
// leaves the request budget.
func TestSchedulerFollowsFeedSetAndDefault(t *testing.T) {
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	busy, quiet, undated := Feed{Name: "busy"}, Feed{Name: "quiet"}, Feed{Name: "undated"}
	s := newScheduler([]Feed{busy, quiet, undated}, 2*time.Minute, 30*time.Second, 30*time.Minute, func() time.Time { return now })
	s.observe("busy", itemsEvery(now, 3*time.Minute, 20), feedHints{}, now)
	s.observe("quiet", itemsEvery(now, 24*time.Hour, 5), feedHints{}, now)
	before, _ := s.interval(quiet)

	s.setDefault(5 * time.Minute)
	if u, why := s.interval(undated); u != 5*time.Minute {
		t.Errorf("undated feed every %s (%s) after the default became 5m", u, why)
	}
	s.setFeeds([]Feed{quiet, undated})
	if s.learned != 1 || s.feeds["busy"] != nil {
		t.Errorf("after busy left: learned %d, busy kept %v; want 1 and gone", s.learned, s.feeds["busy"] != nil)
	}
	// Alone in a larger budget, the quiet feed is polled more often.
	if after, _ := s.interval(quiet); after >= before {
		t.Errorf("quiet feed every %s with the busy one gone and a 5m default, was %s: want sooner", after, before)
	}
}

func itemsEvery(now time.Time, every time.Duration, n int) []story.Item {
	items := make([]story.Item, n)
	for i := range items {
		items[i] = story.Item{Published: now.Add(-time.Duration(i) * every), Fetched: now}
	}
	return items
}

// TestFeedHints: what a feed asks raises its interval and skips hours.
func TestFeedHints(t *testing.T) {
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC) // a Monday
	rssDoc := func(extra string) *Document {
		doc, err := Parse([]byte(`<rss version="2.0"><channel><title>t</title>`+extra+`<item><title>a</title></item></channel></rss>`), "", "")
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	tests := []struct {
		name  string
		hdr   http.Header
		doc   *Document
		floor time.Duration
		why   string
	}{
		{"max-age", http.Header{"Cache-Control": {"public, max-age=600"}}, nil, 10 * time.Minute, "Cache-Control max-age"},
		{"no-cache", http.Header{"Cache-Control": {"no-cache, max-age=600"}}, nil, 0, ""},
		{"expires", http.Header{"Expires": {now.Add(5 * time.Minute).Format(http.TimeFormat)}}, nil, 5 * time.Minute, "Expires"},
		{"ttl", nil, rssDoc("<ttl>60</ttl>"), time.Hour, "RSS ttl"},
		{"capped", http.Header{"Cache-Control": {"max-age=999999"}}, nil, maxFeedFloor, "Cache-Control max-age"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hintsFrom(tt.hdr, tt.doc, now)
			if h.floor != tt.floor || h.why != tt.why {
				t.Errorf("floor %s (%q), want %s (%q)", h.floor, h.why, tt.floor, tt.why)
			}
		})
	}
	h := hintsFrom(nil, rssDoc("<skipHours><hour>17</hour><hour>18</hour></skipHours><skipDays><day>Tuesday</day></skipDays>"), now)
	if got, want := h.skipForward(now.Add(10*time.Minute)), now.Add(2*time.Hour); !got.Equal(want) {
		t.Errorf("poll in a skipped hour moved to %s, want %s", got, want)
	}
	tuesday := time.Date(2026, 12, 8, 10, 30, 0, 0, time.UTC)
	if got, want := h.skipForward(tuesday), time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("poll before a skipped day moved to %s, want %s", got, want)
	}
	if got := h.skipForward(now.Add(-time.Hour)); !got.Equal(now.Add(-time.Hour)) {
		t.Errorf("an allowed hour moved to %s", got)
	}
	// A feed's floor overrides the learned interval.
	s := newScheduler(nil, 2*time.Minute, 0, 0, func() time.Time { return now })
	s.observe("f", itemsEvery(now, time.Minute, 20), feedHints{floor: 10 * time.Minute, why: "RSS ttl"}, now)
	if d, why := s.interval(Feed{Name: "f"}); d != 10*time.Minute || why != "RSS ttl 10m" {
		t.Errorf("interval %s (%q), want the feed's 10m ttl", d, why)
	}
}

// TestScheduleKeepsBudget runs the schedule over 1,000 feeds (10% busy)
// for 20 minutes with every poll taking 6 s: busy feeds sit at
// min_interval, quiet ones above the flat interval, and the polls after
// warm-up match the flat schedule's count. Polls that take time must not
// push every later poll back.
func TestScheduleKeepsBudget(t *testing.T) {
	const flat, pollTakes = 2 * time.Minute, 6 * time.Second
	start := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	clock := start
	var feeds []Feed
	for i := range 1000 {
		feeds = append(feeds, Feed{Name: fmt.Sprintf("f%d", i), URL: fmt.Sprintf("http://h%d/x%d", i%16, i)})
	}
	s := newScheduler(feeds, flat, 30*time.Second, 30*time.Minute, func() time.Time { return clock })
	due := map[string]time.Time{}
	for i, f := range feeds {
		every := 6 * time.Hour
		if i%10 == 0 {
			every = 5 * time.Minute
		}
		s.observe(f.Name, itemsEvery(start, every, 20), feedHints{}, start)
		due[f.Name] = start.Add(s.first(f, flat, start, start))
	}
	polls, warm, end := 0, start.Add(4*time.Minute), start.Add(20*time.Minute)
	for clock = start; clock.Before(end); clock = clock.Add(250 * time.Millisecond) {
		for _, f := range feeds {
			if due[f.Name].After(clock) {
				continue
			}
			if clock.After(warm) {
				polls++
			}
			done := clock.Add(pollTakes)
			iv, _ := s.interval(f)
			due[f.Name] = done.Add(s.next(f, iv, done))
		}
	}
	perFlat := float64(polls) / float64(end.Sub(warm)/flat)
	if perFlat < 970 || perFlat > 1030 {
		t.Errorf("%.0f polls per flat interval, want about 1,000", perFlat)
	}
	b, _ := s.interval(feeds[0])
	q, _ := s.interval(feeds[1])
	if b != 30*time.Second || q <= flat {
		t.Errorf("busy every %s, quiet every %s: want 30s and above %s", b, q, flat)
	}
}

// TestPollRecordsInterval: every recorded poll carries the source's
// interval and why, which `briefbot sources` shows; a feed's <ttl> shows
// as the reason.
func TestPollRecordsInterval(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("<ttl>15</ttl>", hourly("a", 3, pollNow)...), "", 0)
	fx.feed.Interval = 0
	fx.p = fx.newPoller(t)
	if _, err := fx.p.PollOnce(context.Background(), fx.feed); err != nil {
		t.Fatal(err)
	}
	if len(fx.store.polls) != 1 {
		t.Fatalf("%d polls recorded, want 1", len(fx.store.polls))
	}
	if p := fx.store.polls[0]; p.Interval != 15*time.Minute || p.IntervalReason != "RSS ttl 15m" {
		t.Errorf("recorded interval %s (%q), want 15m (\"RSS ttl 15m\")", p.Interval, p.IntervalReason)
	}
}

// TestScaleFollowsWarmUp: when the busy feeds happen to be polled first,
// the quiet ones polled right after still get the interval the whole set
// calls for, not one scaled for the busy feeds alone.
func TestScaleFollowsWarmUp(t *testing.T) {
	now := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	var feeds []Feed
	for i := range 1000 {
		feeds = append(feeds, Feed{Name: fmt.Sprintf("f%d", i)})
	}
	observeAll := func(s *scheduler, busyFirst bool) {
		for _, busy := range []bool{busyFirst, !busyFirst} {
			for i, f := range feeds {
				if (i%10 == 0) == busy {
					every := 6 * time.Hour
					if busy {
						every = 5 * time.Minute
					}
					s.observe(f.Name, itemsEvery(now, every, 20), feedHints{}, now)
					s.interval(f) // as the poller asks after each poll
				}
			}
		}
	}
	clock := func() time.Time { return now }
	warm := newScheduler(feeds, 2*time.Minute, 30*time.Second, 30*time.Minute, clock)
	observeAll(warm, true)
	all := newScheduler(feeds, 2*time.Minute, 30*time.Second, 30*time.Minute, clock)
	observeAll(all, false)
	got, _ := warm.interval(feeds[1])
	want, _ := all.interval(feeds[1])
	if d := got - want; d > want/10 || d < -want/10 {
		t.Errorf("quiet feed polled every %s after a busy-first warm-up, want about %s", got, want)
	}
}
