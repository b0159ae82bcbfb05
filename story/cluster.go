package story

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// ClusterItem is what the clusterer needs of an item.
type ClusterItem struct {
	// ID identifies the item; Match and Assign answer an ID already in the
	// index with its story, so replaying an item is harmless. Zero means
	// "no identity": never deduplicated.
	ID        int64
	Outlet    string
	Title     string
	Text      string // the description, or the full text (only its lead is compared)
	Published time.Time
}

// ClusterItemOf takes an Item's clustering fields.
func ClusterItemOf(it Item) ClusterItem {
	return ClusterItem{ID: it.ID, Outlet: it.Source, Title: it.Title, Text: it.Text(), Published: it.Published}
}

// Decision is the clusterer's verdict on one item.
type Decision struct {
	// Story is the story the item joins; from Match, zero when it starts a
	// new one; from Assign, the new story's ID in that case.
	Story int64
	// Joined is set when the item joins an existing story.
	Joined bool
	// Similarity is the score against the best story (1 for a wire copy),
	// after the age discount; zero when nothing in the window was close.
	Similarity float64
	// Shared lists the names the item shares with that story's closest item.
	Shared []string
	// Reason says why, in words.
	Reason string
	// Follows, when the item starts a new story, is the older story it
	// would have joined but for the age discount: the same subject, past
	// the Fresh period, so a development to post in reply to that story's
	// message. Zero otherwise.
	Follows int64
}

// Options tune a Clusterer. Zero fields take the defaults.
type Options struct {
	// Window is how long a story stays open: a story whose newest item is
	// older than Window, counted back from the newest time seen, is
	// forgotten. Default 48h.
	Window time.Duration
	// Threshold is the similarity (TF-IDF cosine of headline and lead, in
	// [0,1]) an item needs to join a fresh story. Default 0.28.
	Threshold float64
	// Fresh is how long after a story's first item the plain threshold
	// applies. After that the score against the story is divided by
	// 1 + (age-Fresh)/Fresh, so a story twice Fresh old needs twice the
	// similarity: a day later, a report on the same subject is more often
	// a new development than the same event. Default 12h.
	Fresh time.Duration
	// Candidates bounds how many items are scored exactly per lookup.
	// Default 64.
	Candidates int
	// LinkMax is the weight of a story's closest item in its score; the
	// mean over its items has the rest. Default 0.4.
	LinkMax float64
	// PieceFactor scales the threshold for an item that is a piece about
	// a happening (an explainer, live page, analysis or gallery, see
	// KindOf) joining a story: such pieces are built on a happening in
	// their own words. 1 judges them like reports. Default 0.8.
	PieceFactor float64
	// ByReports judges a story that has reports by its reports alone, so
	// an explainer or reaction that joined it cannot pull other items in
	// by its own wording. Off by default: on the development days it
	// costs more same-event joins than it saves (see eval stories).
	ByReports bool
	// TopK, when positive, tempers a story's closest item with the mean of
	// its TopK closest items rather than of all of them: a big story told
	// from many angles is judged by the reports that resemble the item,
	// not diluted by the rest. Negative takes the mean over all its
	// items. Default 3.
	TopK int
}

const (
	defaultWindow = 48 * time.Hour
	// The threshold, the closest item's weight and the piece factor are
	// fitted by `briefbot eval stories` over the development days (the
	// in-sample fit; its cross-validated figures are in README.md).
	defaultThreshold  = 0.28
	defaultFresh      = 12 * time.Hour
	defaultCandidates = 64
	defaultLinkMax    = 0.4
	defaultPiece      = 0.8
	// strongSimilarity joins without a shared name: the wording alone is
	// close enough that the items are copies with light edits.
	strongSimilarity = 0.75
	// minPostingDF and postingShare bound which terms are looked up in the
	// inverted index: terms carried by more than postingShare of the
	// indexed items (and more than minPostingDF) are too common to find
	// candidates with; they still count in the exact score.
	minPostingDF = 64
	postingShare = 1.0 / 50
	// maxLinkItems bounds how many of a story's newest items are compared.
	maxLinkItems = 16
	defaultTopK  = 3
	// maxTopK bounds TopK, so the closest items fit in a fixed array.
	maxTopK = 8
)

