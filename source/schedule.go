package source

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mmcdole/gofeed/rss"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// The poller's schedule, apart from failures and WebSub:
//
//   - Even load: each source polls at a fixed phase of its interval,
//     counted from the Unix epoch, so polls are spread over the interval
//     from the first one on and stay spread across restarts. Feeds of one
//     host get phases evenly apart, so one server never gets them bunched.
//   - Adaptive intervals: a feed's publishing rate is learned from the
//     dates of the items it serves, and the poll rate is made proportional
//     to the square root of it (what minimises the mean delay of items for
//     a given number of requests), scaled so that the feeds together make
//     about as many requests as the flat polling.interval would, within
//     polling.min_interval and polling.max_interval. Feeds without dated
//     items keep polling.interval.
//   - What a feed asks: Cache-Control max-age, Expires and RSS <ttl> set a
//     floor under its interval; RSS skipHours/skipDays move a poll past the
//     skipped hours (UTC, as the RSS spec says GMT).

// rateWindow is how many of a feed's newest dated items estimate its rate:
// enough to smooth bursts, few enough to follow a change within a day.
const rateWindow = 20

// maxRateAge: items older than this say nothing about today's pace; a feed
// whose newest is older counts as quiet.
const maxRateAge = 14 * 24 * time.Hour

// quietRate is the rate assumed for a feed without a dated item in
// maxRateAge (items per hour): one a fortnight, so it sits at max_interval
// but still counts in the request budget.
const quietRate = 1.0 / (14 * 24)

// maxFeedFloor bounds how long a feed's cache headers or <ttl> may stretch
// its interval, so a misconfigured server cannot park a source for days.
const maxFeedFloor = 6 * time.Hour

// scaleRefresh is how often the budget scale is recomputed: it is O(feeds).
const scaleRefresh = 30 * time.Second

// phaseFractions gives each feed a fraction of its interval at which it
// polls. Feeds of one host (with port) are spaced 1/n apart from an offset
// hashed from the host, in name order, so they stay apart; hosts are
// spread by their hashes.
func phaseFractions(feeds []Feed) map[string]float64 {
	byHost := map[string][]string{}
	for _, f := range feeds {
		h := feedHost(f.URL)
		byHost[h] = append(byHost[h], f.Name)
	}
	out := make(map[string]float64, len(feeds))
	for host, names := range byHost {
		sort.Strings(names)
		base := hashFraction(host)
		for i, n := range names {
			_, out[n] = math.Modf(base + float64(i)/float64(len(names)))
		}
	}
	return out
}

// hashFraction maps s to a stable fraction in [0, 1).
func hashFraction(s string) float64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return float64(h.Sum64()>>11) / (1 << 53)
}

// feedHost is the host and port that politeness applies to.
func feedHost(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return rawURL
}

// nextAligned is the first time after not (or at it) whose offset into its
// interval, counted from the Unix epoch, is frac of the interval.
func nextAligned(notBefore time.Time, interval time.Duration, frac float64) time.Time {
	if interval <= 0 {
		return notBefore
	}
	off := time.Duration(frac * float64(interval))
	n := notBefore.UnixNano()
	start := n - n%int64(interval) + int64(off)
	if start < n {
		start += int64(interval)
	}
	return time.Unix(0, start).In(notBefore.Location())
}

// feedRate is what a feed's items say about its pace: the k-th newest
// dated item's time (k ≤ rateWindow). Rate is k items since then.
type feedRate struct {
	k   int
	kth time.Time
}

// rateFromItems estimates the pace from item dates. An item dated exactly
// when fetched is undated (Normalize's fallback) and is ignored.
func rateFromItems(items []story.Item, now time.Time) feedRate {
	var times []time.Time
	for _, it := range items {
		if it.Published.IsZero() || !it.Published.Before(it.Fetched) || now.Sub(it.Published) > maxRateAge {
			continue
		}
		times = append(times, it.Published)
	}
	if len(times) == 0 {
		return feedRate{}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].After(times[j]) })
	k := min(len(times), rateWindow)
	return feedRate{k: k, kth: times[k-1]}
}

