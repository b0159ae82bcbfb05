// Package pipeline moves items the sources recorded as pending through
// relevance and summary, records the decision, and hands relevant ones to a
// sink (the console). Recording a relevant decision also puts the item in a
// story and queues its Discord deliveries (or the edits of messages already
// posted), in the store's same transaction (see store.Store.CompleteItem),
// so Discord needs no sink. Which story a relevant item joins is the story
// clusterer's verdict: another outlet's report of the same event joins it
// rather than starting a story of its own. The pipeline owns no I/O of its
// own: the store, classifier, summarizer, clusterer and sink are passed in.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Store is the part of store.Store the pipeline uses.
type Store interface {
	PendingItems(ctx context.Context, limit int) ([]story.Item, error)
	CompleteItem(ctx context.Context, id int64, d store.Decision) error
	// Item reads back the story a relevant item started.
	Item(ctx context.Context, id int64) (store.StoredItem, error)
	// RecentStoryItems rebuilds the clusterer at start.
	RecentStoryItems(ctx context.Context, since time.Time) ([]store.StoryItems, error)
	// Story reads the items of a story an item joins, to choose the one
	// that best stands for it.
	Story(ctx context.Context, id int64) (store.Story, error)
	// UpdateStorySummary puts a summary that arrived late on its story
	// and queues the edits of the story's messages.
	UpdateStorySummary(ctx context.Context, storyID int64, summary string, at time.Time) error
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

// Summary is a summarizer's output for one item.
type Summary struct {
	// Text is the short summary.
	Text string
	// Title is the item's headline in English when the summarizer
	// translated it (an item not in English); "" keeps the item's title.
	// A story the item starts is headed by it, and the original title is
	// shown beneath.
	Title string
}

// Summarizer writes the short summary of a relevant item.
type Summarizer func(ctx context.Context, it story.Item) (Summary, error)

// LateSummarizer writes the summary of a relevant item at once and may
// deliver a better one later (a model's answer arriving after the story
// is posted): deliver is called at most once, from another goroutine,
// and only with a summary fit to show.
type LateSummarizer func(ctx context.Context, it story.Item, deliver func(summary string)) (Summary, error)

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
	Store     Store
	Classify  Classifier
	Summarize Summarizer
	// SummarizeLate, when set, summarizes relevant items instead of
	// Summarize, so their stories are posted at once; a summary it
	// delivers later replaces the story's, and its messages are edited,
	// if the item still heads the story. Summarize is still used for the
	// rare item decided before summaries were kept.
	SummarizeLate LateSummarizer
	Sink          Sink
	// Cluster, when set, groups relevant items into stories across
	// outlets; nil makes each relevant item a story of its own. The
	// pipeline is its only writer (Match then Add, one item at a time), so
	// two outlets' reports of one new event cannot both start a story.
	Cluster *story.Clusterer
	Log     *slog.Logger
	Now     func() time.Time
	// BatchSize bounds how many pending items one batch reads. Default
	// 1000: a batch decides its items' stories in published order, so
	// the pending items of polls that finished together are best read in
	// one batch (see Drain); a smaller one cuts them in the order the
	// polls were recorded, and which reports meet first would follow
	// timing.
	BatchSize  int
	Counters   Counters
	RetryAfter time.Duration // wait after a store error before trying again
	// Recheck, when set, also drains every Recheck without a wake: with
	// several instances, items another instance's poller recorded wake
	// nobody here.
	Recheck time.Duration
	// Settle, when set, is how long Run waits after a wake before
	// draining, taking further wakes meanwhile: the items of polls that
	// finish within it are decided in one batch, so a story's first post
	// already holds them all rather than being edited a moment later.
	Settle time.Duration
	// MaxHold bounds how long prepared items wait to be recorded and
	// posted while the rest of their batch is summarized (full-text
	// fetches can be slow): past it, what is prepared is decided and
	// posted, and the rest follows. Default 10s.
	MaxHold time.Duration

	// failures counts errors per item; setAside holds the items skipped
	// after maxItemFailures. Only the pipeline's own goroutine uses them.
	failures map[int64]int
	setAside map[int64]bool
}

// completeTimeout bounds recording one decision, also during shutdown.
const completeTimeout = 15 * time.Second