// Clusterer groups items from several outlets into stories: an item joins
// the story whose items report the same event, or starts its own.
//
// Items are compared by a TF-IDF cosine over the folded, stemmed content
// words of headline and lead (the headline weighs more; IDF is taken over
// the items in the window, so what every report of the day says counts
// little). Candidates come from an inverted index, so an item costs about
// the same whether 100 or 10,000 stories are open. A story scores by its
// closest item, tempered by the mean over its items. To join, the best
// story must reach the threshold, raised as the story ages, and share a
// name (person, place, organisation) with the item, unless the texts are
// near copies: sharing "Israel" and "Gaza" is not enough, the wording must
// match too. Identical normalised text (a wire copy, or an identical lead
// of some length under a rewritten headline) always joins.
//
// A Clusterer is safe for concurrent use. Its state is a function of the
// items added and the newest time seen, so a clusterer rebuilt with Add
// from stored stories decides exactly as the one it replaces.
type Clusterer struct {
	opt Options

	mu        sync.Mutex
	watermark time.Time // newest Published seen
	nextID    int64

	vocab    map[string]int32
	termKeys []string    // by term id
	df       []int32     // items holding the term, by term id
	postings [][]posting // by term id
	freeTerm []int32

	slots    []entry
	freeSlot []int32
	live     int // items indexed
	byItemID map[int64]int32

	stories map[int64]*storyState
	expiry  expiryHeap
	wire    map[uint64]slotRef // title+lead hash -> newest item with it
	lead    map[uint64]slotRef // lead hash -> newest item with it

	// scratch for lookups, reused under mu
	qw      []float64 // query weight by term id
	logs    []float64 // logs[n] = ln n
	acc     []float64
	touched []int32
	kept    []int32
	scores  []float64
}

type posting struct {
	slot int32
	gen  uint32
	w    float32 // the item's weight for the term, before IDF
}

type slotRef struct {
	slot int32
	gen  uint32
}

// entry is one indexed item.
type entry struct {
	gen   uint32
	story *storyState // nil when the slot is free
	id    int64
	at    time.Time
	terms []termRef // sorted by term id
	names []int32   // term ids, sorted
	wire  uint64
	lead  uint64
	kind  Kind
}

type termRef struct {
	id int32
	w  float32
}

type storyState struct {
	id          int64
	first, last time.Time
	slots       []int32
	reports     int // items of KindReport
}

// NewClusterer returns an empty clusterer.
func NewClusterer(opt Options) *Clusterer {
	if opt.Window <= 0 {
		opt.Window = defaultWindow
	}
	if opt.Threshold <= 0 {
		opt.Threshold = defaultThreshold
	}
	if opt.Fresh <= 0 {
		opt.Fresh = defaultFresh
	}
	opt.Fresh = min(opt.Fresh, opt.Window)
	if opt.Candidates <= 0 {
		opt.Candidates = defaultCandidates
	}
	if opt.PieceFactor <= 0 {
		opt.PieceFactor = defaultPiece
	}
	switch {
	case opt.TopK == 0:
		opt.TopK = defaultTopK
	case opt.TopK < 0:
		opt.TopK = -1
	}
	opt.TopK = min(opt.TopK, maxTopK)
	if opt.LinkMax <= 0 || opt.LinkMax > 1 {
		opt.LinkMax = defaultLinkMax
	}
	return &Clusterer{
		opt:      opt,
		nextID:   1,
		vocab:    map[string]int32{},
		byItemID: map[int64]int32{},
		stories:  map[int64]*storyState{},
		wire:     map[uint64]slotRef{},
		lead:     map[uint64]slotRef{},
	}
}

// Options returns the options in force, defaults filled in.
func (c *Clusterer) Options() Options { return c.opt }

// Match decides which story it belongs to without recording it: the
// pipeline calls Match, stores the item (in the story, or in a new one the
// store creates), then calls Add with the story's ID. Callers that run
// several Match/Add pairs at once can see two items of one new event both
// start a story; run them from one goroutine, or use Assign.
func (c *Clusterer) Match(it ClusterItem) Decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.match(it, extract(it.Title, it.Text))
}

// Assign matches it and records it in one step: in the story it joins, or
// in a new story whose ID the clusterer allocates (one more than the
// largest ID seen). For callers whose story IDs come from elsewhere (a
// database), Match and Add are the pair to use.
func (c *Clusterer) Assign(it ClusterItem) Decision {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := extract(it.Title, it.Text)
	d := c.match(it, f)
	if !d.Joined && d.Story == 0 {
		d.Story = c.nextID
	}
	c.add(d.Story, it, f)
	return d
}

