package story

import (
	"fmt"
	"time"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// Cross-validation by news day. The clusterer's fitted constants (the
// join threshold, the weight of a story's closest item, how many of its
// closest items temper it, the bar for pieces) are chosen from
// a small grid by their scores on the training days only, and the figure
// reported for a day is that of the constants chosen without it. Items of
// one day share names and wording, so holding out whole days is what keeps
// the figure honest about news the constants never saw.
//
// The word lists (stop words, aliases, synonym classes) are not fitted to
// data: they are general classes written by hand (see cluster_text.go), and
// are the same in every fold.

// Params are the clusterer's constants fitted to labelled days.
type Params struct {
	Threshold float64
	LinkMax   float64
	// PieceFactor scales the threshold for pieces that are not reports.
	PieceFactor float64
	// ByReports judges stories by their reports only.
	ByReports bool
	// TopK is how many of a story's closest items temper its closest one
	// (-1: all of them).
	TopK int
}

// Apply returns opt with p's constants.
func (p Params) Apply(opt Options) Options {
	opt.Threshold, opt.LinkMax, opt.PieceFactor, opt.ByReports, opt.TopK = p.Threshold, p.LinkMax, p.PieceFactor, p.ByReports, p.TopK
	return opt
}

// ParamGrid is the grid the constants are fitted over. ByReports is not
// in it: cross-validation chose against it (README, Stories).
func ParamGrid() []Params {
	var g []Params
	for t := 0.14; t <= 0.46; t += 0.02 {
		for _, l := range []float64{0.4, 0.6, 0.8, 1.0} {
			for _, pf := range []float64{0.6, 0.8, 1} {
				for _, k := range []int{-1, 2, 3, 5} {
					g = append(g, Params{Threshold: round2(t), LinkMax: l, PieceFactor: pf, TopK: k})
				}
			}
		}
	}
	return g
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// DayScores are one news day's figures.
type DayScores struct {
	Day                    string
	Items, Events, Multi   int
	InSample, CV, Baseline Scores
	// Fitted are the constants used for CV: fitted on the other days.
	Fitted Params
}

// Summary aggregates per-day scores: B-cubed F1 and pairwise F1 averaged
// over days (macro), and pairwise F1 over all days' pairs pooled, which
// the big days dominate.
type Summary struct {
	MacroBCubed, MacroPairwise, PooledPairwise float64
}

// CVReport is the outcome of a cross-validated evaluation.
type CVReport struct {
	Items, Events, MultiEvents int
	Days                       []DayScores
	// Fitted are the constants fitted on every day: the in-sample figures
	// and the defaults come from them.
	Fitted                 Params
	InSample, CV, Baseline Summary
}

// Summarize aggregates days by pick.
func Summarize(days []DayScores, pick func(DayScores) Scores) Summary {
	var s Summary
	var tp, fp, fn int
	for _, d := range days {
		x := pick(d)
		s.MacroBCubed += x.BCubedF1
		s.MacroPairwise += x.F1
		tp, fp, fn = tp+x.TP, fp+x.FP, fn+x.FN
	}
	if n := float64(len(days)); n > 0 {
		s.MacroBCubed /= n
		s.MacroPairwise /= n
	}
	_, _, s.PooledPairwise = prf(tp, fp, fn)
	return s
}

// objective is what the constants are fitted to maximize: the two target
// figures, macro B-cubed and macro pairwise F1, weighted alike.
func objective(s Summary) float64 { return s.MacroBCubed + s.MacroPairwise }

// CrossValidate clusters each news day (UTC date of publication) on its
// own with every constant set of grid, fits the constants on all days (in
// sample) and, for each day, on the other days only (leave one day out),
// and scores each day with both, beside the word-overlap baseline.
func CrossValidate(items []LabeledItem, base Options, grid []Params) (CVReport, error) {
	if len(grid) == 0 {
		return CVReport{}, fmt.Errorf("cross-validate: empty parameter grid")
	}
	var rep CVReport
	rep.Items = len(items)
	all, _ := labelled(items)
	rep.Events, rep.MultiEvents = countEvents(all)
	dayOf := func(i int) string { return items[i].Published.UTC().Format(time.DateOnly) }
	folds := evaldata.GroupFolds(len(items), dayOf)
	// scores[g][d]: day d clustered with grid point g.
	scores := make([][]Scores, len(grid))
	days := make([]DayScores, len(folds))
	for d, f := range folds {
		sub := make([]LabeledItem, len(f.Test))
		for i, j := range f.Test {
			sub[i] = items[j]
		}
		events, cis := labelled(sub)
		days[d] = DayScores{Day: f.Name, Items: len(sub)}
		days[d].Events, days[d].Multi = countEvents(events)
		var err error
		if days[d].Baseline, err = Score(events, BaselineClusters(cis)); err != nil {
			return rep, err
		}
		for g, p := range grid {
			if scores[g] == nil {
				scores[g] = make([]Scores, len(folds))
			}
			if scores[g][d], err = Score(events, ClusterAll(cis, p.Apply(base))); err != nil {
				return rep, err
			}
		}
	}
	fit := func(skip int) int {
		best, bestObj := 0, -1.0
		for g := range grid {
			var train []DayScores
			for d := range days {
				if d != skip {
					train = append(train, DayScores{InSample: scores[g][d]})
				}
			}
			if o := objective(Summarize(train, func(d DayScores) Scores { return d.InSample })); o > bestObj+1e-12 {
				best, bestObj = g, o
			}
		}
		return best
	}
	best := fit(-1)
	rep.Fitted = grid[best]
	for d := range days {
		g := fit(d)
		days[d].InSample, days[d].CV, days[d].Fitted = scores[best][d], scores[g][d], grid[g]
	}
	rep.Days = days
	rep.InSample = Summarize(days, func(d DayScores) Scores { return d.InSample })
	rep.CV = Summarize(days, func(d DayScores) Scores { return d.CV })
	rep.Baseline = Summarize(days, func(d DayScores) Scores { return d.Baseline })
	return rep, nil
}

// labelled returns items' events and clustering inputs.
func labelled(items []LabeledItem) ([]string, []ClusterItem) {
	events := make([]string, len(items))
	cis := make([]ClusterItem, len(items))
	for i, it := range items {
		events[i] = it.Event
		cis[i] = ClusterItem{Outlet: it.Outlet, Title: it.Title, Text: it.Description, Published: it.Published}
	}
	return events, cis
}

// countEvents counts the distinct events and those with 2+ items.
func countEvents(events []string) (n, multi int) {
	sizes := map[string]int{}
	for _, e := range events {
		sizes[e]++
	}
	for _, k := range sizes {
		if k > 1 {
			multi++
		}
	}
	return len(sizes), multi
}

// CVTargets are issue 12's, on cross-validated figures over dev and dev2:
// macro per-day B-cubed F1 ≥ 0.94 and macro per-day pairwise F1 ≥ 0.70.
// They are not met yet (see CVFloors): `eval stories --check` reports
// each as met or not and fails only below the floors.
func CVTargets() Targets { return Targets{PairwiseF1: 0.70, BCubedF1: 0.94} }

// CVFloors are regression floors on the cross-validated macro figures over
// dev and dev2, set just below those achieved: a change that lowers either
// below its floor fails `eval stories --check` and TestDevSetCrossValidated.
// Issue 12's targets (CVTargets) are NOT yet met; the floors only keep the
// figures from sliding while they are. Raise them as the figures improve.
func CVFloors() Targets { return Targets{PairwiseF1: 0.675, BCubedF1: 0.925} }

// TargetStatus says whether one cross-validated figure meets its target.
type TargetStatus struct {
	Name           string
	Target, Figure float64
}

// Met reports whether the figure reaches its target.
func (s TargetStatus) Met() bool { return s.Figure >= s.Target }

func (s TargetStatus) String() string {
	verdict := "met"
	if !s.Met() {
		verdict = "NOT MET"
	}
	return fmt.Sprintf("target CV %s ≥ %.2f: %s (%.3f)", s.Name, s.Target, verdict, s.Figure)
}

// StatusCV lists each target beside the cross-validated figure it judges.
func (tg Targets) StatusCV(rep CVReport) []TargetStatus {
	return []TargetStatus{
		{Name: "macro B³ F1", Target: tg.BCubedF1, Figure: rep.CV.MacroBCubed},
		{Name: "macro pairwise F1", Target: tg.PairwiseF1, Figure: rep.CV.MacroPairwise},
	}
}

// CheckCV lists the cross-validated figures below tg (targets or floors).
func (tg Targets) CheckCV(rep CVReport) []string {
	return tg.check("cross-validated macro ", rep.CV.MacroPairwise, rep.CV.MacroBCubed)
}