// Run processes pending items whenever wake fires (and once at start, so
// items left pending by a crash are picked up), until ctx is done. With a
// Cluster it first restores the clusterer from the store.
func (p *Pipeline) Run(ctx context.Context, wake <-chan struct{}) error {
	retry := p.RetryAfter
	if retry == 0 {
		retry = 5 * time.Second
	}
	restored := p.Cluster == nil
	for {
		var err error
		if !restored {
			if err = p.Restore(ctx); err == nil {
				restored = true
			}
		}
		if restored {
			err = p.Drain(ctx)
		}
		if ctx.Err() != nil {
			return nil
		}
		var wait <-chan time.Time
		switch {
		case err != nil:
			p.Log.Error("pipeline: processing pending items failed; will retry", "err", err, "retry_in", retry)
			wait = time.After(retry)
		case p.Recheck > 0:
			wait = time.After(p.Recheck)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
			if !p.settle(ctx, wake) {
				return nil
			}
		case <-wait:
		}
	}
}

// settle waits Settle after a wake, absorbing the wakes of polls that
// finish meanwhile; false when ctx ends.
func (p *Pipeline) settle(ctx context.Context, wake <-chan struct{}) bool {
	if p.Settle <= 0 {
		return true
	}
	t := time.NewTimer(p.Settle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-wake:
		case <-t.C:
			return true
		}
	}
}