// Add records items as members of story id: after Match, once the item is
// stored, and at start-up to rebuild the index from the stored stories of
// the last Window (in any order). Items whose ID is already indexed are
// skipped. Stories whose newest item is older than Window before the
// newest time seen are forgotten.
func (c *Clusterer) Add(id int64, items ...ClusterItem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range items {
		c.add(id, it, extract(it.Title, it.Text))
	}
}

// Evict forgets the stories that are out of the window at now, for a
// caller whose items arrive slowly and who wants memory back; lookups
// evict by themselves as newer items arrive.
func (c *Clusterer) Evict(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(now)
}

// Len returns how many stories and items are in the window.
func (c *Clusterer) Len() (stories, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stories), c.live
}

// Stories returns the IDs of the stories in the window, ascending.
func (c *Clusterer) Stories() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]int64, 0, len(c.stories))
	for id := range c.stories {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (c *Clusterer) advance(t time.Time) {
	if t.After(c.watermark) {
		c.watermark = t
	}
	cutoff := c.watermark.Add(-c.opt.Window)
	for len(c.expiry) > 0 && c.expiry[0].last.Before(cutoff) {
		e := heap.Pop(&c.expiry).(expiryEntry)
		s, ok := c.stories[e.id]
		if !ok || !s.last.Equal(e.last) {
			continue // the story grew since: a newer entry stands for it
		}
		c.evict(s)
	}
}

func (c *Clusterer) evict(s *storyState) {
	delete(c.stories, s.id)
	for _, slot := range s.slots {
		e := &c.slots[slot]
		for _, t := range e.terms {
			c.df[t.id]--
			if c.df[t.id] == 0 {
				delete(c.vocab, c.termKeys[t.id])
				c.termKeys[t.id] = ""
				c.postings[t.id] = c.postings[t.id][:0]
				c.freeTerm = append(c.freeTerm, t.id)
			} else if p := c.postings[t.id]; len(p) > 2*int(c.df[t.id])+8 {
				c.postings[t.id] = c.compact(p)
			}
		}
		if r, ok := c.wire[e.wire]; ok && r.slot == slot {
			delete(c.wire, e.wire)
		}
		if r, ok := c.lead[e.lead]; ok && r.slot == slot {
			delete(c.lead, e.lead)
		}
		if e.id != 0 {
			delete(c.byItemID, e.id)
		}
		*e = entry{gen: e.gen + 1}
		c.freeSlot = append(c.freeSlot, slot)
		c.live--
	}
}

// compact drops the postings of evicted items (stale generations).
func (c *Clusterer) compact(p []posting) []posting {
	out := p[:0]
	for _, q := range p {
		if c.slots[q.slot].gen == q.gen && c.slots[q.slot].story != nil {
			out = append(out, q)
		}
	}
	return out
}

func (c *Clusterer) valid(slot int32, gen uint32) bool {
	e := &c.slots[slot]
	return e.gen == gen && e.story != nil
}

// idf is the smoothed inverse document frequency over the window's items.
// Logarithms come from a table, since a lookup takes thousands of them.
func (c *Clusterer) idf(df int32) float64 {
	return c.log(c.live+1) - c.log(int(df)+1) + 1
}

func (c *Clusterer) log(n int) float64 {
	for len(c.logs) <= n {
		c.logs = append(c.logs, math.Log(float64(len(c.logs))))
	}
	return c.logs[n]
}

func (c *Clusterer) match(it ClusterItem, f features) Decision {
	at := it.Published
	if at.IsZero() {
		at = c.watermark
	}
	c.advance(at)
	if it.ID != 0 {
		if slot, ok := c.byItemID[it.ID]; ok {
			s := c.slots[slot].story
			return Decision{Story: s.id, Joined: true, Similarity: 1, Reason: fmt.Sprintf("item %d is already in story %d", it.ID, s.id)}
		}
	}
	// Wire copies: the same text under another outlet's name.
	for _, w := range []struct {
		m    map[uint64]slotRef
		h    uint64
		what string
	}{{c.wire, f.wire, "headline and lead"}, {c.lead, f.lead, "lead"}} {
		if w.h == 0 {
			continue
		}
		if r, ok := w.m[w.h]; ok && c.valid(r.slot, r.gen) && c.inWindow(c.slots[r.slot].story, at) {
			s := c.slots[r.slot].story
			return Decision{Story: s.id, Joined: true, Similarity: 1,
				Reason: fmt.Sprintf("wire copy: same %s as an item of story %d", w.what, s.id)}
		}
	}

	// The item's vector: known terms by id, IDF from the window.
	type qterm struct {
		id  int32
		w   float64 // weight × idf
		idf float64
	}
	q := make([]qterm, 0, len(f.terms))
	var qnorm float64
	for _, t := range f.terms {
		id, ok := c.vocab[t.key]
		var df int32
		if ok {
			df = c.df[id]
		} else {
			id = -1
		}
		idf := c.idf(df)
		w := t.w * idf
		qnorm += w * w
		if ok {
			q = append(q, qterm{id, w, idf})
		}
	}
	if qnorm == 0 || len(q) == 0 {
		return Decision{Reason: "nothing in the window shares its words"}
	}
	qnorm = math.Sqrt(qnorm)
	var qnames []int32
	for _, k := range f.names {
		if id, ok := c.vocab[k]; ok {
			qnames = append(qnames, id)
		}
	}
	slices.Sort(qnames)
	// The query's weights by term id, for exact scoring. Terms stay in key
	// order everywhere, so sums run in the same order in a rebuilt index
	// (whose term ids differ) and give bit-identical scores.
	if len(c.qw) < len(c.termKeys) {
		c.qw = append(c.qw, make([]float64, len(c.termKeys)-len(c.qw))...)
	}
	for _, t := range q {
		c.qw[t.id] = t.w
	}
	defer func() {
		for _, t := range q {
			c.qw[t.id] = 0
		}
	}()

	// Candidates: items sharing a term that is not too common, ranked by
	// their partial dot product.
	if len(c.acc) < len(c.slots) {
		c.acc = append(c.acc, make([]float64, len(c.slots)-len(c.acc))...)
	}
	limit := max(minPostingDF, int32(float64(c.live)*postingShare))
	c.touched = c.touched[:0]
	for _, t := range q {
		if c.df[t.id] > limit {
			continue
		}
		for _, p := range c.postings[t.id] {
			if !c.valid(p.slot, p.gen) {
				continue
			}
			if c.acc[p.slot] == 0 {
				c.touched = append(c.touched, p.slot)
			}
			c.acc[p.slot] += t.w * float64(p.w) * t.idf
		}
	}
	cands := c.touched
	if len(cands) > c.opt.Candidates {
		// Keep the items at or above the Candidates-th best partial score:
		// a set that does not depend on the order items were indexed in.
		c.scores = c.scores[:0]
		for _, slot := range cands {
			c.scores = append(c.scores, c.acc[slot])
		}
		kth := nthLargest(c.scores, c.opt.Candidates)
		kept := c.kept[:0]
		for _, slot := range cands {
			if c.acc[slot] >= kth {
				kept = append(kept, slot)
			}
		}
		c.kept, cands = kept, kept
	}
	for _, slot := range c.touched {
		c.acc[slot] = 0
	}

	// Exact scores. A story scores by its items' similarities: the
	// closest item counts most, the rest temper it, so one item that
	// happens to resemble a story of another event does not pull it in.
	sim := func(e *entry) float64 {
		var dot, ynorm float64
		for _, t := range e.terms {
			w := float64(t.w) * c.idf(c.df[t.id])
			ynorm += w * w
			dot += c.qw[t.id] * w
		}
		if dot == 0 {
			return 0
		}
		return dot / (qnorm * math.Sqrt(ynorm))
	}
	var (
		best      *storyState
		bestScore float64
		bestRaw   float64
		bestNames []int32
	)
	seen := map[int64]bool{}
	for _, slot := range cands {
		s := c.slots[slot].story
		if seen[s.id] || !c.inWindow(s, at) {
			continue
		}
		seen[s.id] = true
		var top, sum float64
		var names []int32
		var closest [maxTopK]float64
		k := min(c.opt.TopK, maxTopK)
		// A story with reports is judged by them: a piece about the event
		// (an explainer, a reaction) that joined it does not pull other
		// items in by its own wording.
		items := s.slots
		if c.opt.ByReports && s.reports > 0 && s.reports < len(items) {
			items = c.reportSlots(items)
		}
		if len(items) > maxLinkItems {
			items = items[len(items)-maxLinkItems:]
		}
		for _, sl := range items {
			e := &c.slots[sl]
			x := sim(e)
			sum += x
			if i := k - 1; i >= 0 && x > closest[i] {
				closest[i] = x
				for ; i > 0 && closest[i] > closest[i-1]; i-- {
					closest[i], closest[i-1] = closest[i-1], closest[i]
				}
			}
			if x > top {
				top = x
				names = sharedNames(qnames, e.names)
			}
		}
		if len(names) == 0 && top < strongSimilarity {
			continue
		}
		mean := sum / float64(len(items))
		if k > 0 && len(items) > k {
			mean = 0
			for _, v := range closest[:k] {
				mean += v
			}
			mean /= float64(k)
		}
		raw := c.opt.LinkMax*top + (1-c.opt.LinkMax)*mean
		score := raw * c.discount(s, at)
		if best == nil || score > bestScore || (score == bestScore && s.id < best.id) {
			best, bestScore, bestRaw, bestNames = s, score, raw, names
		}
	}
	if best == nil {
		return Decision{Reason: "no story in the window shares a name and enough wording"}
	}
	shared := make([]string, len(bestNames))
	for i, id := range bestNames {
		shared[i] = c.termKeys[id]
	}
	slices.Sort(shared)
	d := Decision{Story: best.id, Similarity: bestScore, Shared: shared}
	threshold := c.opt.Threshold
	if f.kind != KindReport && f.kind != KindReaction {
		// Another actor's reaction is a happening of its own (LABELS.md
		// version 2), not a piece built on this one: it keeps the bar.
		threshold *= c.opt.PieceFactor
	}
	if bestScore >= threshold {
		d.Joined = true
		d.Reason = fmt.Sprintf("same event as story %d: similarity %.2f (%.2f before age discount) ≥ %.2f (%s), shared names: %s",
			best.id, bestScore, bestRaw, threshold, f.kind, listOrNone(shared))
		return d
	}
	d.Story = 0
	if bestRaw >= threshold {
		d.Follows = best.id
		d.Reason = fmt.Sprintf("new story following story %d: similarity %.2f ≥ %.2f only before the age discount (%.2f after), shared names: %s",
			best.id, bestRaw, threshold, bestScore, listOrNone(shared))
		return d
	}
	d.Reason = fmt.Sprintf("new story: closest is story %d at %.2f < %.2f (%s; shared names: %s)",
		best.id, bestScore, threshold, f.kind, listOrNone(shared))
	return d
}

// discount lowers the score against an older story: within Fresh of its
// first item the score stands; at twice Fresh it is halved.
func (c *Clusterer) discount(s *storyState, at time.Time) float64 {
	age := at.Sub(s.first)
	if age < 0 {
		age = -age
	}
	if age <= c.opt.Fresh {
		return 1
	}
	return 1 / (1 + float64(age-c.opt.Fresh)/float64(c.opt.Fresh))
}

// inWindow reports whether an item at t may still join s.
func (c *Clusterer) inWindow(s *storyState, t time.Time) bool {
	return !s.last.Before(t.Add(-c.opt.Window)) && !s.first.After(t.Add(c.opt.Window))
}

// nthLargest returns the k-th largest of xs (1-based), reordering xs.
func nthLargest(xs []float64, k int) float64 {
	lo, hi, want := 0, len(xs)-1, k-1
	for lo < hi {
		// Median of three keeps adversarial orders from going quadratic.
		mid := lo + (hi-lo)/2
		if xs[mid] > xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] > xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[mid] > xs[hi] {
			xs[mid], xs[hi] = xs[hi], xs[mid]
		}
		pivot := xs[hi]
		i := lo
		for j := lo; j < hi; j++ {
			if xs[j] > pivot {
				xs[i], xs[j] = xs[j], xs[i]
				i++
			}
		}
		xs[i], xs[hi] = xs[hi], xs[i]
		switch {
		case i == want:
			return xs[i]
		case i < want:
			lo = i + 1
		default:
			hi = i - 1
		}
	}
	return xs[lo]
}

