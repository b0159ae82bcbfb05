package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/fulltext"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/topic"
)

// fullText decides which items get their article page read and puts the
// article's text in place of the teaser for the summarizer.
type fullText struct {
	reader *fulltext.Reader
	def    fulltext.Mode
	modes  map[string]fulltext.Mode // sources overriding def
	wait   time.Duration
	log    *slog.Logger
	// waitingSince holds, by link, when posting first began to wait for
	// the article (a close call's relevance, then its summary): the wait
	// is one budget for both.
	waitingSince sync.Map
}

// waitLeft is what remains of the wait for the item's article, starting
// the clock on first call.
func (ft *fullText) waitLeft(link string) time.Duration {
	v, _ := ft.waitingSince.LoadOrStore(link, time.Now())
	return ft.wait - time.Since(v.(time.Time))
}

// readAsync reads the item's article in the background, detached from
// the caller's wait (a read cut short is not kept, so it would only be
// fetched again); done is closed when *a is set.
func (ft *fullText) readAsync(ctx context.Context, it story.Item) (a *store.ItemArticle, done <-chan struct{}) {
	a = new(store.ItemArticle)
	c := make(chan struct{})
	go func() {
		defer close(c)
		*a = ft.reader.Read(context.WithoutCancel(ctx), it)
	}()
	return a, c
}

// newFullText builds the article reader from the configuration, sharing
// the poller's request slots; nil when no source reads articles.
func newFullText(cfg *config.Config, f *source.Fetcher, slots fulltext.Slots, st any, count func(string), log *slog.Logger) *fullText {
	ft := &fullText{def: fulltext.Mode(cfg.Summarize.FullText), modes: map[string]fulltext.Mode{}, wait: cfg.Summarize.FullTextWait, log: log}
	if ft.def == "" {
		ft.def = fulltext.ModeRelevant
	}
	on := ft.def != fulltext.ModeNever
	for _, s := range cfg.Sources {
		if s.FullText != "" {
			ft.modes[s.Name] = fulltext.Mode(s.FullText)
			on = on || s.FullText != "never"
		}
	}
	if !on {
		return nil
	}
	o := fulltext.Options{Fetcher: f, Slots: slots, Count: count, Log: log}
	if as, ok := st.(store.ItemArticles); ok {
		o.Store = as
	}
	ft.reader = fulltext.New(o)
	return ft
}

func (ft *fullText) mode(src string) fulltext.Mode {
	if m, ok := ft.modes[src]; ok {
		return m
	}
	return ft.def
}

// wants reports whether the item's article should be read: its source
// reads articles and the feed gave only a teaser.
func (ft *fullText) wants(it story.Item) bool {
	return ft != nil && ft.mode(it.Source) != fulltext.ModeNever && source.NeedsFullText(it)
}

// withArticle returns the item with the article's text as its content,
// when it is an article longer than what the feed gave.
func withArticle(it story.Item, a store.ItemArticle) story.Item {
	if a.From == store.FromArticle && len(a.Text) > len(it.Text()) {
		it.Content = a.Text
	}
	return it
}

// enrichCached uses an article already read, never reading one: for
// summaries written outside an item's first pass (a story's new head).
func (ft *fullText) enrichCached(ctx context.Context, it story.Item) story.Item {
	if !ft.wants(it) {
		return it
	}
	if a, ok := ft.reader.Cached(ctx, it.Link); ok {
		return withArticle(it, a)
	}
	return it
}