// perHour is the rate in items per hour at now. It decays as time passes
// without news, and is never below quietRate. A single item is counted as
// half, so one post does not make a feed look busy.
func (r feedRate) perHour(now time.Time) float64 {
	if r.k == 0 {
		return quietRate
	}
	span := max(now.Sub(r.kth), 10*time.Minute)
	n := float64(r.k)
	if r.k == 1 {
		n = 0.5
	}
	return max(n/span.Hours(), quietRate)
}

// budgetScale returns c such that polling each feed every
// clamp(c/√rate, lo, hi) makes as many requests as polling all of them
// every def: Σ 1/clamp(c/√r) = n/def. The sum falls as c grows, so c is
// found by bisection.
func budgetScale(rates []float64, def, lo, hi time.Duration) float64 {
	if len(rates) == 0 {
		return 0
	}
	target := float64(len(rates)) / def.Seconds()
	perSec := func(c float64) float64 {
		s := 0.0
		for _, r := range rates {
			s += 1 / clampInterval(c/math.Sqrt(r), lo, hi).Seconds()
		}
		return s
	}
	a, b := 1e-3, 1e9 // seconds·√(items/h)
	for range 100 {
		m := math.Sqrt(a * b)
		if perSec(m) > target {
			a = m
		} else {
			b = m
		}
	}
	return math.Sqrt(a * b)
}

func clampInterval(secs float64, lo, hi time.Duration) time.Duration {
	d := time.Duration(secs * float64(time.Second))
	return max(lo, min(d, hi))
}

// adaptiveInterval is a feed's interval for its rate and the budget scale,
// with the reason in words for `briefbot sources`.
func adaptiveInterval(rate, scale float64, lo, hi time.Duration) (time.Duration, string) {
	raw := time.Duration(scale / math.Sqrt(rate) * float64(time.Second))
	d := max(lo, min(raw, hi))
	why := fmt.Sprintf("adaptive, %s items/day", formatRate(rate*24))
	switch {
	case raw < lo:
		why += ", at min_interval"
	case raw > hi:
		why += ", at max_interval"
	}
	return d, why
}

func formatRate(perDay float64) string {
	if perDay < 10 {
		return strconv.FormatFloat(perDay, 'f', 1, 64)
	}
	return strconv.FormatFloat(perDay, 'f', 0, 64)
}

// feedHints are what a feed asks of its pollers.
type feedHints struct {
	// floor is the shortest interval the feed asks for; why names the source.
	floor time.Duration
	why   string
	// skipHours (bit h, UTC) and skipDays (bit weekday) from RSS.
	skipHours uint32
	skipDays  uint8
}

// hintsFrom reads Cache-Control max-age, Expires, RSS <ttl>, skipHours and
// skipDays from a 200 response and its parsed document.
func hintsFrom(hdr http.Header, doc *Document, now time.Time) feedHints {
	var h feedHints
	raise := func(d time.Duration, why string) {
		d = min(d, maxFeedFloor)
		if d > h.floor {
			h.floor, h.why = d, why
		}
	}
	if hdr != nil {
		if d, ok := cacheMaxAge(hdr.Get("Cache-Control")); ok {
			raise(d, "Cache-Control max-age")
		} else if e := hdr.Get("Expires"); e != "" {
			if t, err := http.ParseTime(e); err == nil {
				raise(t.Sub(now), "Expires")
			}
		}
	}
	if doc == nil || doc.Feed == nil {
		return h
	}
	orig, ok := doc.Feed.OriginalFeed().(*rss.Feed)
	if !ok || orig == nil {
		return h
	}
	if ttl, err := strconv.Atoi(strings.TrimSpace(orig.TTL)); err == nil && ttl > 0 {
		raise(time.Duration(ttl)*time.Minute, "RSS ttl")
	}
	if orig.SkipHours != nil {
		for _, s := range orig.SkipHours {
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 && n < 24 {
				h.skipHours |= 1 << n
			}
		}
	}
	for _, s := range orig.SkipDays {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(strings.TrimSpace(s), d.String()) {
				h.skipDays |= 1 << d
			}
		}
	}
	if h.skipHours == 1<<24-1 || h.skipDays == 1<<7-1 {
		h.skipHours, h.skipDays = 0, 0 // "never poll" is a mistake, not a wish
	}
	return h
}

