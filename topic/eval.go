package topic

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
)

// LabeledItem is one hand-labelled news item: "on" for the topic, or one of
// the near-miss labels ("near_region", "near_topic", "off").
type LabeledItem struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Label       string `json:"label"`
	Subtopic    string `json:"subtopic"`
	Note        string `json:"note"`
	// Published is the item's RFC 3339 time; its UTC date is the news day
	// that cross-validation holds out.
	Published string `json:"published"`
	// Set names the file the item came from, for per-file figures; the
	// reader of the file sets it.
	Set string `json:"-"`
}

// LabelOn is the label of items that belong to the topic.
const LabelOn = "on"

// maxLabeledLine bounds one JSONL line of labelled data.
const maxLabeledLine = 4 << 20

// ParseLabeled reads labelled items, one JSON object per line; blank lines
// are skipped. Errors name the line.
func ParseLabeled(r io.Reader) ([]LabeledItem, error) {
	var items []LabeledItem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLabeledLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var it LabeledItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON object with id, title, description, label: %w", n, err)
		}
		if it.Label == "" {
			return nil, fmt.Errorf("line %d: item %q has no label; use on, near_region, near_topic or off", n, it.ID)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("a line is longer than %d MiB: %w", maxLabeledLine>>20, err)
		}
		return nil, err
	}
	return items, nil
}

// Scores are precision, recall and F1 of "relevant" against label "on", and
// the false-positive rate on each other label.
type Scores struct {
	TP, FP, FN, TN int
	Precision      float64
	Recall         float64
	F1             float64
	// FPR maps each label other than "on" to the share of its items called
	// relevant.
	FPR map[string]float64
	// Count maps each label to its number of items.
	Count map[string]int
}

// Miss is an item the classifier got wrong.
type Miss struct {
	Item   LabeledItem
	Result Result
}

// Report compares the classifier with the keyword baseline on the same
// items.
type Report struct {
	Topic     string
	Threshold float64
	Items     int
	Model     Scores
	Baseline  Scores
	// SubtopicHit is the share of true positives whose labelled subtopic is
	// among the predicted ones (items labelled with a subtopic only).
	SubtopicHit float64
	// ECE is the expected calibration error of the scores (10 equal-width
	// bins): the mean gap between predicted score and observed rate of "on".
	ECE float64
	// Misses are false positives and false negatives, in input order.
	Misses []Miss
}

// Predictor is anything that decides relevance for an item: a Topic, or the
// keyword baseline.
type Predictor interface {
	Classify(title, text string) Result
}

// Evaluate scores t on items, and the keyword baseline beside it.
func Evaluate(items []LabeledItem, t *Topic) Report {
	rep := Report{Topic: t.Name(), Threshold: t.Threshold(), Items: len(items)}
	var results []Result
	rep.Model, results = score(items, t)
	rep.Baseline, _ = score(items, Baseline())
	var subN, subHit int
	for i, it := range items {
		r := results[i]
		on := it.Label == LabelOn
		if r.Relevant != on {
			rep.Misses = append(rep.Misses, Miss{Item: it, Result: r})
		}
		if on && r.Relevant && it.Subtopic != "" {
			subN++
			for _, s := range r.Subtopics {
				if s == it.Subtopic {
					subHit++
					break
				}
			}
		}
	}
	if subN > 0 {
		rep.SubtopicHit = float64(subHit) / float64(subN)
	}
	rep.ECE = calibrationError(items, results)
	return rep
}

func score(items []LabeledItem, p Predictor) (Scores, []Result) {
	results := make([]Result, len(items))
	for i, it := range items {
		results[i] = p.Classify(it.Title, it.Description)
	}
	return scoreResults(items, results), results
}

