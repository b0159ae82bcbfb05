package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/admin"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/lease"
	"github.com/briefbot/briefbot/metrics"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/summarize/llm"
)

func init() {
	var (
		cfgPath      string
		requireToken bool
	)
	register(&command{
		name:    "run",
		summary: "watch sources and deliver briefings (to the console until DISCORD_TOKEN is set)",
		flags: func(fs *flag.FlagSet) {
			configFlag(fs, &cfgPath)
			fs.BoolVar(&requireToken, "require-token", false, "exit with an error when DISCORD_TOKEN is not set, instead of printing briefings (for deployments)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			if requireToken && cfg.DiscordToken == "" {
				return errors.New("DISCORD_TOKEN is not set (--require-token): set it, or DISCORD_TOKEN_FILE; with docker compose, put DISCORD_TOKEN=… in .env beside docker-compose.yml")
			}
			reload := func() (*config.Config, error) { return config.Load(cfgPath, e.getenv) }
			if e.hangup == nil {
				// Only run reloads; other commands keep SIGHUP's default.
				hup := make(chan os.Signal, 1)
				signal.Notify(hup, syscall.SIGHUP)
				defer signal.Stop(hup)
				withHup := *e
				withHup.hangup = hup
				e = &withHup
			}
			return runBotReloading(ctx, e, cfg, log, reload)
		},
	})
}

// runBot wires the whole pipeline and runs it until ctx is cancelled
// (SIGINT/SIGTERM), then lets in-flight polls and decisions finish
// recording before closing the store.
func runBot(ctx context.Context, e *env, cfg *config.Config, log *slog.Logger) error {
	return runBotReloading(ctx, e, cfg, log, nil)
}

