package topic

import (
	"fmt"
	"go/format"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// DayScores are one held-out news day's figures.
type DayScores struct {
	Day   string
	Items int
	// Threshold is the one chosen without this day (see fitModel), or the
	// threshold given.
	Threshold float64
	// Learned is the logistic layer refitted without this day; Hand the
	// hand-set weights (not fitted per fold); Baseline the keyword rule.
	Learned, Hand, Baseline Scores
}

// SetScores are the held-out figures of one label file.
type SetScores struct {
	Set                     string
	Items                   int
	Learned, Hand, Baseline Scores
}

// CVReport is the evaluation of the built-in topic on labelled items: the
// committed model in-sample, and leave-one-news-day-out cross-validation in
// which the learned weights are refitted on the other days for each day.
type CVReport struct {
	// InSample is the committed model (fitted on every item) scored on the
	// same items, with the keyword baseline beside it.
	InSample Report
	// Hand is the earlier hand-weighted model on every item. Its weights
	// were set by hand, not fitted per fold, so it has one figure.
	Hand Scores
	// CV pools every day's held-out verdicts.
	CV    Scores
	CVECE float64
	// CVLogLoss is the mean negative log-likelihood of the held-out
	// probabilities: unlike F1 it moves with every item's probability, not
	// only those that cross the threshold.
	CVLogLoss float64
	Days      []DayScores
	// Sets are the pooled held-out figures per label file (LabeledItem.Set),
	// in order of first appearance; empty when items name no set.
	Sets []SetScores
	// CVMisses are the wrong held-out verdicts, in input order.
	CVMisses []Miss
	// Stale is set when the committed weights differ from a fresh fit on
	// these items (rerun --fit after changing features or data).
	Stale bool
	// Fitted is true when the threshold is fitted (inside each fold, see
	// fitModel), false when it was given and used as it is.
	Fitted bool
}

// itemDay is an item's news day.
func itemDay(it LabeledItem) string { return evaldata.Day(it.Published) }

// CrossValidate evaluates the built-in topic t (Default, possibly with
// another threshold) on items: in-sample with the committed weights, and by
// leave-one-news-day-out cross-validation with the weights refitted on the
// other days for each held-out day. Unless t's threshold was given
// (WithThreshold), the threshold is refitted too, by a leave-one-day-out
// cross-validation nested inside the other days (see fitModel). The ridge
// penalty and the gazetteer are not fitted to data.
func CrossValidate(items []LabeledItem, t *Topic) CVReport {
	g := gazetteer()
	rep := CVReport{InSample: Evaluate(items, t), Fitted: !t.thresholdGiven}
	hand := handTuned()
	if t.thresholdGiven {
		hand.threshold = t.threshold
	}
	rep.Hand, _ = score(items, hand)

	as := make([]*analysis, len(items))
	days := make([]string, len(items))
	for i, it := range items {
		as[i] = g.analyzeDoc(newDoc(it.Title, it.Description))
		days[i] = itemDay(it)
	}
	labels := labelsOf(items)
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	full, th := fitModel(as, labels, days, all)
	rep.Stale = differs(full, fittedModel()) || th != fittedThreshold

	cv := make([]Result, len(items))
	folds := evaldata.GroupFolds(len(items), func(i int) string { return days[i] })
	for _, f := range folds {
		m, th := fitModel(as, labels, days, f.Train)
		if t.thresholdGiven {
			th = t.threshold
		}
		l := &learned{g: g, m: m}
		var dayItems []LabeledItem
		var dayRes []Result
		for _, i := range f.Test {
			p, subs, reasons := l.verdict(as[i])
			r := Result{Topic: t.Name(), Score: p, Relevant: p >= th, Subtopics: subs, Reasons: reasons}
			if !r.Relevant {
				r.Subtopics = []string{}
			}
			cv[i] = r
			dayItems, dayRes = append(dayItems, items[i]), append(dayRes, r)
		}
		hs, _ := score(dayItems, hand)
		bs, _ := score(dayItems, Baseline())
		rep.Days = append(rep.Days, DayScores{Day: f.Name, Items: len(f.Test), Threshold: th, Learned: scoreResults(dayItems, dayRes), Hand: hs, Baseline: bs})
	}
	rep.CV = scoreResults(items, cv)
	var sets []string
	bySet := map[string][]int{}
	for i, it := range items {
		if it.Set == "" {
			continue
		}
		if _, ok := bySet[it.Set]; !ok {
			sets = append(sets, it.Set)
		}
		bySet[it.Set] = append(bySet[it.Set], i)
	}
	for _, set := range sets {
		var si []LabeledItem
		var sr []Result
		for _, i := range bySet[set] {
			si, sr = append(si, items[i]), append(sr, cv[i])
		}
		hs, _ := score(si, hand)
		bs, _ := score(si, Baseline())
		rep.Sets = append(rep.Sets, SetScores{Set: set, Items: len(si), Learned: scoreResults(si, sr), Hand: hs, Baseline: bs})
	}
	rep.CVECE = calibrationError(items, cv)
	rep.CVLogLoss = logLoss(items, cv)
	for i, it := range items {
		if cv[i].Relevant != (it.Label == LabelOn) {
			rep.CVMisses = append(rep.CVMisses, Miss{Item: it, Result: cv[i]})
		}
	}
	return rep
}

// logLoss is the mean negative log-likelihood of res's scores as
// probabilities of the label on, clipped away from 0 and 1.
func logLoss(items []LabeledItem, res []Result) float64 {
	if len(items) == 0 {
		return 0
	}
	sum := 0.0
	for i, it := range items {
		p := math.Min(math.Max(res[i].Score, 1e-6), 1-1e-6)
		if it.Label == LabelOn {
			sum -= math.Log(p)
		} else {
			sum -= math.Log(1 - p)
		}
	}
	return sum / float64(len(items))
}

func labelsOf(items []LabeledItem) []string {
	ls := make([]string, len(items))
	for i, it := range items {
		ls[i] = it.Label
	}
	return ls
}

// thresholdGrid are the thresholds fitModel chooses from.
var thresholdGrid = func() []float64 {
	var g []float64
	for t := 30; t <= 60; t++ {
		g = append(g, float64(t)/100)
	}
	return g
}()

// fitModel fits the logistic layer on the items train (indices into as,
// labels and days) and chooses its threshold without looking at any
// verdict it will be judged by: each of train's news days is scored by
// weights fitted on the others, and of the thresholds on the grid that
// keep those held-out verdicts within the target false-positive rates
// (DefaultTargets), the one with the best expected F1 wins. The expected
// F1 counts each held-out probability as that share of an on item
// (expected true positives Σp over the items called relevant, false
// positives Σ(1-p), misses Σp over the rest), so it depends on the
// probabilities rather than on which few items sit next to a threshold.
// A threshold below 0.5 is expected: F1 is best served by calling an item
// relevant somewhat before it is more likely on than not.
func fitModel(as []*analysis, labels []string, days []string, train []int) (linModel, float64) {
	fit := func(idx []int) linModel {
		xs := make([][]float64, len(idx))
		fy := make([]bool, len(idx))
		for k, i := range idx {
			xs[k], fy[k] = as[i].x, labels[i] == LabelOn
		}
		return fitLogistic(xs, fy)
	}
	// Held-out probabilities of the training items: each day scored by
	// weights fitted on the others.
	held := make([]float64, len(train))
	inner := evaldata.GroupFolds(len(train), func(k int) string { return days[train[k]] })
	for _, f := range inner {
		idx := make([]int, len(f.Train))
		for k, j := range f.Train {
			idx[k] = train[j]
		}
		li := &learned{m: fit(idx)}
		for _, j := range f.Test {
			held[j] = li.prob(as[train[j]])
		}
	}
	maxFPR := DefaultTargets().MaxFPR
	// When no threshold keeps within the targets, the strictest is used.
	best, bestTh := -1.0, thresholdGrid[len(thresholdGrid)-1]
	for _, th := range thresholdGrid {
		neg, negOn := map[string]int{}, map[string]int{}
		for k, i := range train {
			if labels[i] != LabelOn {
				neg[labels[i]]++
				if held[k] >= th {
					negOn[labels[i]]++
				}
			}
		}
		within := true
		for lb, max := range maxFPR {
			if ratio(negOn[lb], neg[lb]) > max {
				within = false
			}
		}
		if !within {
			continue
		}
		var tp, fp, fn float64
		for _, p := range held {
			if p >= th {
				tp += p
				fp += 1 - p
			} else {
				fn += p
			}
		}
		if f1 := 2 * tp / (2*tp + fp + fn); f1 > best {
			best, bestTh = f1, th
		}
	}
	return fit(train), bestTh
}

func differs(a, b linModel) bool {
	const eps = 1e-4
	if d := a.bias - b.bias; d > eps || d < -eps {
		return true
	}
	for i := range a.w {
		if d := a.w[i] - b.w[i]; d > eps || d < -eps {
			return true
		}
	}
	return false
}

// WriteWeights fits the built-in topic's logistic layer on every item and
// writes it as the Go source of weights.go.
func WriteWeights(w io.Writer, items []LabeledItem, sources []string) error {
	g := gazetteer()
	as := make([]*analysis, len(items))
	days := make([]string, len(items))
	all := make([]int, len(items))
	for i, it := range items {
		as[i], days[i], all[i] = g.analyzeDoc(newDoc(it.Title, it.Description)), itemDay(it), i
	}
	m, th := fitModel(as, labelsOf(items), days, all)
	var b strings.Builder
	b.WriteString("// Code generated by `briefbot eval topics --fit`; DO NOT EDIT.\n\npackage topic\n\n")
	fmt.Fprintf(&b, "// fittedBias and fittedWeights are the built-in topic's logistic regression\n// (see model.go), fitted on %d labelled items from %s.\n", len(items), strings.Join(sources, ", "))
	fmt.Fprintf(&b, "const fittedBias = %.6f\n\n", m.bias)
	b.WriteString("// fittedThreshold is the probability at which an item is relevant, chosen\n// by leave-one-day-out cross-validation on the same items (see fitModel).\n")
	fmt.Fprintf(&b, "const fittedThreshold = %.2f\n\nvar fittedWeights = map[string]float64{\n", th)
	for i, n := range featNames {
		fmt.Fprintf(&b, "\t%q: %.6f,\n", n, m.w[i])
	}
	b.WriteString("}\n")
	// Formatted as gofmt would, so the committed file stays gofmt-clean.
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return fmt.Errorf("format weights.go: %w", err)
	}
	_, err = w.Write(src)
	return err
}

