package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/admin"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// watch tells the operator what the bot is doing: one line after the
// first round of polls, the recent relevant backlog on the console, then
// a heartbeat every heartbeatEvery and at once when something changed.
// A successful poll logs nothing at the default level, so without it a
// newcomer sees nothing until an outlet publishes something relevant.
type watch struct {
	feeds    polledFeeds   // the sources polled now: reloads and servers' feeds change them
	interval time.Duration // the soonest any source is polled again
	log      *slog.Logger
	now      func() time.Time

	// backlog, when set (console mode), receives the first round's
	// recent relevant stories, which are recorded as seen and not posted.
	backlog func(ctx context.Context, items []story.Item)
	// postedTotal, when set (Discord mode), reads how many messages the
	// poster has sent in all; the console sink counts through posted.
	postedTotal func() float64
	lastPosted  float64

	mu        sync.Mutex
	attempted map[string]bool   // sources this process polled since start
	failing   map[string]string // source → reason, from this process's polls
	seen      int               // items recorded as already seen in the first round
	recent    []story.Item      // of those, published within backlogWindow: the newest backlogKeep, in console mode
	reported  bool              // the first-round line is out
	changes   counts            // since the last line
	lastLine  time.Time
	lastFails string
}

// counts are what happened between two heartbeat lines.
type counts struct{ polls, failed, newItems, relevant, posted int }

const (
	heartbeatEvery = 10 * time.Minute
	// watchTick coalesces changes into one line; it is also how soon after
	// the first round its line appears.
	watchTick = 2 * time.Second
	// backlogWindow and backlogSize bound the first-round backlog printed.
	backlogWindow = 24 * time.Hour
	backlogSize   = 5
	// backlogKeep bounds the first round's recent items kept for the
	// backlog, the newest by publication: all of them, full text and
	// all, held 200,000 items and a 420 MiB peak at 10,000 sources, and
	// classifying them at once was most of the first round's CPU. The
	// backlog shows the most recent relevant stories among these.
	backlogKeep = 200 * backlogSize
)

// polledFeeds is what the watch asks of the poller. Every 2 s it asks
// how many and which sources are polled; at 10,000 sources a copy of them
// each time was a megabyte of garbage.
type polledFeeds interface {
	Feeds() []source.Feed
	FeedCount() int
	Polls(name string) bool
}

func newWatch(feeds polledFeeds, interval time.Duration, log *slog.Logger) *watch {
	return &watch{feeds: feeds, interval: interval, log: log, now: time.Now,
		attempted: map[string]bool{}, failing: map[string]string{}}
}