// Restore adds to the clusterer the stories the store updated within the
// clusterer's window, so that after a restart a new outlet's report still
// joins the story the channels already have. Items already in the
// clusterer are skipped, so calling it twice is harmless.
func (p *Pipeline) Restore(ctx context.Context) error {
	if p.Cluster == nil {
		return nil
	}
	since := p.now().Add(-p.Cluster.Options().Window)
	sts, err := p.Store.RecentStoryItems(ctx, since)
	if err != nil {
		return fmt.Errorf("pipeline: reading recent stories to rebuild the story clusterer: %w", err)
	}
	items := 0
	for _, st := range sts {
		cis := make([]story.ClusterItem, len(st.Items))
		for i, it := range st.Items {
			cis[i] = story.ClusterItemOf(it)
		}
		p.Cluster.Add(st.StoryID, cis...)
		items += len(cis)
	}
	open, _ := p.Cluster.Len()
	p.Log.Info("pipeline: story clusterer restored", "stories", len(sts), "items", items, "open", open)
	return nil
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Drain processes pending items until none are left. Each batch is
// decided in two passes: every item is classified and summarized first
// (the slow part: a full-text fetch, a model call), then the batch's
// stories are decided and recorded one item after another, and only then
// is the sink told. So the items of one poll, and of polls that finished
// together (see Settle), are all in their story before its first post,
// and no message is edited moments after it is sent to add one of them.
// A batch whose summaries take longer than MaxHold is decided in rounds.
func (p *Pipeline) Drain(ctx context.Context) error {
	batch := p.BatchSize
	if batch <= 0 {
		batch = defaultBatchSize
	}
	for {
		// Ask past the items set aside, which stay pending in the store.
		limit := batch + len(p.setAside)
		items, err := p.Store.PendingItems(ctx, limit)
		if err != nil {
			return fmt.Errorf("pipeline: reading pending items: %w", err)
		}
		if len(items) < limit {
			p.forgetSetAside(items)
		}
		progress := false
		var todo []*prepared
		for _, it := range items {
			if !p.setAside[it.ID] {
				todo = append(todo, &prepared{it: it})
			}
		}
		err = p.drainBatch(ctx, todo)
		for _, pr := range todo {
			progress = progress || pr.tried
		}
		if err != nil {
			return err
		}
		if !progress {
			return nil
		}
	}
}

// defaultMaxHold is MaxHold's default.
const defaultMaxHold = 10 * time.Second

// defaultBatchSize is BatchSize's default.
const defaultBatchSize = 1000

// drainBatch decides and records a batch, then publishes its briefings.
func (p *Pipeline) drainBatch(ctx context.Context, todo []*prepared) error {
	defer func() {
		// A summary delivered late for an item not recorded has no story.
		for _, pr := range todo {
			if pr.late != nil {
				pr.late.settle("")
			}
		}
	}()
	hold := p.MaxHold
	if hold <= 0 {
		hold = defaultMaxHold
	}
	// Items are prepared, as they are recorded, in published order: when
	// MaxHold cuts the batch into rounds, each round is the earliest of
	// what is left, so the clusterer meets the items in the same order
	// whether the batch is decided at once or in rounds, and how fast
	// summaries come cannot change which items make one story.
	todo = slices.Clone(todo)
	slices.SortStableFunc(todo, func(a, b *prepared) int { return cmpPublished(a.it, b.it) })
	for rest := todo; len(rest) > 0; {
		began, n := time.Now(), 0
		for n < len(rest) {
			if err := p.prepare(ctx, rest[n]); err != nil {
				return err
			}
			n++
			if time.Since(began) > hold {
				break
			}
		}
		err := p.recordAll(ctx, rest[:n])
		if err != nil {
			return err
		}
		rest = rest[n:]
	}
	return nil
}

// recordAll records prepared items in published order and then publishes
// the relevant ones. The clusterer is evaluated in that order too: the
// first report starts the story and the rest join it, whatever order the
// polls returned them in.
func (p *Pipeline) recordAll(ctx context.Context, prs []*prepared) error {
	var publish []Briefing
	defer func() { p.publish(ctx, publish) }()
	order := slices.Clone(prs)
	slices.SortStableFunc(order, func(a, b *prepared) int { return cmpPublished(a.it, b.it) })
	for _, pr := range order {
		pr.tried = true
		b, err := p.record(ctx, pr)
		if err != nil {
			if ctx.Err() != nil || !p.failed(pr.it, err) {
				return err
			}
			continue
		}
		delete(p.failures, pr.it.ID) // months of running must not grow it
		if b != nil {
			publish = append(publish, *b)
		}
	}
	return nil
}

// cmpPublished orders items by published time, then by outlet, so items
// of one batch are decided in the same order however the polls that
// recorded them were interleaved: the store's order (when each poll
// finished) never breaks a tie between outlets. Sorted stably, items of
// one outlet published at the same time keep the order its poll recorded
// them in, which is the feed's.
func cmpPublished(a, b story.Item) int {
	if c := a.Published.Compare(b.Published); c != 0 {
		return c
	}
	return strings.Compare(a.Source, b.Source)
}

// publish hands a batch's briefings to the sink.
func (p *Pipeline) publish(ctx context.Context, bs []Briefing) {
	if p.Sink == nil {
		return
	}
	for _, b := range bs {
		if err := p.Sink.Publish(ctx, b); err != nil && !errors.Is(err, context.Canceled) {
			p.Log.Error("pipeline: publishing briefing failed", "source", b.Item.Source, "item", b.Item.ID, "err", err)
		}
	}
}

// maxItemFailures is how often one item may fail before it is set aside,
// so that one item the store cannot record does not hold up the rest.
const maxItemFailures = 5

// failed counts a failure of it and reports whether it has now been set
// aside (true) or should be retried later with the rest (false).
func (p *Pipeline) failed(it story.Item, err error) bool {
	if p.failures == nil {
		p.failures, p.setAside = map[int64]int{}, map[int64]bool{}
	}
	p.failures[it.ID]++
	if p.failures[it.ID] < maxItemFailures {
		return false
	}
	p.setAside[it.ID] = true
	p.Log.Error("pipeline: setting an item aside after repeated failures; it stays pending and is retried after a restart",
		"source", it.Source, "item", it.ID, "attempt", p.failures[it.ID], "err", err)
	delete(p.failures, it.ID)
	return true
}

// forgetSetAside drops set-aside items that are no longer pending (another
// instance or an operator dealt with them), given every pending item.
func (p *Pipeline) forgetSetAside(pending []story.Item) {
	if len(p.setAside) == 0 {
		return
	}
	still := make(map[int64]bool, len(pending))
	for _, it := range pending {
		still[it.ID] = true
	}
	for id := range p.setAside {
		if !still[id] {
			delete(p.setAside, id)
		}
	}
}

// prepared is an item through relevance and summary, not yet recorded.
type prepared struct {
	it         story.Item
	rel        Relevance
	d          store.Decision
	late       *lateSummary
	translated string // the item's English title, when translated
	tried      bool   // recording was attempted
}

// prepare classifies pr's item and, when relevant, summarizes it. It fails
// only when ctx ends.
func (p *Pipeline) prepare(ctx context.Context, pr *prepared) error {
	it := pr.it
	rel := p.Classify(it)
	pr.rel = rel
	pr.d = store.Decision{
		Relevant: rel.Relevant, Score: rel.Score, Topics: rel.Topics,
		Subtopics: rel.Subtopics, Reasons: rel.Reasons, At: p.now().UTC(),
	}
	if !rel.Relevant {
		return nil
	}
	summarize := p.Summarize
	if p.SummarizeLate != nil {
		late := &lateSummary{recorded: make(chan struct{})}
		// Until the decision is recorded, a late summary has no story to
		// go to: deliveries wait, and are dropped if it never is.
		pr.late = late
		summarize = func(ctx context.Context, it story.Item) (Summary, error) {
			return p.SummarizeLate(ctx, it, func(sum string) { p.lateSummary(ctx, it, late, sum) })
		}
	}
	sum, err := summarize(ctx, it)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A summary is a nicety; the description still informs.
		p.Log.Warn("pipeline: summary failed; using the description", "source", it.Source, "item", it.ID, "err", err)
		sum = Summary{Text: it.Description}
	}
	pr.d.Summary, pr.translated = sum.Text, sum.Title
	// Heads the story only if the item starts one (see store.Decision); a
	// join sets it again, or clears it, below.
	pr.d.StoryHeadline = pr.translated
	return nil
}