// runBotReloading is runBot that, on each signal from e.hangup (SIGHUP),
// re-reads the config with reload and applies its sources, topics and
// polling interval without a restart.
func runBotReloading(ctx context.Context, e *env, cfg *config.Config, log *slog.Logger, reload func() (*config.Config, error)) error {
	log.Info("briefbot starting", slog.String("version", buildVersion()), slog.String("instance", instanceName()))
	// The config's topics are checked before the database is opened.
	if _, err := newClassifier(cfg); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database", slog.Any("err", err))
		}
	}()

	m := metrics.New()
	m.SourcesAsOne = !perSourceMetrics(cfg)
	// The config's feeds and topics with the servers' own (from /feeds
	// and /topics), which may change while running.
	lv, err := newLive(ctx, cfg, st, log)
	if err != nil {
		return err
	}

	wake := make(chan struct{}, 1)
	opts := source.PollerOptions{
		Concurrency:     cfg.Polling.Concurrency,
		MaxItemAge:      cfg.Polling.MaxItemAge,
		DefaultInterval: cfg.Polling.Interval,
		MaxNewPerPoll:   cfg.Polling.MaxNewItemsPerPoll,
		MinInterval:     cfg.Polling.MinInterval,
		MaxInterval:     cfg.Polling.MaxInterval,
		Owner:           instanceName(),
		OnNew: func(string, []story.Item) {
			select { // a hint: the pipeline reads the store anyway
			case wake <- struct{}{}:
			default:
			}
		},
	}
	if cfg.WebSub.CallbackURL != "" {
		opts.WebSub = &source.WebSubOptions{CallbackBase: cfg.WebSub.CallbackURL, Secret: cfg.WebSubSecret}
	}
	fetcher := source.NewFetcher(limitsFromConfig(cfg), log)
	// The watch asks the poller for what it polls now: reloads and
	// servers' feeds change the set while running.
	w := newWatch(nil, cfg.Polling.Interval, log)
	poller := source.NewPoller(fetcher, countingStore{st, m, w}, nil, opts, log)
	w.feeds = poller // the poller counts into w, so w comes first
	lv.poller = poller
	if err := lv.apply(ctx); err != nil {
		return err
	}
	feeds := poller.Feeds()
	logFeeds(log, feeds)
	w.interval = soonestInterval(cfg, feeds)

	var (
		sink    pipeline.Sink = countingSink{pipeline.NewConsole(e.stdout), w}
		discord *discordParts
	)
	if cfg.DiscordToken == "" {
		log.Info("no DISCORD_TOKEN set: briefings are printed here. To post them in Discord, " +
			"create an application (see README, \"Connecting to Discord\") and set DISCORD_TOKEN and discord.application_id")
	} else {
		if discord, err = newDiscord(cfg, st, lv, fetcher, log, m, e.configureDiscord); err != nil {
			return err
		}
		sink = discord.poster.Sink() // CompleteItem wrote the deliveries; this only wakes the poster
		w.postedTotal = func() float64 { return counterTotal(m.Registry, "briefbot_posts_total") }
	}
	// Article pages share the poller's request slots (per host and overall).
	ft := newFullText(cfg, fetcher, poller, st, func(result string) { m.FullText.WithLabelValues(result).Inc() }, log)
	var enrich func(context.Context, story.Item) story.Item
	if ft != nil {
		enrich = ft.enrichCached
	}
	sum, err := newSummarizer(cfg, st, log, func(outcome string) { m.LLMSummaries.WithLabelValues(outcome).Inc() })
	if err != nil {
		return err
	}
	classify := lv.classify()
	if ft != nil {
		classify = ft.classify(func() relevanceJudge { return lv.judge.Load() })
	}
	pipe := &pipeline.Pipeline{
		Store:     st,
		Classify:  classify,
		Summarize: summarizer(sum, enrich),
		Sink:      sink,
		// Another outlet's report of the same event joins its story, so a
		// channel's message is edited instead of a second post.
		Cluster:  story.NewClusterer(story.Options{}),
		Log:      log,
		Counters: pipeline.Counters{Processed: m.ItemsProcessed.Inc, Relevant: func() { m.ItemsRelevant.Inc(); w.relevant() }},
		// Items another instance's poller records wake nobody here.
		Recheck: pipelineRecheck,
		// Polls finishing together are decided as one batch, so a
		// story's first post holds all their reports.
		Settle: pipelineSettle,
	}
	model, _ := sum.(*llm.Summarizer)
	if model != nil && cfg.Summarize.LLM.EditWindow > 0 {
		// Post at once with the extractive summary; the model's, if in
		// time, is edited in.
		pipe.SummarizeLate = lateSummarizer(model, enrich)
	}
	if ft != nil {
		// Posting waits for the article at most summarize.full_text_wait.
		pipe.SummarizeLate = ft.late(pipe.Summarize, pipe.SummarizeLate)
	}

	if discord == nil {
		outlets := map[string]string{}
		for _, f := range feeds {
			outlets[f.Name] = f.Outlet
		}
		w.backlog = printBacklog(e.stdout, pipe.Classify, pipe.Summarize, outlets, log)
	}

	started := time.Now()
	checks := map[string]admin.Check{
		"store": st.Ping,
		"sources": func(ctx context.Context) error {
			return degraded(ctx, st, poller.Feeds(), func(ctx context.Context) error {
				return sourcesHealthy(ctx, st, started, slowestInterval(cfg, feeds))
			})
		},
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Each part runs until ctx ends; one failing stops the rest.
	goPart := func(name string, f func(context.Context) error) {
		wg.Go(func() {
			if err := f(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				mu.Unlock()
				cancel()
			}
		})
	}
	goPart("poller", poller.Run)
	goPart("watch", func(ctx context.Context) error { return w.run(ctx, st, slowestInterval(cfg, feeds)) })
	goPart("servers' feeds and topics", lv.refresh)
	if reload != nil && e.hangup != nil {
		goPart("reload", func(ctx context.Context) error { return lv.watchHangup(ctx, e.hangup, reload) })
	}
	// One instance at a time runs the pipeline: its story clusterer is in
	// memory, and two would start two stories for one event.
	leader := &lease.Singleton{
		Store: st, Names: []string{"pipeline"}, Owner: instanceName(), Log: log,
		Work: func(ctx context.Context, _ string) error { return pipe.Run(ctx, wake) },
		OnChange: func(held bool) {
			if held {
				m.PipelineLeader.Set(1)
			} else {
				m.PipelineLeader.Set(0)
			}
		},
	}
	goPart("pipeline", leader.Run)
	goPart("retention", func(ctx context.Context) error { return runRetention(ctx, st, cfg.Retention, log, time.Now) })
	if discord != nil {
		discord.start(goPart, checks)
	}
	if cfg.Admin.Listen != "" {
		h := admin.Handler(m.Registry, checks)
		goPart("admin", func(ctx context.Context) error {
			return listenError("admin.listen", admin.Serve(ctx, "admin", cfg.Admin.Listen, h, log))
		})
	}
	if opts.WebSub != nil {
		h := poller.WebSubHandler()
		goPart("websub", func(ctx context.Context) error {
			return listenError("websub.listen", admin.Serve(ctx, "websub", cfg.WebSub.Listen, h, log))
		})
	}
	<-ctx.Done()
	log.Info("shutting down: finishing writes in flight")
	wg.Wait()
	if model != nil {
		model.Wait() // late briefs in flight: their requests end with ctx
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	log.Info("stopped")
	return nil
}

// pipelineRecheck is how often the pipeline looks for pending items
// without being woken, which with several instances bounds the delay of
// items another instance polled.
const pipelineRecheck = 2 * time.Second

// pipelineSettle is how long the pipeline waits after a poll wakes it, so
// the items of polls finishing within it are decided before any is posted.
const pipelineSettle = 1500 * time.Millisecond

// slowestInterval is the longest time between two polls of any source:
// per-source intervals, and the slower pace while WebSub pushes.
func slowestInterval(cfg *config.Config, feeds []source.Feed) time.Duration {
	slowest := cfg.Polling.Interval
	for _, f := range feeds {
		slowest = max(slowest, f.Interval)
	}
	if cfg.WebSub.CallbackURL != "" {
		slowest *= source.DefaultPushSlowdown
	}
	return slowest
}

// sourcesHealthy fails when no source has been polled successfully for a
// while: one dead outlet is normal, all of them silent means we are cut off.
func sourcesHealthy(ctx context.Context, st store.Store, started time.Time, interval time.Duration) error {
	grace := max(3*interval, 10*time.Minute)
	if time.Since(started) < grace {
		return nil
	}
	srcs, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	var newest time.Time
	for _, s := range srcs {
		if s.LastSuccess.After(newest) {
			newest = s.LastSuccess
		}
	}
	if time.Since(newest) > grace {
		return fmt.Errorf("no source polled successfully in the last %s", grace)
	}
	return nil
}

// countingStore is the poller's store, counting poll outcomes on the way
// into the metrics and the operator's watch.
type countingStore struct {
	store.Store
	m *metrics.Metrics
	w *watch
}

func (c countingStore) RecordPoll(ctx context.Context, src string, p store.Poll) ([]story.Item, error) {
	ins, err := c.Store.RecordPoll(ctx, src, p)
	if err == nil {
		result := "ok"
		if p.NotModified {
			result = "not_modified"
		}
		label := c.m.Source(src)
		c.m.Polls.WithLabelValues(label, result).Inc()
		c.m.ItemsFetched.WithLabelValues(label).Add(float64(len(p.Items)))
		c.m.ItemsNew.WithLabelValues(label).Add(float64(len(ins)))
		c.w.polled(src, p.Items, ins)
	}
	return ins, err
}

func (c countingStore) RecordFailure(ctx context.Context, src string, at time.Time, reason string) (int, error) {
	label := c.m.Source(src)
	c.m.Polls.WithLabelValues(label, "error").Inc()
	c.m.SourceFailures.WithLabelValues(label).Inc()
	c.w.failed(src, reason)
	return c.Store.RecordFailure(ctx, src, at, reason)
}

// countingSink is the console sink, counting what it prints for the watch.
type countingSink struct {
	pipeline.Sink
	w *watch
}

func (c countingSink) Publish(ctx context.Context, b pipeline.Briefing) error {
	err := c.Sink.Publish(ctx, b)
	if err == nil {
		c.w.posted()
	}
	return err
}

// soonestInterval is the shortest time between two polls of any source.
func soonestInterval(cfg *config.Config, feeds []source.Feed) time.Duration {
	soonest := cfg.Polling.Interval
	for _, f := range feeds {
		if f.Interval > 0 {
			soonest = min(soonest, f.Interval)
		}
	}
	return soonest
}

// counterTotal sums a counter's series in reg, 0 if it has none.
func counterTotal(reg prometheus.Gatherer, name string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		return 0
	}
	var total float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

// listenError names the configuration key of a listener that could not
// start, so "address already in use" says what to change.
func listenError(key string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "listen" {
		env := "BRIEFBOT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		return fmt.Errorf("%w: set %s (or %s) to a free address, or \"off\"", err, key, env)
	}
	return err
}

// perSourceMetrics reports whether the poll metrics are labelled by source:
// as admin.per_source_metrics says, but never when admin.listen is off, as
// then nothing serves the registry and a source's series (about 1.8 KiB
// each, 17.5 MiB of heap at 10,000 sources) would be kept for nobody.
func perSourceMetrics(cfg *config.Config) bool {
	return cfg.Admin.PerSourceMetrics && cfg.Admin.Listen != ""
}