// cacheMaxAge reads max-age (or s-maxage) from Cache-Control; no-cache and
// no-store mean no floor.
func cacheMaxAge(cc string) (time.Duration, bool) {
	var age time.Duration
	found := false
	for _, part := range strings.Split(cc, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "no-cache", "no-store":
			return 0, false
		case "max-age", "s-maxage":
			if n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64); err == nil && n >= 0 {
				age, found = max(age, time.Duration(min(n, int64(maxFeedFloor/time.Second)))*time.Second), true
			}
		}
	}
	return age, found
}

// skipForward moves t past the hours and days the feed asks not to be
// polled in, to the start of the next allowed hour.
func (h feedHints) skipForward(t time.Time) time.Time {
	if h.skipHours == 0 && h.skipDays == 0 {
		return t
	}
	u := t.UTC()
	for range 24 * 8 {
		if h.skipHours&(1<<u.Hour()) == 0 && h.skipDays&(1<<u.Weekday()) == 0 {
			if u.Equal(t.UTC()) {
				return t
			}
			return u
		}
		u = u.Truncate(time.Hour).Add(time.Hour)
	}
	return t
}

// scheduler keeps what the poller learns about each feed's pace and asks.
// It is safe for concurrent use.
type scheduler struct {
	def, lo, hi time.Duration
	now         func() time.Time

	mu      sync.Mutex
	phases  map[string]float64 // of the feeds polled now; unknown feeds hash their name
	byName  map[string]Feed    // the feeds polled now
	feeds   map[string]*feedSchedule
	learned int // feeds with a learned rate
	scale   float64
	scaleAt time.Time
	scaleN  int // learned, when scale was computed
}

type feedSchedule struct {
	rate  feedRate
	hints feedHints
	due   time.Time // when the next poll was scheduled for, by next
}

func newScheduler(feeds []Feed, def, lo, hi time.Duration, now func() time.Time) *scheduler {
	if lo <= 0 || lo > def {
		lo = min(def, DefaultMinInterval)
	}
	if hi < def {
		hi = max(def, DefaultMaxInterval)
	}
	byName := make(map[string]Feed, len(feeds))
	for _, f := range feeds {
		byName[f.Name] = f
	}
	return &scheduler{def: def, lo: lo, hi: hi, now: now, phases: phaseFractions(feeds), byName: byName, feeds: map[string]*feedSchedule{}}
}

// has reports whether name is one of the feeds.
func (s *scheduler) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.byName[name]
	return ok
}

// setFeeds makes feeds the ones whose phases are spread (by host), as
// SetFeeds changes what is polled.
func (s *scheduler) setFeeds(feeds []Feed) {
	byName := make(map[string]Feed, len(feeds))
	for _, f := range feeds {
		byName[f.Name] = f
	}
	phases := phaseFractions(feeds)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phases, s.byName = phases, byName
	// A feed no longer polled leaves the request budget.
	for name, fs := range s.feeds {
		if _, ok := byName[name]; !ok {
			if fs.rate.k > 0 {
				s.learned--
			}
			delete(s.feeds, name)
		}
	}
}

// setDefault changes the interval of feeds with no learned rate, and so
// the request budget the adaptive intervals share (a reloaded
// polling.interval).
func (s *scheduler) setDefault(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d != s.def {
		s.def, s.scaleAt = d, time.Time{} // the scale is recomputed on next use
	}
}

// feed is the polled feed named name.
func (s *scheduler) feed(name string) (Feed, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.byName[name]
	return f, ok
}

// phaseLocked is a feed's phase within its interval; s.mu is held.
func (s *scheduler) phaseLocked(name string) float64 {
	if f, ok := s.phases[name]; ok {
		return f
	}
	return hashFraction(name)
}

