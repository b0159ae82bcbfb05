package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/summarize"
	"github.com/briefbot/briefbot/summarize/llm"
	"github.com/briefbot/briefbot/topic"
)

// feedsFromConfig returns the sources to watch: the configured ones, the
// built-in ones, or both (include_default_sources).
func feedsFromConfig(cfg *config.Config) []source.Feed {
	var feeds []source.Feed
	if len(cfg.Sources) == 0 || cfg.IncludeDefaultSources {
		for _, f := range source.DefaultFeeds() {
			f.Backfill = cfg.Polling.Backfill
			feeds = append(feeds, f)
		}
	}
	// at indexes feeds by name: a config of 10,000 sources would otherwise
	// compare every pair at each start and reload.
	at := make(map[string]int, len(feeds)+len(cfg.Sources))
	for i, f := range feeds {
		at[f.Name] = i
	}
	removed := false
	for _, s := range cfg.Sources {
		if s.Disabled {
			// Also switches off a built-in source of the same name.
			if i, ok := at[s.Name]; ok {
				feeds[i].Name, removed = "", true
				delete(at, s.Name)
			}
			continue
		}
		f := source.Feed{Name: s.Name, URL: s.URL, Outlet: s.Outlet, Interval: s.Interval, Backfill: cfg.Polling.Backfill, Language: s.Language}
		if s.Backfill != nil {
			f.Backfill = *s.Backfill
		}
		if f.Outlet == "" {
			f.Outlet = s.Name
		}
		// A configured source replaces a built-in one of the same name.
		if i, ok := at[f.Name]; ok {
			feeds[i] = f
			continue
		}
		at[f.Name] = len(feeds)
		feeds = append(feeds, f)
	}
	if removed {
		feeds = slices.DeleteFunc(feeds, func(f source.Feed) bool { return f.Name == "" })
	}
	return feeds
}

func limitsFromConfig(cfg *config.Config) source.Limits {
	return source.Limits{
		Timeout:              cfg.Polling.Timeout,
		MaxBodyBytes:         int64(cfg.Polling.MaxBodyBytes),
		MaxRedirects:         cfg.Polling.MaxRedirects,
		AllowPrivateNetworks: cfg.Polling.AllowPrivateNetworks,
		UserAgent:            source.UserAgent(buildVersion()),
	}
}

// newClassifier builds the built-in topic plus the configured ones.
func newClassifier(cfg *config.Config) (*topic.Classifier, error) {
	defs := make([]topic.Def, len(cfg.Topics))
	for i, t := range cfg.Topics {
		defs[i] = topic.Def{Name: t.Name, Description: t.Description, Include: t.Include, Require: t.Require, Exclude: t.Exclude, Threshold: t.Threshold}
	}
	c, err := topic.NewClassifier(defs)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// relevance adapts the topic classifier to the pipeline: an item is
// relevant when any topic says so; the best-scoring relevant topic gives
// the headline score, subtopics and reasons.
func relevance(c *topic.Classifier) pipeline.Classifier {
	return func(it story.Item) pipeline.Relevance {
		return judge(c.Classify(it.Title, it.Text()))
	}
}

func judge(results []topic.Result) pipeline.Relevance {
	var rel pipeline.Relevance
	var best *topic.Result
	for i := range results {
		r := &results[i]
		if r.Relevant {
			rel.Topics = append(rel.Topics, r.Topic)
		}
		if best == nil || (r.Relevant && !best.Relevant) || (r.Relevant == best.Relevant && r.Score > best.Score) {
			best = r
		}
	}
	if best != nil {
		rel.Relevant, rel.Score = best.Relevant, best.Score
		rel.Subtopics, rel.Reasons = best.Subtopics, best.Reasons
	}
	return rel
}

// summarizer adapts a summarize.Summarizer to the pipeline; enrich, if
// not nil, may replace a teaser with the article's full text first.
func summarizer(s summarize.Summarizer, enrich func(context.Context, story.Item) story.Item) pipeline.Summarizer {
	return func(ctx context.Context, it story.Item) (pipeline.Summary, error) {
		if enrich != nil {
			it = enrich(ctx, it)
		}
		sum, err := s.Summarize(ctx, summarize.Article{Title: it.Title, Text: it.Text(), Language: it.Language})
		if err != nil {
			return pipeline.Summary{}, err
		}
		return pipeline.Summary{Text: sum.Text, Title: sum.Title}, nil
	}
}

// lateSummarizer adapts the model backend's BriefLate to the pipeline:
// the story is posted with the extractive summary (or a cached model
// brief) at once, and the model's checked brief, if it arrives within the
// edit window, is delivered for the story's messages to be edited. enrich
// is as for summarizer.
func lateSummarizer(s *llm.Summarizer, enrich func(context.Context, story.Item) story.Item) pipeline.LateSummarizer {
	return func(ctx context.Context, it story.Item, deliver func(string)) (pipeline.Summary, error) {
		if enrich != nil {
			it = enrich(ctx, it)
		}
		r, err := s.BriefLate(ctx, summarize.Article{Title: it.Title, Text: it.Text(), Language: it.Language},
			func(r llm.Result) { deliver(r.Summary.Text) })
		if err != nil {
			return pipeline.Summary{}, err
		}
		// A cached brief may carry a translated title; a late one keeps
		// the story's headline (only its summary is edited).
		sum := pipeline.Summary{Text: r.Summary.Text}
		if r.Translated {
			sum.Title = r.Title
		}
		return sum, nil
	}
}

// logFeeds notes what will be watched, once, at start.
func logFeeds(log *slog.Logger, feeds []source.Feed) {
	names := make([]string, len(feeds))
	for i, f := range feeds {
		names[i] = f.Name
	}
	log.Info("sources configured", slog.Int("count", len(feeds)), slog.String("names", strings.Join(names, ",")))
}
