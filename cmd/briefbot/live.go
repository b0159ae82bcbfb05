package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/topic"
)

// live is what may change while briefbot runs: the feeds polled (the
// config's and the servers'), the topics judged (likewise) and the outlet
// names shown. Servers change theirs from Discord; SIGHUP reloads the
// config file. Each change is applied whole or not at all.
type live struct {
	st     store.Store
	poller *source.Poller
	log    *slog.Logger

	mu      sync.Mutex // one apply at a time
	cfg     atomic.Pointer[config.Config]
	judge   atomic.Pointer[bot.Judge]
	outlets atomic.Pointer[map[string]string] // source name → outlet
	// guilds are the servers that added each server's source.
	guilds atomic.Pointer[map[string]map[string]bool]

	// reloaded, when set, is told of a config reload once it is applied
	// (the Discord commands' topics).
	reloaded func(*config.Config)
}

// newLive builds the judge from cfg and the servers' topics; apply starts
// the feeds once the poller exists.
func newLive(ctx context.Context, cfg *config.Config, st store.Store, log *slog.Logger) (*live, error) {
	l := &live{st: st, log: log}
	l.cfg.Store(cfg)
	feeds, judge, err := l.build(ctx, cfg)
	if err != nil {
		return nil, err
	}
	l.judge.Store(judge)
	l.storeOutlets(feeds)
	if err := l.storeGuilds(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// topicDefs are cfg's topics as topic.NewClassifier takes them.
func topicDefs(cfg *config.Config) []topic.Def {
	defs := make([]topic.Def, len(cfg.Topics))
	for i, t := range cfg.Topics {
		defs[i] = topic.Def{Name: t.Name, Description: t.Description, Include: t.Include, Require: t.Require, Exclude: t.Exclude, Threshold: t.Threshold}
	}
	return defs
}

// build reads the servers' feeds and topics and combines them with cfg's.
func (l *live) build(ctx context.Context, cfg *config.Config) ([]source.Feed, *bot.Judge, error) {
	// A feed without its own interval keeps Interval 0: the poller's
	// adaptive schedule sets it (polling.interval is only its default, which
	// applyLocked hands the poller on a reload).
	feeds := feedsFromConfig(cfg)
	gfs, err := l.st.GuildFeeds(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("reading the servers' feeds: %w", err)
	}
	seen := map[string]bool{}
	for _, g := range gfs {
		// Servers adding one URL share its source: polled once.
		if seen[g.Source] {
			continue
		}
		seen[g.Source] = true
		feeds = append(feeds, source.Feed{Name: g.Source, URL: g.URL, Outlet: g.Outlet,
			Backfill: cfg.Polling.Backfill, Language: g.Language})
	}
	gts, err := l.st.GuildTopics(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("reading the servers' topics: %w", err)
	}
	judge, err := bot.NewJudge(topicDefs(cfg), gts, l.log)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	return feeds, judge, nil
}

// storeGuilds notes which servers added each server's source.
func (l *live) storeGuilds(ctx context.Context) error {
	gfs, err := l.st.GuildFeeds(ctx, "")
	if err != nil {
		return fmt.Errorf("reading the servers' feeds: %w", err)
	}
	m := map[string]map[string]bool{}
	for _, g := range gfs {
		if m[g.Source] == nil {
			m[g.Source] = map[string]bool{}
		}
		m[g.Source][g.GuildID] = true
	}
	l.guilds.Store(&m)
	return nil
}

// sourceVisible says whether a server may see a source's items: the
// operator's serve every server, a server's own only the servers that
// added it.
func (l *live) sourceVisible(guildID, src string) bool {
	return !strings.HasPrefix(src, store.GuildSourcePrefix) || (*l.guilds.Load())[src][guildID]
}

func (l *live) storeOutlets(feeds []source.Feed) {
	m := make(map[string]string, len(feeds))
	for _, f := range feeds {
		m[f.Name] = f.Outlet
	}
	l.outlets.Store(&m)
}

// apply makes the poller and the judge follow the store's servers' feeds
// and topics and the current config. It is bot.GuildOptions.Changed.
func (l *live) apply(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.applyLocked(ctx, l.cfg.Load())
}

func (l *live) applyLocked(ctx context.Context, cfg *config.Config) error {
	feeds, judge, err := l.build(ctx, cfg)
	if err != nil {
		return err
	}
	l.poller.SetDefaultInterval(cfg.Polling.Interval)
	if err := l.poller.SetFeeds(ctx, feeds); err != nil {
		return err
	}
	l.cfg.Store(cfg)
	l.judge.Store(judge)
	l.storeOutlets(feeds)
	return l.storeGuilds(ctx)
}

// reload applies a re-read config. A config that fails to load keeps the
// running one, and every problem is logged; settings other than sources,
// topics and polling.interval/backfill need a restart, which is said.
func (l *live) reload(ctx context.Context, load func() (*config.Config, error)) {
	cfg, err := load()
	if err != nil {
		l.log.Error("config reload failed; keeping the running config", slog.String("problems", err.Error()))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.cfg.Load()
	if err := l.applyLocked(ctx, cfg); err != nil {
		l.log.Error("config reload failed; keeping the running config", slog.Any("err", err))
		return
	}
	if l.reloaded != nil {
		l.reloaded(cfg)
	}
	l.log.Info("config reloaded", slog.Int("sources", len(l.poller.Feeds())), slog.Int("topics", len(l.judge.Load().Topics())))
	if changed := restartOnly(old, cfg); len(changed) > 0 {
		l.log.Warn("these settings changed but apply only after a restart", slog.String("keys", strings.Join(changed, ", ")))
	}
}

// restartOnly names the sections that changed between old and cfg that a
// reload does not apply.
func restartOnly(old, cfg *config.Config) []string {
	var out []string
	o, n := old.Polling, cfg.Polling
	o.Interval, n.Interval, o.Backfill, n.Backfill = 0, 0, 0, 0
	if o != n {
		out = append(out, "polling (other than interval and backfill)")
	}
	if old.Discord != cfg.Discord || old.DiscordToken != cfg.DiscordToken {
		out = append(out, "discord")
	}
	if old.Database != cfg.Database || old.DatabaseURL != cfg.DatabaseURL {
		out = append(out, "database")
	}
	if old.Admin != cfg.Admin {
		out = append(out, "admin")
	}
	return out
}

// refreshEvery is how often each instance rereads the servers' feeds and
// topics: a /feeds or /topics command applies at once on the instance
// that answered it, and within this on the others sharing the database
// (one of which may be running the pipeline).
const refreshEvery = 30 * time.Second

// refresh applies the servers' feeds and topics every refreshEvery until
// ctx ends. A failed read is logged and tried again next time.
func (l *live) refresh(ctx context.Context) error {
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := l.apply(ctx); err != nil && ctx.Err() == nil {
				l.log.Warn("rereading the servers' feeds and topics failed; will retry", slog.Any("err", err))
			}
		}
	}
}

// watchHangup reloads the config on each signal from hangup until ctx ends.
func (l *live) watchHangup(ctx context.Context, hangup <-chan os.Signal, load func() (*config.Config, error)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hangup:
			l.log.Info("SIGHUP: reloading the config")
			l.reload(ctx, load)
		}
	}
}

// configTopics are the current judge's configured topics (not the
// servers', which the commands look up per server).
func (l *live) configTopics() []bot.TopicInfo {
	var out []bot.TopicInfo
	for _, t := range l.judge.Load().Topics() {
		if t.Key == "" {
			out = append(out, t)
		}
	}
	return out
}

// classify is the pipeline's classifier over the current topics.
func (l *live) classify() pipeline.Classifier {
	return func(it story.Item) pipeline.Relevance {
		return judge(l.judge.Load().Classify(it.Title, it.Text()))
	}
}

// outletName is the outlet a source's stories show.
func (l *live) outletName(src string) string {
	if o := (*l.outlets.Load())[src]; o != "" {
		return o
	}
	return src
}
