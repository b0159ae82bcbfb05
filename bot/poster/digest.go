package poster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/store"
)

// DigestStore is the part of store.Store the digester uses.
type DigestStore interface {
	Subscriptions(ctx context.Context, f store.SubscriptionFilter) ([]store.Subscription, error)
	Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error)
	EnqueueDigest(ctx context.Context, subscriptionID int64, slot time.Time, storyIDs []int64) (bool, error)
}

// DigesterOptions configure a Digester. Store is required.
type DigesterOptions struct {
	Store DigestStore
	Log   *slog.Logger
	Now   func() time.Time
	// Tick is how often subscriptions are checked for a due slot; a digest
	// goes out at most this late. Default 30s.
	Tick time.Duration
	// MaxStories is how many stories a digest lists at most. Default 10.
	MaxStories int
	// MaxLate is how old a slot may be and still be sent: a bot down
	// overnight sends the latest missed digest on return, not every one,
	// and none from long ago. Default 6h.
	MaxLate time.Duration
	// Wake is called after a digest delivery is enqueued; pass the
	// poster's Wake.
	Wake func()
	// SourceVisible reports whether a server may see a source's items
	// (pass the poster's Options.SourceVisible): a digest lists only
	// stories an outlet its server may see carried, so another server's
	// own feed never reaches it. Nil: every source.
	SourceVisible func(guildID, source string) bool
}

// Defaults for DigesterOptions.
const (
	DefaultDigestTick = 30 * time.Second
	DefaultMaxStories = 10
	DefaultMaxLate    = 6 * time.Hour

	// firstDigestLookback bounds a subscription's first digest when it
	// has no Since: at most the last day, not the whole archive.
	firstDigestLookback = 24 * time.Hour
	// storyScan is how many of a topic's newest stories are read to pick
	// a digest's top ones.
	storyScan = 500
)

// Digester enqueues each digest subscription's digest at its times.
// Several digesters, in one process or several sharing the database,
// enqueue each slot once: the store lets only one move a subscription's
// LastDigest past a slot.
type Digester struct {
	o   DigesterOptions
	log *slog.Logger

	mu   sync.Mutex
	locs map[string]*time.Location
}

