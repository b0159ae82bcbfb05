package source

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// feedSet is the poller's running feeds, which SetFeeds may change while
// Run runs: servers add feeds from Discord, and SIGHUP reloads the config.
type feedSet struct {
	mu      sync.Mutex
	ctx     context.Context // Run's; nil until Run starts and after it ends
	wg      sync.WaitGroup
	running map[string]*runningFeed // by name
}

type runningFeed struct {
	feed Feed
	loop *feedLoop
	done chan struct{}
}

// SetFeeds replaces the feeds the poller polls, before or during Run. A
// new feed is registered in the store and its schedule starts at once,
// resuming from what the store remembers, so it is polled from the next
// tick; a removed one stops (a poll in flight is cut off, which does not
// count as the source's failure), keeping its items and state; a feed
// whose URL, interval or settings changed restarts with them. Feeds are
// keyed by Name, so a feed several callers want is polled once.
func (p *Poller) SetFeeds(ctx context.Context, feeds []Feed) error {
	p.set.mu.Lock()
	defer p.set.mu.Unlock()
	want := map[string]Feed{}
	for _, f := range feeds {
		want[f.Name] = f
	}
	// Register first: a feed the store cannot take is not started, and
	// the running set is left as it was.
	for _, f := range feeds {
		if r, ok := p.set.running[f.Name]; ok && r.feed == f {
			continue
		}
		if err := p.store.EnsureSource(ctx, f.Name, f.URL); err != nil {
			return fmt.Errorf("source: registering source %q in the store: %w", f.Name, err)
		}
	}
	p.feeds = slices.Clone(feeds)
	p.sched.setFeeds(feeds)
	if p.set.ctx == nil {
		return nil // Run starts them
	}
	// Cancel every loop that goes before waiting for any: each may be
	// finishing a poll (bounded by the poll timeout), and waiting for them
	// one by one would add those bounds up.
	var stopped []string
	var ending []*runningFeed
	for name, r := range p.set.running {
		if f, ok := want[name]; !ok || f != r.feed {
			r.loop.stop()
			ending = append(ending, r)
			delete(p.set.running, name)
			if !ok {
				stopped = append(stopped, name)
			}
		}
	}
	for _, r := range ending {
		<-r.done // so a restarted feed never runs two loops
	}
	var started []string
	for _, f := range feeds {
		if _, ok := p.set.running[f.Name]; !ok {
			p.prompt.Store(f.Name, true)
			p.startLocked(f)
			started = append(started, f.Name)
		}
	}
	if len(started)+len(stopped) > 0 {
		p.log.Info("sources changed", slog.Any("started", started), slog.Any("stopped", stopped),
			slog.Int("sources", len(p.set.running)))
	}
	return nil
}

// SetDefaultInterval changes polling.interval while running: the interval
// of feeds with none of their own and no learned publishing rate.
func (p *Poller) SetDefaultInterval(d time.Duration) { p.sched.setDefault(d) }

// FeedCount returns how many feeds are being polled, without copying
// them as Feeds does.
func (p *Poller) FeedCount() int {
	p.set.mu.Lock()
	defer p.set.mu.Unlock()
	return len(p.feeds)
}

// Polls reports whether a feed of that name is being polled.
func (p *Poller) Polls(name string) bool { return p.sched.has(name) }

// Feeds returns the feeds being polled.
func (p *Poller) Feeds() []Feed {
	p.set.mu.Lock()
	defer p.set.mu.Unlock()
	return slices.Clone(p.feeds)
}

// runFeeds starts p.feeds and keeps the set running until ctx ends, then
// waits for every loop.
func (p *Poller) runFeeds(ctx context.Context) {
	p.set.mu.Lock()
	p.set.ctx = ctx
	p.set.running = map[string]*runningFeed{}
	for _, f := range p.feeds {
		if _, ok := p.set.running[f.Name]; !ok {
			p.startLocked(f)
		}
	}
	p.set.mu.Unlock()
	<-ctx.Done()
	// No SetFeeds may start a loop once Wait begins: it would race Wait
	// and outlive Run.
	p.set.mu.Lock()
	p.set.ctx = nil
	loops := make([]*feedLoop, 0, len(p.set.running))
	for _, r := range p.set.running {
		loops = append(loops, r.loop)
	}
	p.set.mu.Unlock()
	for _, l := range loops {
		l.stop()
	}
	// Steps still queued find their schedules stopped and return at once.
	p.set.wg.Wait()
	p.set.mu.Lock()
	p.set.running = nil
	p.set.mu.Unlock()
}

func (p *Poller) startLocked(f Feed) {
	r := &runningFeed{feed: f, done: make(chan struct{})}
	p.set.running[f.Name] = r
	p.set.wg.Add(1)
	// The loop is a chain of timers; done is called when it has ended.
	r.loop = p.loop(p.set.ctx, f, func() {
		close(r.done)
		p.set.wg.Done()
	})
}
