package story

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Evaluation of the clusterer against hand-grouped items: each labelled
// item names its event, and a clustering is scored by the pairs of items it
// puts together (pairwise precision and recall) and by B-cubed, which
// averages per item and so also credits singletons left alone.

// LabeledItem is one line of a story evaluation file.
type LabeledItem struct {
	ID          string    `json:"id"`
	Outlet      string    `json:"outlet"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Link        string    `json:"link"`
	Published   time.Time `json:"published"`
	// Event is the hand-assigned event: items with the same Event report
	// the same event.
	Event string `json:"event"`
	Note  string `json:"note"`
}

// ParseLabeled reads JSONL labelled items. Blank lines are skipped; a line
// that is not JSON or lacks an id, title, published time or event is an
// error naming the line.
func ParseLabeled(r io.Reader) ([]LabeledItem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var items []LabeledItem
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var it LabeledItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			return nil, fmt.Errorf("line %d: %w (each line must be one JSON object with id, title, published, event)", n, err)
		}
		var missing []string
		for _, f := range []struct {
			name string
			ok   bool
		}{{"id", it.ID != ""}, {"title", it.Title != ""}, {"published", !it.Published.IsZero()}, {"event", it.Event != ""}} {
			if !f.ok {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("line %d: missing %s", n, strings.Join(missing, ", "))
		}
		if prev, ok := seen[it.ID]; ok {
			return nil, fmt.Errorf("line %d: id %q is also on line %d; ids must be unique", n, it.ID, prev)
		}
		seen[it.ID] = n
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading labelled items: %w", err)
	}
	return items, nil
}

// ClusterAll runs a fresh clusterer over items in published order (ties
// in input order), as the pipeline would see them, and returns each item's
// story ID in input order. Item IDs are ignored: items are told apart by
// position.
func ClusterAll(items []ClusterItem, opt Options) []int64 {
	c := NewClusterer(opt)
	out := make([]int64, len(items))
	for _, i := range publishedOrder(items) {
		it := items[i]
		it.ID = int64(i) + 1
		out[i] = c.Assign(it).Story
	}
	return out
}

func publishedOrder(items []ClusterItem) []int {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].Published.Compare(items[b].Published) })
	return order
}

// BaselineClusters is the simple clusterer briefbot is measured against:
// in published order, an item joins the story of the earlier item
// published the same UTC day with which its title shares the most words,
// if that is at least half of them; otherwise it starts a story. Words are
// lowercase and folded; nothing is stemmed or dropped.
func BaselineClusters(items []ClusterItem) []int64 {
	type prev struct {
		day   string
		words map[string]bool
		story int64
	}
	var seen []prev
	out := make([]int64, len(items))
	var next int64 = 1
	for _, i := range publishedOrder(items) {
		it := items[i]
		day := it.Published.UTC().Format(time.DateOnly)
		ws := map[string]bool{}
		for _, w := range words(it.Title) {
			ws[w.norm] = true
		}
		story, best := int64(0), 0.0
		for _, p := range seen {
			if p.day != day || len(ws) == 0 || len(p.words) == 0 {
				continue
			}
			common := 0
			for w := range ws {
				if p.words[w] {
					common++
				}
			}
			share := float64(common) / float64(len(ws))
			if share >= 0.5 && share > best {
				story, best = p.story, share
			}
		}
		if story == 0 {
			story = next
			next++
		}
		out[i] = story
		seen = append(seen, prev{day, ws, story})
	}
	return out
}

// Scores rate one clustering against the labels.
type Scores struct {
	// Pairwise scores count pairs of items: a true positive is a pair put
	// in one story that the labels put in one event.
	Precision, Recall, F1 float64
	TP, FP, FN            int
	// B-cubed scores average, over items, the share of the item's story
	// that is its event (precision) and of its event that is its story
	// (recall).
	BCubedPrecision, BCubedRecall, BCubedF1 float64
	Stories                                 int
}

// Score compares predicted story IDs with labelled events, item by item.
func Score(events []string, stories []int64) (Scores, error) {
	if len(events) != len(stories) {
		return Scores{}, fmt.Errorf("score: %d labels but %d predictions", len(events), len(stories))
	}
	var s Scores
	n := len(events)
	storySize := map[int64]int{}
	eventSize := map[string]int{}
	both := map[struct {
		s int64
		e string
	}]int{}
	for i := range n {
		storySize[stories[i]]++
		eventSize[events[i]]++
		both[struct {
			s int64
			e string
		}{stories[i], events[i]}]++
	}
	s.Stories = len(storySize)
	pairs := func(k int) int { return k * (k - 1) / 2 }
	predPairs, truePairs := 0, 0
	for _, k := range storySize {
		predPairs += pairs(k)
	}
	for _, k := range eventSize {
		truePairs += pairs(k)
	}
	for _, k := range both {
		s.TP += pairs(k)
	}
	s.FP, s.FN = predPairs-s.TP, truePairs-s.TP
	s.Precision, s.Recall, s.F1 = prf(s.TP, s.FP, s.FN)
	if n == 0 {
		return s, nil
	}
	for i := range n {
		k := float64(both[struct {
			s int64
			e string
		}{stories[i], events[i]}])
		s.BCubedPrecision += k / float64(storySize[stories[i]])
		s.BCubedRecall += k / float64(eventSize[events[i]])
	}
	s.BCubedPrecision /= float64(n)
	s.BCubedRecall /= float64(n)
	s.BCubedF1 = harmonic(s.BCubedPrecision, s.BCubedRecall)
	return s, nil
}

// prf is precision, recall and F1 from counts; with nothing predicted
// precision is 1 (nothing claimed, nothing wrong), with nothing to find
// recall is 1.
func prf(tp, fp, fn int) (p, r, f float64) {
	p, r = 1, 1
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	return p, r, harmonic(p, r)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Mistake is a pair of items the clusterer got wrong.
type Mistake struct {
	A, B LabeledItem
	// Merged is set when the clusterer joined two items of different
	// events; otherwise it split one event.
	Merged bool
}

// Report is the outcome of an evaluation.
type Report struct {
	Items, Events, MultiEvents int // MultiEvents: events with 2+ items
	Model, Baseline            Scores
	Options                    Options
	// Mistakes lists the clusterer's wrong pairs, splits first, in file
	// order.
	Mistakes []Mistake
}

// Evaluate clusters the labelled items with a clusterer made from opt and
// with the baseline, and scores both.
func Evaluate(items []LabeledItem, opt Options) (Report, error) {
	rep := Report{Items: len(items), Options: NewClusterer(opt).Options()}
	events, cis := labelled(items)
	rep.Events, rep.MultiEvents = countEvents(events)
	model := ClusterAll(cis, opt)
	var err error
	if rep.Model, err = Score(events, model); err != nil {
		return rep, err
	}
	if rep.Baseline, err = Score(events, BaselineClusters(cis)); err != nil {
		return rep, err
	}
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			same, joined := events[i] == events[j], model[i] == model[j]
			if same != joined {
				rep.Mistakes = append(rep.Mistakes, Mistake{A: items[i], B: items[j], Merged: joined})
			}
		}
	}
	slices.SortStableFunc(rep.Mistakes, func(a, b Mistake) int {
		if a.Merged == b.Merged {
			return 0
		}
		if !a.Merged {
			return -1
		}
		return 1
	})
	return rep, nil
}

// Targets are the scores the clusterer must reach.
type Targets struct {
	PairwiseF1 float64
	BCubedF1   float64
}

// DefaultTargets are issue 6's: pairwise F1 ≥ 0.80 and B-cubed F1 ≥ 0.95.
func DefaultTargets() Targets { return Targets{PairwiseF1: 0.80, BCubedF1: 0.95} }

// Check lists the targets a report misses; none means all are met.
func (tg Targets) Check(rep Report) []string {
	return tg.check("", rep.Model.F1, rep.Model.BCubedF1)
}

// check lists the figures below their targets, each named with prefix.
func (tg Targets) check(prefix string, pairwise, bcubed float64) []string {
	var fails []string
	if pairwise < tg.PairwiseF1 {
		fails = append(fails, fmt.Sprintf("%spairwise F1 %.3f < %.2f", prefix, pairwise, tg.PairwiseF1))
	}
	if bcubed < tg.BCubedF1 {
		fails = append(fails, fmt.Sprintf("%sB-cubed F1 %.3f < %.2f", prefix, bcubed, tg.BCubedF1))
	}
	return fails
}
