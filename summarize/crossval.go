package summarize

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"strings"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// The development pairs carry no publication date, so they cannot be
// folded by news day. Two schemes stand in:
//   - HashFolds: k folds by a stable hash of the pair id, so a pair's fold
//     never changes when pairs are added or reordered;
//   - SourceFolds: leave one source (one corpus: CNN highlights, expert
//     summaries, XSum) out, the harder question of whether what was
//     fitted on one kind of reference carries to another.
const (
	SchemeHash   = "hash"
	SchemeSource = "source"
	// HashK is the number of folds of SchemeHash.
	HashK = 5
)

// Folds returns the folds of scheme over pairs.
func Folds(pairs []Pair, scheme string) ([]evaldata.Fold, error) {
	switch scheme {
	case SchemeHash:
		return evaldata.GroupFolds(len(pairs), func(i int) string {
			h := fnv.New32a()
			h.Write([]byte(pairs[i].ID))
			return fmt.Sprintf("fold %d of %d", h.Sum32()%HashK+1, HashK)
		}), nil
	case SchemeSource:
		return evaldata.GroupFolds(len(pairs), func(i int) string { return pairs[i].Source }), nil
	}
	return nil, fmt.Errorf("cross-validation scheme %q is not known: use %q or %q", scheme, SchemeHash, SchemeSource)
}

// FoldResult is one fold of a cross-validation: its held-out pairs scored
// with params fitted on the other folds.
type FoldResult struct {
	Group
	// Params are the constants fitted without this fold.
	Params string
}

// CrossValidation pools the held-out scores of every fold.
type CrossValidation struct {
	Scheme string
	// Report scores every pair with params fitted on the folds it is not
	// in; it is what --check judges.
	Report Report
	Folds  []FoldResult
}

// CrossValidate refits every fitted constant of the extractive summarizer
// (fitParams over grid) on each fold's training pairs and scores the
// fold's held-out pairs with them. The cleaner's patterns are not fitted
// to data (they are written per class of boilerplate, see clean.go and
// testdata/boilerplate.txt), so they are the same in every fold.
func CrossValidate(ctx context.Context, pairs []Pair, folds []evaldata.Fold, scheme string, o Options) (CrossValidation, error) {
	o = o.withDefaults()
	fitted := make([]*Extractive, len(pairs))
	cv := CrossValidation{Scheme: scheme}
	for _, f := range folds {
		if err := ctx.Err(); err != nil {
			return CrossValidation{}, err
		}
		if len(f.Train) == 0 {
			return CrossValidation{}, fmt.Errorf("fold %q has no training pairs: cross-validation needs at least two %s groups", f.Name, scheme)
		}
		e := &Extractive{opts: o, p: fitParams(subset(pairs, f.Train), defaultParams, o)}
		test := subset(pairs, f.Test)
		for _, i := range f.Test {
			fitted[i] = e
		}
		r, err := evaluate(test, func(_ int, p Pair) (Summary, error) { return e.SummarizeText(p.Title, p.Article), nil })
		if err != nil {
			return CrossValidation{}, err
		}
		g := r.Overall
		g.Name = f.Name
		cv.Folds = append(cv.Folds, FoldResult{Group: g, Params: e.p.String()})
	}
	r, err := evaluate(pairs, func(i int, p Pair) (Summary, error) {
		return fitted[i].SummarizeText(p.Title, p.Article), nil
	})
	cv.Report = r
	return cv, err
}

func subset(pairs []Pair, idx []int) []Pair {
	out := make([]Pair, len(idx))
	for k, i := range idx {
		out[k] = pairs[i]
	}
	return out
}

// FitDefaults fits the summarizer's constants on all pairs and returns them
// as the Go literal that defaultParams holds, for `eval summaries --fit`.
func FitDefaults(pairs []Pair) string {
	return fitParams(pairs, defaultParams, Options{}).String()
}

// String prints params as a Go composite literal.
func (p params) String() string {
	return fmt.Sprintf("params{position: %g, centrality: %g, title: %g, posExp: %g, leadBonus: %g, mmrLambda: %g, minWords: %d, targetWords: %d, longWords: %d, longCost: %g, quoteCost: %g, questionCost: %g, pronounCost: %g, entityGain: %g}",
		p.position, p.centrality, p.title, p.posExp, p.leadBonus, p.mmrLambda, p.minWords, p.targetWords, p.longWords, p.longCost, p.quoteCost, p.questionCost, p.pronounCost, p.entityGain)
}

// Misses lists the cross-validated targets missed: and R-L above
// Lead-3 overall, R-1 by at least MinR1Gain points, mean length at most
// MaxMeanWords.
func (cv CrossValidation) Misses() []string {
	var out []string
	g := cv.Report.Overall
	b, l := g.Briefbot, g.Lead3
	for _, m := range []struct {
		name    string
		b, l, d float64
	}{{"ROUGE-1", b.R1, l.R1, MinR1Gain}, {"ROUGE-2", b.R2, l.R2, 0}, {"ROUGE-L", b.RL, l.RL, 0}} {
		if m.b-m.l < m.d || m.b <= m.l {
			out = append(out, fmt.Sprintf("cross-validated (%s) %s: briefbot %.2f is not above Lead-3 %.2f by %.1f", cv.Scheme, m.name, m.b, m.l, m.d))
		}
	}
	if b.MeanWords > MaxMeanWords {
		out = append(out, fmt.Sprintf("cross-validated mean summary length %.1f words is above %d", b.MeanWords, MaxMeanWords))
	}
	return out
}

// MinR1Gain is how far above Lead-3 the cross-validated ROUGE-1 must be.
const MinR1Gain = 1.0

// WriteText prints the pooled figures, then one line per fold.
func (cv CrossValidation) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cross-validated, folds by %s (every fitted constant refitted without the fold scored):\n", cv.Scheme)
	if err := cv.Report.WriteText(&b); err != nil {
		return err
	}
	fmt.Fprintf(&b, "per fold (briefbot R1/R2/RL vs Lead-3):\n")
	for _, f := range cv.Folds {
		fmt.Fprintf(&b, "  %-42s %4d pairs  %5.2f/%5.2f/%5.2f vs %5.2f/%5.2f/%5.2f  %4.1f words\n", f.Name, f.N,
			f.Briefbot.R1, f.Briefbot.R2, f.Briefbot.RL, f.Lead3.R1, f.Lead3.R2, f.Lead3.RL, f.Briefbot.MeanWords)
		fmt.Fprintf(&b, "  %-42s fitted %s\n", "", f.Params)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