// record decides pr's story and records the decision; it returns the
// briefing to publish, nil for an irrelevant item.
func (p *Pipeline) record(ctx context.Context, pr *prepared) (*Briefing, error) {
	it, rel, d, translated := pr.it, pr.rel, pr.d, pr.translated
	var ci story.ClusterItem
	if rel.Relevant && p.Cluster != nil {
		ci = story.ClusterItemOf(it)
		switch cd := p.Cluster.Match(ci); {
		case cd.Joined:
			d.StoryID = cd.Story
			d.StoryHeadline = "" // a join keeps the story's headline unless refreshStory changes it
			p.Log.Debug("pipeline: item joins a story", "source", it.Source, "item", it.ID, "story", cd.Story,
				"similarity", cd.Similarity, "reason", cd.Reason)
			p.refreshStory(ctx, it, &d)
		case cd.Follows != 0:
			// A development of an older story: a new story, posted as a
			// reply to the older one's message.
			d.FollowsStoryID = cd.Follows
			p.Log.Debug("pipeline: item starts a story following another", "source", it.Source, "item", it.ID,
				"follows", cd.Follows, "reason", cd.Reason)
		}
	}
	// The decision is recorded even when shutdown has begun: the work is
	// done, and redoing it after a restart (a full-text fetch, a model
	// call) would cost more than finishing this write.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), completeTimeout)
	defer cancel()
	err := p.Store.CompleteItem(wctx, it.ID, d)
	if err != nil && (d.StoryID != 0 || d.FollowsStoryID != 0) && errors.Is(err, store.ErrNotFound) {
		// The clusterer knows a story the store does not (a database
		// restored from an older backup): start a new one instead.
		p.Log.Warn("pipeline: the story the item should join or follow is not in the store; starting a new one",
			"source", it.Source, "item", it.ID, "story", d.StoryID, "follows", d.FollowsStoryID)
		d.StoryID, d.FollowsStoryID = 0, 0
		d.StoryHeadline, d.StoryLink, d.StorySummary = translated, "", ""
		err = p.Store.CompleteItem(wctx, it.ID, d)
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: recording decision for item %d: %w", it.ID, err)
	}
	if rel.Relevant && p.Cluster != nil {
		p.addToCluster(ctx, it, ci, d.StoryID)
	}
	if pr.late != nil {
		pr.late.settle(d.Summary)
	}
	if p.Counters.Processed != nil {
		p.Counters.Processed()
	}
	p.Log.Debug("pipeline: item classified", "source", it.Source, "item", it.ID, "relevant", rel.Relevant, "score", rel.Score)
	if !rel.Relevant {
		return nil, nil
	}
	if p.Counters.Relevant != nil {
		p.Counters.Relevant()
	}
	return &Briefing{Item: it, Decision: d}, nil
}

// addToCluster records a completed relevant item in the clusterer under
// its story: joined, or the new one the store created, read back.
func (p *Pipeline) addToCluster(ctx context.Context, it story.Item, ci story.ClusterItem, storyID int64) {
	if storyID == 0 {
		si, err := p.Store.Item(ctx, it.ID)
		if err == nil && si.Decision != nil {
			storyID = si.Decision.StoryID
		}
		if storyID == 0 {
			// Only later reports of this event are affected: they start
			// their own story until a restart restores this one.
			p.Log.Error("pipeline: reading the story an item started failed; other outlets' reports will not join it",
				"source", it.Source, "item", it.ID, "err", err)
			return
		}
	}
	p.Cluster.Add(storyID, ci)
}