// observe records a successful poll's items and hints. Items without
// dates leave the learned rate as it was.
func (s *scheduler) observe(name string, items []story.Item, hints feedHints, now time.Time) {
	r := rateFromItems(items, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.feeds[name]
	if fs == nil {
		fs = &feedSchedule{}
		s.feeds[name] = fs
	}
	if r.k > 0 {
		if fs.rate.k == 0 {
			s.learned++
		}
		fs.rate = r
	}
	fs.hints = hints
}

// interval is a feed's current interval and why, before failures and push.
// A feed configured with its own interval keeps it (hints still apply).
func (s *scheduler) interval(feed Feed) (time.Duration, string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.feeds[feed.Name]
	var d time.Duration
	var why string
	switch {
	case feed.Interval > 0:
		d, why = feed.Interval, "configured for this source"
	case fs == nil || fs.rate.k == 0:
		d, why = s.def, "polling.interval (no dated items yet)"
	default:
		// Also whenever 5% more feeds have been learned: a scale from the
		// first few feeds polled (all busy, say) would send the quiet ones
		// polled next to far too long intervals, which they keep.
		if s.scaleAt.IsZero() || now.Sub(s.scaleAt) > scaleRefresh || s.learned > s.scaleN+s.scaleN/20 {
			s.refreshScaleLocked(now)
		}
		d, why = adaptiveInterval(fs.rate.perHour(now), s.scale, s.lo, s.hi)
	}
	if fs != nil && fs.hints.floor > d {
		d, why = fs.hints.floor, fs.hints.why+" "+roundDuration(fs.hints.floor)
	}
	return d, why
}

// refreshScaleLocked recomputes the budget scale over the feeds that have
// a learned rate; feeds without one poll at the default and are left out.
func (s *scheduler) refreshScaleLocked(now time.Time) {
	rates := make([]float64, 0, len(s.feeds))
	for _, fs := range s.feeds {
		if fs.rate.k > 0 {
			rates = append(rates, fs.rate.perHour(now))
		}
	}
	s.scale, s.scaleAt, s.scaleN = budgetScale(rates, s.def, s.lo, s.hi), now, len(rates)
}

// next is when a feed polled at now should be polled again: one interval
// after the time this poll was due (so time spent waiting for a slot and
// fetching does not push every later poll back), on its phase if that is
// 90–110% of an interval on, else, after the interval changed, one
// interval on; never sooner than 90% of an interval from now (so a poll
// that ran late is not followed by one too soon); and outside its skipped
// hours. Realigning to the phase after every change would make gaps
// average 1.4 intervals, spending less than the request budget.
func (s *scheduler) next(feed Feed, interval time.Duration, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.feeds[feed.Name]
	if fs == nil {
		fs = &feedSchedule{}
		s.feeds[feed.Name] = fs
	}
	from := now
	if !fs.due.IsZero() && !fs.due.After(now) && now.Sub(fs.due) < interval {
		from = fs.due
	}
	at := nextAligned(from.Add(interval*9/10), interval, s.phaseLocked(feed.Name))
	if at.Sub(from) > interval*11/10 {
		at = from.Add(interval)
	}
	at = maxTime(at, now.Add(interval*9/10))
	at = fs.hints.skipForward(at)
	fs.due = at
	return at.Sub(now)
}

// first is the wait before a feed's first poll in this process: its phase
// within the interval, or later if the store says it was polled recently.
func (s *scheduler) first(feed Feed, interval time.Duration, now, due time.Time) time.Duration {
	s.mu.Lock()
	frac := s.phaseLocked(feed.Name)
	s.mu.Unlock()
	return nextAligned(maxTime(now, due), interval, frac).Sub(now)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// FormatInterval prints an interval the way people say it: "45s", "2m",
// "1h30m" (for `briefbot sources`).
func FormatInterval(d time.Duration) string { return roundDuration(d) }

// scheduleNoter is the poller's store: each poll it records carries the
// source's interval and why, for `briefbot sources`.
type scheduleNoter struct {
	Store
	p *Poller
}

func (n scheduleNoter) RecordPoll(ctx context.Context, source string, poll store.Poll) ([]story.Item, error) {
	if poll.Interval == 0 {
		feed, ok := n.p.sched.feed(source)
		if !ok {
			feed = Feed{Name: source}
		}
		var d time.Duration
		d, poll.IntervalReason = n.p.sched.interval(feed)
		if poll.Interval = n.p.interval(feed); poll.Interval != d {
			poll.IntervalReason += ", slowed while WebSub pushes"
		}
	}
	return n.Store.RecordPoll(ctx, source, poll)
}