// TermCount is how often one gazetteer term fires on labelled items.
type TermCount struct {
	Class string // the gazetteer category and entry, e.g. "diplomacy/talks"
	Term  string
	Items int
	// ByLabel counts the items per label.
	ByLabel map[string]int
}

var catNames = [numCats]string{
	catRegion: "region", catForeign: "party", catDiplo: "diplomacy", catStatement: "statement",
	catActor: "official", catNeg: "not diplomacy", catElsewhere: "elsewhere", catExclude: "excluded",
	catCue: "cue", catSpeech: "speech", catNonState: "non-state", catArmed: "armed group", catLegal: "legal",
}

// TermReport counts, for every term of the built-in gazetteer, the items it
// fires on (after longer terms cover shorter ones), so terms that exist for
// one item show in review. Terms that fire on no item are listed too.
func TermReport(items []LabeledItem) []TermCount {
	g := gazetteer()
	type key struct {
		ref  int
		term string
	}
	counts := map[key]*TermCount{}
	var order []key
	// Map each compiled variant back to the term as written.
	termOf := map[string]string{}
	ref := 0
	for _, tb := range gazetteerTables {
		for _, s := range tb.specs {
			for _, term := range strings.Split(s.terms, "|") {
				pats, _ := compileTerm(term)
				for _, v := range spellingVariants(pats) {
					k := fmt.Sprint(ref, patternKey(v))
					if _, ok := termOf[k]; !ok {
						termOf[k] = term
					}
				}
				k := key{ref, term}
				if counts[k] == nil {
					counts[k] = &TermCount{Class: catNames[tb.cat] + "/" + s.label, Term: term, ByLabel: map[string]int{}}
					order = append(order, k)
				}
			}
			ref++
		}
	}
	for _, it := range items {
		d := newDoc(it.Title, it.Description)
		hits := g.hits(d)
		seen := map[key]bool{}
		for _, h := range hits {
			e := g.m.entries[entryOf(g.m, d, h)]
			term := termOf[fmt.Sprint(h.ref, patternKey(e.pats))]
			k := key{h.ref, term}
			if seen[k] || counts[k] == nil {
				continue
			}
			seen[k] = true
			counts[k].Items++
			counts[k].ByLabel[it.Label]++
		}
	}
	out := make([]TermCount, 0, len(order))
	for _, k := range order {
		out = append(out, *counts[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Items < out[j].Items })
	return out
}

// entryOf finds the matcher entry behind a hit: the one with the hit's ref
// and length that matches at its position.
func entryOf(m *matcher, d *doc, h hit) int {
	for id, e := range m.entries {
		if e.ref != h.ref || len(e.pats) != h.n {
			continue
		}
		ok := true
		for k, p := range e.pats {
			if !p.matches(d.toks[h.pos+k]) {
				ok = false
				break
			}
		}
		if ok {
			return id
		}
	}
	return 0
}

// DevSets are the labelled development sets, relative to the evaluation
// data directory (see internal/evaldata).
var DevSets = []string{"topic/dev.jsonl", "topic/dev2.jsonl"}

// maxECE is the most calibration error the scores may show on held-out days.
const maxECE = 0.06

// CVAsReport is the cross-validated figures in the shape Targets.Check
// reads, with the keyword baseline on the same items.
func (r CVReport) CVAsReport() Report {
	out := r.InSample
	out.Model = r.CV
	out.ECE = r.CVECE
	out.Misses = r.CVMisses
	return out
}