// refreshStory, for item it joining story d.StoryID, sets d's story fields
// when the join changes which of the story's items best stands for it
// (story.BestItem: the one most like the others, so a lone outlet's angle
// does not head the story): the story then takes that item's title, link
// and summary, and its messages are edited to show them. It is a nicety:
// when the story cannot be read, it keeps its text.
func (p *Pipeline) refreshStory(ctx context.Context, it story.Item, d *store.Decision) {
	fail := func(err error) {
		p.Log.Warn("pipeline: reading the story an item joins failed; its headline and summary stay as they are",
			"source", it.Source, "item", it.ID, "story", d.StoryID, "err", err)
	}
	st, err := p.Store.Story(ctx, d.StoryID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) { // CompleteItem handles a missing story
			fail(err)
		}
		return
	}
	items := make([]story.Item, 0, len(st.Sources)+1)
	summaries := make([]string, 0, len(st.Sources)+1)
	for _, src := range st.Sources {
		if src.ItemID == it.ID {
			continue
		}
		si, err := p.Store.Item(ctx, src.ItemID)
		if err != nil {
			fail(err)
			return
		}
		sum := ""
		if si.Decision != nil {
			sum = si.Decision.Summary
		}
		items, summaries = append(items, si.Item), append(summaries, sum)
	}
	items, summaries = append(items, it), append(summaries, d.Summary)
	cis := make([]story.ClusterItem, len(items))
	for i, x := range items {
		cis[i] = story.ClusterItemOf(x)
	}
	b := story.BestItem(cis)
	best := items[b]
	// The same item heading the story is unchanged even when the headline
	// differs from its title: that is its translation.
	if best.Title == "" || best.Link == st.Link {
		return // unchanged, or nothing to head the story with
	}
	sum := summaries[b]
	if sum == "" {
		// An item decided before summaries were kept: write one now.
		s, err := p.Summarize(ctx, best)
		if err != nil {
			fail(fmt.Errorf("summarizing item %d: %w", best.ID, err))
			return
		}
		sum = s.Text
	}
	d.StoryHeadline, d.StoryLink, d.StorySummary = best.Title, best.Link, sum
	p.Log.Debug("pipeline: story headed by another item", "story", d.StoryID, "item", best.ID, "source", best.Source)
}

// lateSummary is the meeting point of an item's decision being recorded
// and a better summary being delivered, which may happen in either order.
type lateSummary struct {
	once     sync.Once
	recorded chan struct{} // closed when the decision is recorded, or never will be
	summary  string        // the summary recorded; "" when none was
}

// settle records the outcome once: the summary the decision was recorded
// with, or "" when it was not recorded.
func (l *lateSummary) settle(summary string) {
	l.once.Do(func() {
		l.summary = summary
		close(l.recorded)
	})
}

// lateSummary puts sum, delivered late for item it, on the item's story
// once the decision is recorded, if the story still shows the summary the
// item was recorded with (another item may head it by now). It is a
// nicety: on any failure the story keeps the summary it was posted with.
func (p *Pipeline) lateSummary(ctx context.Context, it story.Item, l *lateSummary, sum string) {
	select {
	case <-l.recorded:
	case <-ctx.Done():
		return
	}
	if l.summary == "" || sum == "" || sum == l.summary {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, completeTimeout)
	defer cancel()
	fail := func(err error) {
		p.Log.Warn("pipeline: a later summary could not replace the story's; it keeps the one it was posted with",
			"source", it.Source, "item", it.ID, "err", err)
	}
	si, err := p.Store.Item(ctx, it.ID)
	if err != nil || si.Decision == nil || si.Decision.StoryID == 0 {
		fail(fmt.Errorf("reading the item's story: %w", errOrMissing(err)))
		return
	}
	id := si.Decision.StoryID
	st, err := p.Store.Story(ctx, id)
	if err != nil {
		fail(fmt.Errorf("reading story %d: %w", id, err))
		return
	}
	if st.Link != it.Link || st.Summary != l.summary {
		p.Log.Debug("pipeline: later summary not used: another item heads the story", "item", it.ID, "story", id)
		return
	}
	if err := p.Store.UpdateStorySummary(ctx, id, sum, p.now().UTC()); err != nil {
		fail(fmt.Errorf("updating story %d: %w", id, err))
		return
	}
	p.Log.Info("pipeline: story summary replaced by a later one; its messages will be edited",
		"source", it.Source, "item", it.ID, "story", id)
}

// errOrMissing is err, or a note that the item has no story.
func errOrMissing(err error) error {
	if err != nil {
		return err
	}
	return errors.New("the item is in no story")
}
