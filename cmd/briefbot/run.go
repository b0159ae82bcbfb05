package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
	var cfgPath string
	register(&command{
		name:    "run",
		summary: "watch sources and deliver briefings (to the console until DISCORD_TOKEN is set)",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			return runBot(ctx, e, cfg, log)
		},
	})
}

// runBot wires the whole pipeline and runs it until ctx is cancelled
// (SIGINT/SIGTERM), then lets in-flight polls and decisions finish
// recording before closing the store.
func runBot(ctx context.Context, e *env, cfg *config.Config, log *slog.Logger) error {
	log.Info("briefbot starting", slog.String("version", buildVersion()), slog.String("instance", instanceName()))
	classifier, err := newClassifier(cfg)
	if err != nil {
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
	feeds := feedsFromConfig(cfg)
	logFeeds(log, feeds)

	wake := make(chan struct{}, 1)
	opts := source.PollerOptions{
		Concurrency:     cfg.Polling.Concurrency,
		MaxItemAge:      cfg.Polling.MaxItemAge,
		DefaultInterval: cfg.Polling.Interval,
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
	poller := source.NewPoller(fetcher, countingStore{st, m}, feeds, opts, log)

	var (
		sink    pipeline.Sink = pipeline.NewConsole(e.stdout)
		discord *discordParts
	)
	if cfg.DiscordToken == "" {
		log.Info("no DISCORD_TOKEN set: briefings are printed here. To post them in Discord, " +
			"create an application (see README, \"Connecting to Discord\") and set DISCORD_TOKEN and discord.application_id")
	} else {
		if discord, err = newDiscord(cfg, st, classifier, feeds, log, m, e.configureDiscord); err != nil {
			return err
		}
		sink = discord.poster.Sink() // CompleteItem wrote the deliveries; this only wakes the poster
	}
	enrich := withFullText(fetcher, fullTextSources(cfg), log)
	sum, err := newSummarizer(cfg, st, log, func(outcome string) { m.LLMSummaries.WithLabelValues(outcome).Inc() })
	if err != nil {
		return err
	}
	pipe := &pipeline.Pipeline{
		Store:     st,
		Classify:  relevance(classifier),
		Summarize: summarizer(sum, enrich),
		Sink:      sink,
		// Another outlet's report of the same event joins its story, so a
		// channel's message is edited instead of a second post.
		Cluster:  story.NewClusterer(story.Options{}),
		Log:      log,
		Counters: pipeline.Counters{Processed: m.ItemsProcessed.Inc, Relevant: m.ItemsRelevant.Inc},
		// Items another instance's poller records wake nobody here.
		Recheck: pipelineRecheck,
	}
	model, _ := sum.(*llm.Summarizer)
	if model != nil && cfg.Summarize.LLM.EditWindow > 0 {
		// Post at once with the extractive summary; the model's, if in
		// time, is edited in.
		pipe.SummarizeLate = lateSummarizer(model, enrich)
	}

	started := time.Now()
	checks := map[string]admin.Check{
		"store":   st.Ping,
		"sources": func(ctx context.Context) error { return sourcesHealthy(ctx, st, started, slowestInterval(cfg, feeds)) },
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
	if discord != nil {
		discord.start(goPart, checks)
	}
	if cfg.Admin.Listen != "" {
		h := admin.Handler(m.Registry, checks)
		goPart("admin", func(ctx context.Context) error { return admin.Serve(ctx, "admin", cfg.Admin.Listen, h, log) })
	}
	if opts.WebSub != nil {
		h := poller.WebSubHandler()
		goPart("websub", func(ctx context.Context) error { return admin.Serve(ctx, "websub", cfg.WebSub.Listen, h, log) })
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

// countingStore is the poller's store, counting poll outcomes on the way.
type countingStore struct {
	store.Store
	m *metrics.Metrics
}

func (c countingStore) RecordPoll(ctx context.Context, src string, p store.Poll) ([]story.Item, error) {
	ins, err := c.Store.RecordPoll(ctx, src, p)
	if err == nil {
		result := "ok"
		if p.NotModified {
			result = "not_modified"
		}
		c.m.Polls.WithLabelValues(src, result).Inc()
		c.m.ItemsFetched.WithLabelValues(src).Add(float64(len(p.Items)))
		c.m.ItemsNew.WithLabelValues(src).Add(float64(len(ins)))
	}
	return ins, err
}

func (c countingStore) RecordFailure(ctx context.Context, src string, at time.Time, reason string) (int, error) {
	c.m.Polls.WithLabelValues(src, "error").Inc()
	c.m.SourceFailures.WithLabelValues(src).Inc()
	return c.Store.RecordFailure(ctx, src, at, reason)
}