// polled records a successful poll: items are what the poll carried,
// inserted what the store had not seen (pending ones go to the pipeline).
func (w *watch) polled(src string, items []store.NewItem, inserted []story.Item) {
	pending := map[string]bool{}
	for _, it := range items {
		if it.Pending {
			pending[it.Key] = true
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempted[src] = true
	delete(w.failing, src)
	w.changes.polls++
	cutoff := w.now().Add(-backlogWindow)
	for _, it := range inserted {
		if pending[it.Key] {
			w.changes.newItems++
			continue
		}
		if !w.reported {
			w.seen++
			if w.backlog != nil && it.Published.After(cutoff) {
				w.recent = append(w.recent, it)
			}
		}
	}
	if len(w.recent) >= 2*backlogKeep {
		w.recent = newestItems(w.recent, backlogKeep)
	}
}

// newestItems keeps the n most recently published of items (sorting them
// newest first), dropping the others' references.
func newestItems(items []story.Item, n int) []story.Item {
	if len(items) <= n {
		return items
	}
	slices.SortStableFunc(items, func(a, b story.Item) int { return b.Published.Compare(a.Published) })
	clear(items[n:])
	return items[:n:n]
}

func (w *watch) failed(src, reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempted[src] = true
	w.failing[src] = reason
	w.changes.polls++
	w.changes.failed++
}

func (w *watch) relevant() { w.mu.Lock(); w.changes.relevant++; w.mu.Unlock() }
func (w *watch) posted()   { w.mu.Lock(); w.changes.posted++; w.mu.Unlock() }

// run reports the first round once every source has been polled (or, on
// a restart or beside other instances, once the slowest source is due),
// then the heartbeat, until ctx ends.
func (w *watch) run(ctx context.Context, st store.Store, slowest time.Duration) error {
	start := w.now()
	t := time.NewTicker(watchTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n := w.feeds.FeedCount()
		w.mu.Lock()
		reported := w.reported
		done := len(w.attempted) >= n
		w.mu.Unlock()
		if !reported {
			if done || w.now().Sub(start) > slowest+watchTick {
				w.firstRound(ctx, st)
			}
			continue
		}
		w.heartbeat()
	}
}

// firstRound logs the first-round line from the store (which also knows
// polls made before a restart or by other instances) and hands the recent
// backlog to w.backlog.
func (w *watch) firstRound(ctx context.Context, st store.Store) {
	states, err := st.Sources(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("reading the sources' health for the first-round summary", slog.Any("err", err))
		}
		return
	}
	byName := map[string]store.SourceState{}
	for _, s := range states {
		byName[s.Name] = s
	}
	var ok, waiting int
	var failing []string
	feeds := w.feeds.Feeds()
	w.mu.Lock()
	for _, f := range feeds {
		s := byName[f.Name]
		switch {
		case s.Failures > 0:
			failing = append(failing, f.Name)
			if _, known := w.failing[f.Name]; !known {
				w.failing[f.Name] = s.LastError
			}
		case !s.LastSuccess.IsZero():
			ok++
		default:
			waiting++
		}
	}
	sort.Strings(failing) // as the heartbeat lists them, so only a change logs again
	seen, recent := w.seen, newestItems(w.recent, backlogKeep)
	w.reported, w.recent = true, nil
	w.changes = counts{}
	w.lastLine = w.now()
	w.lastFails = strings.Join(failing, ",")
	w.mu.Unlock()

	line := fmt.Sprintf("watching %d sources: %d ok, %d failing", len(feeds), ok, len(failing))
	if len(failing) > 0 {
		line += " (" + strings.Join(failing, ", ") + ")"
	}
	if waiting > 0 {
		line += fmt.Sprintf(", %d not polled yet", waiting)
	}
	line += fmt.Sprintf("; %d items recorded as already seen; next poll in %s", seen, shortDuration(w.interval))
	if len(failing) == len(feeds) && len(failing) > 1 {
		line += "; no source could be read: check this host's network, DNS or proxy (HTTPS_PROXY)"
	}
	w.log.Info(line)
	if w.backlog != nil {
		w.backlog(ctx, recent)
	}
}

// heartbeat logs a line when something changed since the last one, or
// when heartbeatEvery has passed.
func (w *watch) heartbeat() {
	sources := w.feeds.FeedCount()
	w.mu.Lock()
	fails := make([]string, 0, len(w.failing))
	for name := range w.failing {
		if w.feeds.Polls(name) {
			fails = append(fails, name)
		} else {
			// No longer polled (removed, or reloaded away): forgotten.
			delete(w.failing, name)
		}
	}
	sort.Strings(fails)
	failKey := strings.Join(fails, ",")
	if w.postedTotal != nil {
		total := w.postedTotal()
		w.changes.posted += int(total - w.lastPosted)
		w.lastPosted = total
	}
	c := w.changes
	changed := failKey != w.lastFails || c.newItems > 0 || c.relevant > 0 || c.posted > 0
	due := w.now().Sub(w.lastLine) >= heartbeatEvery
	if !changed && !due {
		w.mu.Unlock()
		return
	}
	since := w.lastLine
	w.changes, w.lastLine, w.lastFails = counts{}, w.now(), failKey
	w.mu.Unlock()

	line := fmt.Sprintf("heartbeat: %d sources, %d ok, %d failing", sources, sources-len(fails), len(fails))
	if len(fails) > 0 {
		line += " (" + strings.Join(fails, ", ") + ")"
	}
	line += fmt.Sprintf("; since %s: %d polls, %d failed, %d new items, %d relevant, %d posted",
		since.Format("15:04"), c.polls, c.failed, c.newItems, c.relevant, c.posted)
	w.log.Info(line)
}

// degraded is the /healthz "sources" check: healthy while any source is
// polled (sourcesHealthy), degraded, with each failing source and why,
// while some fail. One dead outlet must not get the bot restarted.
func degraded(ctx context.Context, st store.Store, feeds []source.Feed, healthy admin.Check) error {
	if err := healthy(ctx); err != nil {
		return err
	}
	states, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	configured := map[string]bool{}
	for _, f := range feeds {
		configured[f.Name] = true
	}
	var failing []string
	for _, s := range states {
		if configured[s.Name] && s.Failures > 0 {
			failing = append(failing, fmt.Sprintf("%s (%s)", s.Name, s.LastError))
		}
	}
	if len(failing) == 0 {
		return nil
	}
	slices.Sort(failing)
	return admin.Degraded(fmt.Sprintf("%d of %d sources failing: %s", len(failing), len(feeds), strings.Join(failing, ", ")))
}

// printBacklog prints, on the console, the newest relevant stories among
// items that were already published when briefbot started reading their
// source: recorded as seen, never posted, shown so a newcomer sees at once
// what briefbot makes of the news.
func printBacklog(w io.Writer, classify pipeline.Classifier, summarize pipeline.Summarizer, outlets map[string]string, log *slog.Logger) func(context.Context, []story.Item) {
	return func(ctx context.Context, items []story.Item) {
		type judged struct {
			it  story.Item
			rel pipeline.Relevance
		}
		var rel []judged
		for _, it := range items {
			if r := classify(it); r.Relevant {
				rel = append(rel, judged{it, r})
			}
		}
		switch {
		case len(items) == 0:
			fmt.Fprint(w, "No item of the last 24 hours was newly read from the feeds, so there is no backlog to show; new relevant stories are printed here as they appear.\n\n")
			return
		case len(rel) == 0:
			fmt.Fprintf(w, "No relevant story among the %d items of the last 24 hours already in the feeds; new relevant stories are printed here as they appear.\n\n", len(items))
			return
		}
		sort.SliceStable(rel, func(i, j int) bool { return rel[i].it.Published.After(rel[j].it.Published) })
		rel = rel[:min(len(rel), backlogSize)]
		fmt.Fprintf(w, "Already published before briefbot started: the %d most recent relevant stories of the last 24 hours.\n"+
			"Shown here only: they are recorded as seen and never posted. New stories are printed below as they appear.\n\n", len(rel))
		for _, j := range rel {
			d := store.Decision{Relevant: true, Score: j.rel.Score, Topics: j.rel.Topics, Subtopics: j.rel.Subtopics, Reasons: j.rel.Reasons}
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			if s, err := summarize(sctx, j.it); err == nil {
				d.Summary = s.Text
			} else if ctx.Err() == nil {
				log.Debug("summarizing a backlog story", slog.Int64("item", j.it.ID), slog.Any("err", err))
			}
			cancel()
			it := j.it
			if o := outlets[it.Source]; o != "" {
				it.Source = o
			}
			fmt.Fprintf(w, "[already published, not posted]\n%s", pipeline.FormatBriefing(pipeline.Briefing{Item: it, Decision: d}))
		}
	}
}

// shortDuration prints 2m0s as "2m" and 1h30m0s as "1h30m".
func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