// scoreResults scores verdicts already made, results[i] on items[i].
func scoreResults(items []LabeledItem, results []Result) Scores {
	s := Scores{FPR: map[string]float64{}, Count: map[string]int{}}
	pos := map[string]int{}
	for i, it := range items {
		r := results[i]
		s.Count[it.Label]++
		on := it.Label == LabelOn
		switch {
		case on && r.Relevant:
			s.TP++
		case on:
			s.FN++
		case r.Relevant:
			s.FP++
			pos[it.Label]++
		default:
			s.TN++
		}
	}
	s.Precision = ratio(s.TP, s.TP+s.FP)
	s.Recall = ratio(s.TP, s.TP+s.FN)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	for label, n := range s.Count {
		if label != LabelOn {
			s.FPR[label] = ratio(pos[label], n)
		}
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func calibrationError(items []LabeledItem, results []Result) float64 {
	const bins = 10
	var sum, on [bins]float64
	var n [bins]int
	for i, r := range results {
		b := min(int(r.Score*bins), bins-1)
		sum[b] += r.Score
		n[b]++
		if items[i].Label == LabelOn {
			on[b]++
		}
	}
	ece := 0.0
	for b := range bins {
		if n[b] > 0 {
			ece += math.Abs(sum[b]-on[b]) / float64(len(results))
		}
	}
	return ece
}

// Labels returns the labels present in s, "on" first, then the near misses
// in a fixed order.
func (s Scores) Labels() []string {
	var out []string
	for l := range s.Count {
		out = append(out, l)
	}
	rank := map[string]int{LabelOn: 0, "near_region": 1, "near_topic": 2, "off": 3}
	sort.Slice(out, func(i, j int) bool {
		ri, iok := rank[out[i]]
		rj, jok := rank[out[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return out[i] < out[j]
	})
	return out
}

// Targets are the figures the built-in topic must reach on labelled data.
type Targets struct {
	MinF1          float64            // F1 for "on"
	MinOverBase    float64            // F1 margin over the keyword baseline
	MaxFPR         map[string]float64 // per near-miss label
	MinSubtopicHit float64
}

// DefaultTargets are the acceptance targets of the built-in topic (issue
// #12), judged on figures cross-validated by news day.
func DefaultTargets() Targets {
	return Targets{MinF1: 0.90, MinOverBase: 0.12, MaxFPR: map[string]float64{"near_region": 0.08, "near_topic": 0.15}}
}

// cvF1Floor is a regression floor, not the target: the target of
// cross-validated F1 ≥ 0.90 is NOT yet met (0.877 achieved when this floor
// was set). The floor sits just below the achieved cross-validated F1 so a
// change that loses ground fails CI; raise it as the figure rises, and
// replace it with the target once that is met.
const cvF1Floor = 0.87

// DefaultFloors are what CI enforces on the cross-validated figures: the
// regression floor for F1, and the issue's own targets where they are met
// (the margin over the keyword baseline and the false-positive rates).
func DefaultFloors() Targets {
	t := DefaultTargets()
	t.MinF1 = cvF1Floor
	return t
}

// TargetStatus is one target and whether a report meets it.
type TargetStatus struct {
	Target string // e.g. "F1 ≥ 0.90"
	Got    float64
	Met    bool
}

func (s TargetStatus) String() string {
	met := "met"
	if !s.Met {
		met = "NOT MET"
	}
	return fmt.Sprintf("%s: %s (%.3f)", s.Target, met, s.Got)
}

// Status lists every target with rep's figure and whether it is met.
func (tg Targets) Status(rep Report) []TargetStatus {
	out := []TargetStatus{{Target: "F1 ≥ " + bound(tg.MinF1), Got: rep.Model.F1, Met: rep.Model.F1 >= tg.MinF1}}
	d := rep.Model.F1 - rep.Baseline.F1
	out = append(out, TargetStatus{Target: "F1 over keyword baseline ≥ +" + bound(tg.MinOverBase), Got: d, Met: d >= tg.MinOverBase})
	labels := make([]string, 0, len(tg.MaxFPR))
	for l := range tg.MaxFPR {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		if fpr, ok := rep.Model.FPR[l]; ok {
			out = append(out, TargetStatus{Target: "FPR " + l + " ≤ " + bound(tg.MaxFPR[l]), Got: fpr, Met: fpr <= tg.MaxFPR[l]})
		}
	}
	return out
}

// bound prints a target with two decimals, or three when it needs them.
func bound(v float64) string {
	if s := fmt.Sprintf("%.2f", v); math.Abs(v-math.Round(v*100)/100) < 1e-9 {
		return s
	}
	return fmt.Sprintf("%.3f", v)
}

// Check lists the targets rep misses; none means all are met.
func (tg Targets) Check(rep Report) []string {
	var fails []string
	for _, s := range tg.Status(rep) {
		if !s.Met {
			fails = append(fails, s.String())
		}
	}
	return fails
}

// baselineRegion and baselineDiplo are the plain keyword rule the issue sets
// as the bar: an item is relevant when its headline or description has a
// region word and a diplomacy word.
var (
	baselineRegion = regexp.MustCompile(`(?i)\b(iran\w*|tehran|iraq\w*|baghdad|syria\w*|damascus|lebanon|lebanese|beirut|israel\w*|palestin\w*|gaza|west bank|hamas|hezbollah|houthis?|jordan\w*|egypt\w*|cairo|saudi\w*|riyadh|yemen\w*|oman\w*|uae|emirat\w*|qatar\w*|doha|bahrain\w*|kuwait\w*|turkey|turkish|turkiye|middle east|gulf)\b`)
	baselineDiplo  = regexp.MustCompile(`(?i)\b(talks?|negotiat\w*|mediat\w*|diplomat\w*|diplomacy|envoy|ambassador|minister|summit|ceasefire|truce|deal|agreement|accord|treaty|sanctions?|visit\w*|meet\w*|normali[sz]\w*|un security council|resolution|iaea|hostages?)\b`)
)

type baseline struct{}

// Baseline returns the keyword baseline: relevant when the headline or
// description has a region word and a diplomacy word.
func Baseline() Predictor { return baseline{} }

func (baseline) Classify(title, text string) Result {
	s := title + "\n" + text
	r, d := baselineRegion.FindString(s), baselineDiplo.FindString(s)
	res := Result{Topic: "keyword-baseline", Subtopics: []string{}, Reasons: []string{}}
	if r != "" {
		res.Reasons = append(res.Reasons, "region: "+r)
	}
	if d != "" {
		res.Reasons = append(res.Reasons, "diplomacy: "+d)
	}
	if r != "" && d != "" {
		res.Score, res.Relevant = 1, true
	}
	return res
}
