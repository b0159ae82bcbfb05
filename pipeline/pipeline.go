// Package pipeline moves items the sources recorded as pending through
// relevance and summary, records the decision, and hands relevant ones to a
// sink (the console). Recording a relevant decision also makes the item a
// story and queues its Discord deliveries, in the store's same transaction
// (see store.Store.CompleteItem), so Discord needs no sink. It owns no I/O
// of its own: the store, classifier, summarizer and sink are passed in.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Store is the part of store.Store the pipeline uses.
type Store interface {
	PendingItems(ctx context.Context, limit int) ([]story.Item, error)
	CompleteItem(ctx context.Context, id int64, d store.Decision) error
}

// Relevance is a classifier's verdict over every topic.
type Relevance struct {
	Relevant  bool // relevant to at least one topic
	Score     float64
	Topics    []string // topics the item is relevant to
	Subtopics []string
	Reasons   []string
}

// Classifier decides whether an item matters, and to which topics.
type Classifier func(it story.Item) Relevance

// Summarizer writes the short summary of a relevant item.
type Summarizer func(ctx context.Context, it story.Item) (string, error)

// Briefing is a relevant item ready to be shown.
type Briefing struct {
	Item     story.Item
	Decision store.Decision
}

// Sink receives briefings after their decision is recorded.
type Sink interface {
	Publish(ctx context.Context, b Briefing) error
}

// Counters observe the pipeline; nil fields are ignored.
type Counters struct {
	Processed func()
	Relevant  func()
}

// Pipeline drains pending items.
type Pipeline struct {
	Store      Store
	Classify   Classifier
	Summarize  Summarizer
	Sink       Sink
	Log        *slog.Logger
	Now        func() time.Time
	BatchSize  int
	Counters   Counters
	RetryAfter time.Duration // wait after a store error before trying again
}

// Run processes pending items whenever wake fires (and once at start, so
// items left pending by a crash are picked up), until ctx is done.
func (p *Pipeline) Run(ctx context.Context, wake <-chan struct{}) error {
	retry := p.RetryAfter
	if retry == 0 {
		retry = 5 * time.Second
	}
	for {
		err := p.Drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var wait <-chan time.Time
		if err != nil {
			p.Log.Error("pipeline: processing pending items failed; will retry", "err", err, "retry_in", retry)
			wait = time.After(retry)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-wait:
		}
	}
}

// Drain processes pending items until none are left.
func (p *Pipeline) Drain(ctx context.Context) error {
	batch := p.BatchSize
	if batch <= 0 {
		batch = 100
	}
	for {
		items, err := p.Store.PendingItems(ctx, batch)
		if err != nil {
			return fmt.Errorf("pipeline: reading pending items: %w", err)
		}
		if len(items) == 0 {
			return nil
		}
		for _, it := range items {
			if err := p.process(ctx, it); err != nil {
				return err
			}
		}
	}
}

func (p *Pipeline) process(ctx context.Context, it story.Item) error {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	rel := p.Classify(it)
	d := store.Decision{
		Relevant: rel.Relevant, Score: rel.Score, Topics: rel.Topics,
		Subtopics: rel.Subtopics, Reasons: rel.Reasons, At: now().UTC(),
	}
	if rel.Relevant {
		sum, err := p.Summarize(ctx, it)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A summary is a nicety; the description still informs.
			p.Log.Warn("pipeline: summary failed; using the description", "source", it.Source, "item", it.ID, "err", err)
			sum = it.Description
		}
		d.Summary = sum
	}
	if err := p.Store.CompleteItem(ctx, it.ID, d); err != nil {
		return fmt.Errorf("pipeline: recording decision for item %d: %w", it.ID, err)
	}
	if p.Counters.Processed != nil {
		p.Counters.Processed()
	}
	p.Log.Debug("pipeline: item classified", "source", it.Source, "item", it.ID, "relevant", rel.Relevant, "score", rel.Score)
	if !rel.Relevant {
		return nil
	}
	if p.Counters.Relevant != nil {
		p.Counters.Relevant()
	}
	if p.Sink == nil {
		return nil
	}
	if err := p.Sink.Publish(ctx, Briefing{Item: it, Decision: d}); err != nil && !errors.Is(err, context.Canceled) {
		p.Log.Error("pipeline: publishing briefing failed", "source", it.Source, "item", it.ID, "err", err)
	}
	return nil
}