// reportSlots returns the slots of items that are reports.
func (c *Clusterer) reportSlots(slots []int32) []int32 {
	out := make([]int32, 0, len(slots))
	for _, sl := range slots {
		if c.slots[sl].kind == KindReport {
			out = append(out, sl)
		}
	}
	return out
}

// cmpInStory orders a story's items by time, then item ID, then text.
func (c *Clusterer) cmpInStory(a, b int32) int {
	ea, eb := &c.slots[a], &c.slots[b]
	if x := ea.at.Compare(eb.at); x != 0 {
		return x
	}
	if x := cmp.Compare(ea.id, eb.id); x != 0 {
		return x
	}
	return cmp.Compare(ea.wire, eb.wire)
}

func sharedNames(a, b []int32) []int32 {
	var out []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func (c *Clusterer) add(id int64, it ClusterItem, f features) {
	if it.ID != 0 {
		if _, ok := c.byItemID[it.ID]; ok {
			return
		}
	}
	at := it.Published
	if at.IsZero() {
		at = c.watermark
	}
	c.advance(at)
	if id >= c.nextID {
		c.nextID = id + 1
	}
	s, ok := c.stories[id]
	if !ok {
		s = &storyState{id: id, first: at, last: at}
		c.stories[id] = s
	}
	var slot int32
	if n := len(c.freeSlot); n > 0 {
		slot = c.freeSlot[n-1]
		c.freeSlot = c.freeSlot[:n-1]
	} else {
		slot = int32(len(c.slots))
		c.slots = append(c.slots, entry{})
	}
	e := &c.slots[slot]
	e.story, e.id, e.at, e.wire, e.lead, e.kind = s, it.ID, at, f.wire, f.lead, f.kind
	if f.kind == KindReport {
		s.reports++
	}
	e.terms = make([]termRef, 0, len(f.terms))
	for _, t := range f.terms {
		tid := c.term(t.key)
		c.df[tid]++
		e.terms = append(e.terms, termRef{tid, float32(t.w)})
		c.postings[tid] = append(c.postings[tid], posting{slot, e.gen, float32(t.w)})
	}
	e.names = make([]int32, 0, len(f.names))
	for _, k := range f.names {
		e.names = append(e.names, c.vocab[k])
	}
	slices.Sort(e.names)
	// When two stories hold the same text, copies go to the lower ID,
	// whichever was added last, so a rebuilt index agrees.
	for _, h := range []struct {
		m map[uint64]slotRef
		h uint64
	}{{c.wire, f.wire}, {c.lead, f.lead}} {
		if h.h == 0 {
			continue
		}
		if r, ok := h.m[h.h]; ok && c.valid(r.slot, r.gen) && c.slots[r.slot].story.id <= id {
			continue
		}
		h.m[h.h] = slotRef{slot, e.gen}
	}
	if it.ID != 0 {
		c.byItemID[it.ID] = slot
	}
	c.live++
	// Keep a story's items in time order (then ID), however they were
	// added, so its score sums in the same order after a rebuild.
	i, _ := slices.BinarySearchFunc(s.slots, slot, c.cmpInStory)
	s.slots = slices.Insert(s.slots, i, slot)
	if at.Before(s.first) {
		s.first = at
	}
	if at.After(s.last) || !ok {
		s.last = at
		heap.Push(&c.expiry, expiryEntry{id: s.id, last: s.last})
	}
	// The story may be out of the window already (an old stored story).
	c.advance(at)
}

// term returns the id of key, adding it to the vocabulary.
func (c *Clusterer) term(key string) int32 {
	if id, ok := c.vocab[key]; ok {
		return id
	}
	var id int32
	if n := len(c.freeTerm); n > 0 {
		id = c.freeTerm[n-1]
		c.freeTerm = c.freeTerm[:n-1]
		c.termKeys[id] = key
		c.df[id] = 0
	} else {
		id = int32(len(c.termKeys))
		c.termKeys = append(c.termKeys, key)
		c.df = append(c.df, 0)
		c.postings = append(c.postings, nil)
	}
	c.vocab[key] = id
	return id
}

// expiryHeap orders stories by their newest item, oldest first. A story
// that grows is pushed again; its stale entries are skipped when popped.
type expiryHeap []expiryEntry

type expiryEntry struct {
	id   int64
	last time.Time
}

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].last.Before(h[j].last) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