// NewDigester returns a digester; it does nothing until Run.
func NewDigester(o DigesterOptions) (*Digester, error) {
	if o.Store == nil {
		return nil, errors.New("poster: DigesterOptions.Store is nil; pass the store")
	}
	if o.Tick <= 0 {
		o.Tick = DefaultDigestTick
	}
	if o.MaxStories <= 0 {
		o.MaxStories = DefaultMaxStories
	}
	if o.MaxLate <= 0 {
		o.MaxLate = DefaultMaxLate
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Digester{o: o, log: o.Log, locs: map[string]*time.Location{}}, nil
}

// Run enqueues due digests now and every Tick until ctx ends; it returns
// nil then. Store errors are logged and tried again next tick.
func (g *Digester) Run(ctx context.Context) error {
	t := time.NewTicker(g.o.Tick)
	defer t.Stop()
	for {
		if _, err := g.EnqueueDue(ctx); err != nil && ctx.Err() == nil {
			g.log.Error("digests: enqueueing due digests failed; will retry", slog.Any("err", err), slog.Duration("retry_in", g.o.Tick))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// EnqueueDue enqueues the digest of every non-paused digest subscription
// whose latest slot is due at Now, and returns how many digest deliveries
// it created. A due slot with nothing new is recorded without a delivery,
// so nothing is posted.
func (g *Digester) EnqueueDue(ctx context.Context) (int, error) {
	subs, err := g.o.Store.Subscriptions(ctx, store.SubscriptionFilter{Mode: store.ModeDigest})
	if err != nil {
		return 0, fmt.Errorf("digests: list digest subscriptions: %w", err)
	}
	now := g.o.Now()
	var (
		n    int
		errs []error
	)
	for _, sub := range subs {
		if sub.Paused {
			continue
		}
		made, err := g.enqueue(ctx, sub, now)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if made {
			n++
		}
	}
	if n > 0 && g.o.Wake != nil {
		g.o.Wake()
	}
	return n, errors.Join(errs...)
}

// enqueue handles one subscription: true when a digest delivery was made.
func (g *Digester) enqueue(ctx context.Context, sub store.Subscription, now time.Time) (bool, error) {
	log := g.log.With(slog.Int64("subscription", sub.ID), slog.String("channel", sub.ChannelID), slog.String("topic", sub.Topic))
	loc, err := g.location(sub.Timezone)
	if err != nil {
		log.Warn("digests: skipping a subscription with a bad timezone", slog.Any("err", err))
		return false, nil
	}
	times, err := parseDigestTimes(sub.DigestTimes)
	if err != nil {
		log.Warn("digests: skipping a subscription with bad digest times", slog.Any("err", err))
		return false, nil
	}
	slot, ok := dueSlot(times, loc, sub.LastDigest, now, g.o.MaxLate)
	if !ok {
		return false, nil
	}

	from := slot.Add(-firstDigestLookback)
	if !sub.LastDigest.IsZero() || !sub.Since.IsZero() {
		from = later(sub.LastDigest, sub.Since)
	}
	candidates, err := g.o.Store.Stories(ctx, store.StoryQuery{Topic: sub.Topic, Since: from, Limit: storyScan})
	if err != nil {
		return false, fmt.Errorf("digests: stories for subscription %d (%s in channel %s): %w", sub.ID, sub.Topic, sub.ChannelID, err)
	}
	ids := topStories(candidates, sub, from, slot, g.o.MaxStories, g.o.SourceVisible)
	made, err := g.o.Store.EnqueueDigest(ctx, sub.ID, slot, ids)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // unsubscribed meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("digests: enqueue digest for subscription %d at %s: %w", sub.ID, slot.Format(time.RFC3339), err)
	}
	if made {
		log.Info("digests: digest due", slog.Time("slot", slot), slog.Int("stories", len(ids)))
	}
	return made && len(ids) > 0, nil
}

// topStories picks a digest's stories: first seen after the last digest
// (and not before the subscription), up to the slot, carried by a source
// sub's server may see (visible; nil: any) and, when sub is limited to
// some outlets, by one of those; most such sources first, then newest.
func topStories(ss []store.Story, sub store.Subscription, from, slot time.Time, limit int, visible func(guildID, source string) bool) []int64 {
	type pick struct {
		store.Story
		sources int // the ones sub's server may see
	}
	var picked []pick
	for _, s := range ss {
		switch {
		case s.FirstSeen.Before(from), s.FirstSeen.After(slot):
		case !sub.LastDigest.IsZero() && !s.FirstSeen.After(sub.LastDigest): // in the last digest
		default:
			if n, ok := digestSources(s, sub, visible); ok {
				picked = append(picked, pick{s, n})
			}
		}
	}
	slices.SortStableFunc(picked, func(a, b pick) int {
		return cmp.Or(
			cmp.Compare(b.sources, a.sources),
			b.FirstSeen.Compare(a.FirstSeen),
			cmp.Compare(b.ID, a.ID))
	})
	ids := make([]int64, 0, min(limit, len(picked)))
	for _, s := range picked[:min(limit, len(picked))] {
		ids = append(ids, s.ID)
	}
	return ids
}

// digestSources counts the sources of s that sub's server may see, and
// says whether s belongs in sub's digest: some source is visible and, for
// a subscription limited to outlets, one of those. A story with no
// sources recorded is taken as it is (bot.VisibleStory) unless sub is
// limited to outlets.
func digestSources(s store.Story, sub store.Subscription, visible func(guildID, source string) bool) (int, bool) {
	if len(s.Sources) == 0 {
		return 0, len(sub.Outlets) == 0
	}
	n, fromOutlet := 0, len(sub.Outlets) == 0
	for _, src := range s.Sources {
		if visible != nil && !visible(sub.GuildID, src.Source) {
			continue
		}
		n++
		fromOutlet = fromOutlet || slices.Contains(sub.Outlets, src.Source)
	}
	return n, n > 0 && fromOutlet
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (g *Digester) location(name string) (*time.Location, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if loc, ok := g.locs[name]; ok {
		return loc, nil
	}
	loc, err := loadLocation(name)
	if err != nil {
		return nil, err
	}
	g.locs[name] = loc
	return loc, nil
}

// loadLocation is time.LoadLocation, with "" meaning UTC rather than the
// host's zone.
func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("timezone %q is not an IANA name such as Europe/London: %w", name, err)
	}
	return loc, nil
}

// clock is a time of day.
type clock struct{ hour, min int }

// parseDigestTimes reads "HH:MM" entries (24-hour clock).
func parseDigestTimes(ss []string) ([]clock, error) {
	if len(ss) == 0 {
		return nil, errors.New("no digest times")
	}
	out := make([]clock, 0, len(ss))
	for _, s := range ss {
		h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
		hour, err1 := strconv.Atoi(h)
		minute, err2 := strconv.Atoi(m)
		if !ok || len(m) != 2 || err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
			return nil, fmt.Errorf("digest time %q is not HH:MM between 00:00 and 23:59", s)
		}
		out = append(out, clock{hour, minute})
	}
	return out, nil
}

// latestSlot is the latest of the day's times in loc at or before now: a
// time happens once a day, also across DST changes (see wallTime).
func latestSlot(times []clock, loc *time.Location, now time.Time) time.Time {
	y, m, d := now.In(loc).Date()
	var best time.Time
	// The latest slot at or before now is today's or yesterday's.
	for _, day := range []int{d, d - 1} {
		for _, c := range times {
			t := wallTime(y, m, day, c, loc)
			if !t.After(now) && t.After(best) {
				best = t
			}
		}
	}
	return best.UTC()
}

// wallTime is the instant the clocks in loc show c on the given day. On a
// DST change time.Date picks either instant, differently per zone, so the
// choice is made here: a time shown twice (clocks going back) is its first
// occurrence, and a time the clocks skip is the moment that far past the
// jump (02:30 on a night that jumps from 02:00 to 03:00 is 03:30).
func wallTime(y int, m time.Month, d int, c clock, loc *time.Location) time.Time {
	wall := time.Date(y, m, d, c.hour, c.min, 0, 0, time.UTC) // the clock reading, as if in UTC
	guess := time.Date(y, m, d, c.hour, c.min, 0, 0, loc)
	// Zones change offset at most once within a few hours, so the offsets
	// in effect around guess are every reading's candidates.
	at := func(probe time.Time) time.Time {
		_, off := probe.Zone()
		return wall.Add(-time.Duration(off) * time.Second)
	}
	var best time.Time
	for _, probe := range []time.Time{guess.Add(-3 * time.Hour), guess, guess.Add(3 * time.Hour)} {
		t := at(probe)
		if sameReading(t.In(loc), wall) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	if best.IsZero() {
		// Skipped: read with the offset from before the jump.
		best = at(guess.Add(-3 * time.Hour))
	}
	return best
}

func sameReading(t, wall time.Time) bool {
	return t.Year() == wall.Year() && t.YearDay() == wall.YearDay() && t.Hour() == wall.Hour() && t.Minute() == wall.Minute()
}

// dueSlot is the slot to enqueue at now: the latest one, unless it was
// already enqueued (not after last) or is more than maxLate old.
func dueSlot(times []clock, loc *time.Location, last, now time.Time, maxLate time.Duration) (time.Time, bool) {
	slot := latestSlot(times, loc, now)
	if slot.IsZero() || !slot.After(last) || now.Sub(slot) > maxLate {
		return time.Time{}, false
	}
	return slot, true
}

// storyBriefing is a digest story with its rendering.
type storyBriefing struct {
	story    store.Story
	briefing bot.Briefing
}

// digestGroups groups a digest's stories (in rank order) by their first
// subtopic, groups ordered by their best story, stories without a subtopic
// last. Each story is listed once.
func digestGroups(ss []storyBriefing) []bot.DigestGroup {
	var groups []bot.DigestGroup
	var other []bot.Briefing
	index := map[string]int{}
	for _, s := range ss {
		sub := ""
		if len(s.story.Subtopics) > 0 {
			sub = strings.TrimSpace(s.story.Subtopics[0])
		}
		if sub == "" {
			other = append(other, s.briefing)
			continue
		}
		i, ok := index[sub]
		if !ok {
			i = len(groups)
			index[sub] = i
			groups = append(groups, bot.DigestGroup{Subtopic: sub})
		}
		groups[i].Stories = append(groups[i].Stories, s.briefing)
	}
	if len(other) > 0 {
		groups = append(groups, bot.DigestGroup{Subtopic: "Other", Stories: other})
	}
	return groups
}

func digestTitle(topic string) string {
	if topic == "" {
		return "Digest"
	}
	return "Digest: " + topic
}