// late wraps the summarizers so that posting waits for the article at most
// ft.wait: an article in time is summarized at once; past it the teaser's
// summary is posted and the article's, when it comes, is delivered to be
// edited in (the same path as a model's late brief). baseLate, when not
// nil, is the model's late summarizer, used where it would have been.
func (ft *fullText) late(base pipeline.Summarizer, baseLate pipeline.LateSummarizer) pipeline.LateSummarizer {
	now := func(ctx context.Context, it story.Item, deliver func(string)) (pipeline.Summary, error) {
		if baseLate != nil {
			return baseLate(ctx, it, deliver)
		}
		return base(ctx, it)
	}
	return func(ctx context.Context, it story.Item, deliver func(string)) (pipeline.Summary, error) {
		if !ft.wants(it) {
			return now(ctx, it, deliver)
		}
		defer ft.waitingSince.Delete(it.Link)
		pa, read := ft.readAsync(ctx, it)
		t := time.NewTimer(max(ft.waitLeft(it.Link), 0))
		defer t.Stop()
		select {
		case <-read:
			return now(ctx, withArticle(it, *pa), deliver)
		case <-ctx.Done():
			return pipeline.Summary{}, ctx.Err()
		case <-t.C:
		}

		// Past the wait: the teaser's summary now, the article's later.
		var once sync.Once
		send := func(s string) { once.Do(func() { deliver(s) }) }
		go func() {
			<-read
			if pa.From != store.FromArticle {
				return
			}
			sum, err := base(ctx, withArticle(it, *pa))
			if err != nil || sum.Text == "" {
				ft.log.Warn("full text: the article's summary failed; the story keeps the teaser's",
					slog.String("source", it.Source), slog.Int64("item", it.ID), slog.Any("err", err))
				return
			}
			send(sum.Text)
		}()
		ft.log.Info("full text: article not read in time; posting with the teaser, to be edited",
			slog.String("source", it.Source), slog.Int64("item", it.ID), slog.Duration("waited", ft.wait))
		return now(ctx, it, func(s string) {
			// A model's late brief of the teaser matters only if no
			// article comes.
			<-read
			if pa.From != store.FromArticle {
				send(s)
			}
		})
	}
}

// classify wraps the relevance judgement so that a close call on the
// teaser (fulltext.IsClose for any topic), or any teaser item under
// full_text: always, is decided on the title and the article's lead
// paragraphs when the article can be read within full_text_wait. The read
// is kept, so the summary uses it without a second request.
func (ft *fullText) classify(current func() relevanceJudge) pipeline.Classifier {
	return func(it story.Item) (rel pipeline.Relevance) {
		c := current() // topics change on reload and with servers' topics
		defer func() {
			if !rel.Relevant { // no summary follows to use the rest of the wait
				ft.waitingSince.Delete(it.Link)
			}
		}()
		results := c.Classify(it.Title, it.Text())
		rel = judge(results)
		if !ft.wants(it) || (ft.mode(it.Source) != fulltext.ModeAlways && !closeCall(c, results)) {
			return rel
		}
		// The pipeline's classifier takes no context; the wait bounds it,
		// and a read not done by then goes on for the summary to use.
		pa, read := ft.readAsync(context.Background(), it)
		t := time.NewTimer(max(ft.waitLeft(it.Link), 0))
		defer t.Stop()
		select {
		case <-read:
		case <-t.C:
			return rel
		}
		a := *pa
		if a.From != store.FromArticle {
			return rel
		}
		lead := it
		lead.Content = fulltext.Lead(a.Text)
		after := judge(c.Classify(lead.Title, lead.Text()))
		if after.Relevant != rel.Relevant {
			ft.log.Info("full text: the article's lead settled a close call",
				slog.String("source", it.Source), slog.Int64("item", it.ID),
				slog.Bool("relevant", after.Relevant), slog.Float64("teaser_score", rel.Score), slog.Float64("article_score", after.Score))
		}
		after.Reasons = append(after.Reasons, "read the article's lead (the teaser was a close call)")
		return after
	}
}

// relevanceJudge is what the full-text classifier needs of the topics in
// force: scores, and each topic's threshold to tell a close call.
type relevanceJudge interface {
	Classify(title, text string) []topic.Result
	Threshold(topic string) (float64, bool)
}

// closeCall reports whether any topic's score is near its threshold.
func closeCall(c relevanceJudge, results []topic.Result) bool {
	for _, r := range results {
		if th, ok := c.Threshold(r.Topic); ok && fulltext.IsClose(r.Score, th) {
			return true
		}
	}
	return false
}
