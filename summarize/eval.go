package summarize

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/briefbot/briefbot/summarize/rouge"
)

// Pair is one evaluation item: an article and a human reference summary.
type Pair struct {
	ID        string `json:"id"`
	Source    string `json:"source"`
	Title     string `json:"title"`
	Article   string `json:"article"`
	Reference string `json:"reference"`
}

// maxLine bounds one JSONL line; dev articles are a few kilobytes.
const maxLine = 16 << 20

// ReadPairs reads JSONL pairs ({"id","source","title","article","reference"}).
func ReadPairs(r io.Reader) ([]Pair, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var pairs []Pair
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var p Pair
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return nil, fmt.Errorf("pairs line %d: %w (want one JSON object per line with \"article\" and \"reference\")", n, err)
		}
		if p.Article == "" || p.Reference == "" {
			return nil, fmt.Errorf("pairs line %d: \"article\" and \"reference\" must both be non-empty", n)
		}
		pairs = append(pairs, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading pairs: %w", err)
	}
	if len(pairs) == 0 {
		return nil, errors.New("pairs file has no pairs")
	}
	return pairs, nil
}

// Lead returns the first n sentences of text, uncleaned: the Lead-n
// baseline that news summarizers are measured against.
func Lead(text string, n int) string {
	s := SplitSentences(text)
	if len(s) > n {
		s = s[:n]
	}
	return strings.Join(s, " ")
}

// SystemScores are mean ROUGE F1 scores (×100) and mean length of one
// system on a group of pairs.
type SystemScores struct {
	R1, R2, RL float64
	MeanWords  float64
}

// Group is one row of an evaluation report.
type Group struct {
	Name     string
	N        int
	Briefbot SystemScores
	Lead3    SystemScores
}

// Report is the result of Evaluate.
type Report struct {
	Overall Group
	// BySource has one group per "source" field value, in first-seen order.
	BySource []Group
	// ByKind groups pairs by corpus kind, from the id or source:
	// "CNN/DailyMail" and "XSum" (others are omitted).
	ByKind []Group
}

// Kind names used in Report.ByKind.
const (
	KindCNN  = "CNN/DailyMail"
	KindXSum = "XSum"
)

// kind classifies a pair by corpus, as the eval targets are stated per
// corpus: CNN/DailyMail ids and sources mention "cnn", XSum ones "xsum".
func kind(p Pair) string {
	s := strings.ToLower(p.ID + " " + p.Source)
	switch {
	case strings.Contains(s, "cnn"):
		return KindCNN
	case strings.Contains(s, "xsum"):
		return KindXSum
	}
	return ""
}

type acc struct {
	name       string
	n          int
	bb, lead   [3]float64
	bbW, leadW float64
}

func (a *acc) add(bb, lead rouge.Scores, bbW, leadW int) {
	a.n++
	a.bb[0] += bb.R1.F1
	a.bb[1] += bb.R2.F1
	a.bb[2] += bb.RL.F1
	a.lead[0] += lead.R1.F1
	a.lead[1] += lead.R2.F1
	a.lead[2] += lead.RL.F1
	a.bbW += float64(bbW)
	a.leadW += float64(leadW)
}

func (a *acc) group() Group {
	g := Group{Name: a.name, N: a.n}
	if a.n == 0 {
		return g
	}
	n := float64(a.n)
	g.Briefbot = SystemScores{R1: 100 * a.bb[0] / n, R2: 100 * a.bb[1] / n, RL: 100 * a.bb[2] / n, MeanWords: a.bbW / n}
	g.Lead3 = SystemScores{R1: 100 * a.lead[0] / n, R2: 100 * a.lead[1] / n, RL: 100 * a.lead[2] / n, MeanWords: a.leadW / n}
	return g
}

// Evaluate summarises every pair with s and with Lead-3, and scores both
// against the references with stemmed ROUGE as rouge-score computes it.
func Evaluate(ctx context.Context, s Summarizer, pairs []Pair) (Report, error) {
	return evaluate(pairs, func(_ int, p Pair) (Summary, error) {
		return s.Summarize(ctx, Article{Title: p.Title, Text: p.Article})
	})
}

// evaluate scores what summarize gives for each pair, beside Lead-3.
func evaluate(pairs []Pair, summarize func(i int, p Pair) (Summary, error)) (Report, error) {
	scorer := rouge.Scorer{Stem: true}
	overall := &acc{name: "overall"}
	var sources, kinds []*acc
	find := func(list *[]*acc, name string) *acc {
		for _, a := range *list {
			if a.name == name {
				return a
			}
		}
		a := &acc{name: name}
		*list = append(*list, a)
		return a
	}
	for i, p := range pairs {
		sum, err := summarize(i, p)
		if err != nil {
			return Report{}, fmt.Errorf("summarizing pair %q: %w", p.ID, err)
		}
		lead := Lead(p.Article, 3)
		bb := scorer.Score(p.Reference, sum.Text)
		ls := scorer.Score(p.Reference, lead)
		bw, lw := countWords(sum.Text), countWords(lead)
		overall.add(bb, ls, bw, lw)
		find(&sources, p.Source).add(bb, ls, bw, lw)
		if k := kind(p); k != "" {
			find(&kinds, k).add(bb, ls, bw, lw)
		}
	}
	r := Report{Overall: overall.group()}
	for _, a := range sources {
		r.BySource = append(r.BySource, a.group())
	}
	for _, a := range kinds {
		r.ByKind = append(r.ByKind, a.group())
	}
	return r, nil
}

// Targets the summarizer must meet on an evaluation set (issue 4): beat
// Lead-3 on ROUGE-1, -2 and -L overall and on CNN/DailyMail, with summaries
// of at most MaxMeanWords words on average.
const MaxMeanWords = 75

// Misses lists the targets the report falls short of; empty means all met.
func (r Report) Misses() []string {
	var out []string
	beat := func(g Group) {
		b, l := g.Briefbot, g.Lead3
		for _, m := range []struct {
			name string
			b, l float64
		}{{"ROUGE-1", b.R1, l.R1}, {"ROUGE-2", b.R2, l.R2}, {"ROUGE-L", b.RL, l.RL}} {
			if m.b <= m.l {
				out = append(out, fmt.Sprintf("%s %s: briefbot %.2f is not above Lead-3 %.2f", g.Name, m.name, m.b, m.l))
			}
		}
	}
	beat(r.Overall)
	cnn := false
	for _, g := range r.ByKind {
		if g.Name == KindCNN {
			beat(g)
			cnn = true
		}
	}
	if !cnn {
		out = append(out, "no CNN/DailyMail pairs in the set (ids or sources mentioning \"cnn\"): the CNN target cannot be checked")
	}
	if r.Overall.Briefbot.MeanWords > MaxMeanWords {
		out = append(out, fmt.Sprintf("mean summary length %.1f words is above %d", r.Overall.Briefbot.MeanWords, MaxMeanWords))
	}
	return out
}

// WriteText prints the report as an aligned table.
func (r Report) WriteText(w io.Writer) error {
	rows := []Group{r.Overall}
	for _, g := range r.ByKind {
		g.Name = "kind: " + g.Name
		rows = append(rows, g)
	}
	for _, g := range r.BySource {
		g.Name = "source: " + g.Name
		rows = append(rows, g)
	}
	width := len("group")
	for _, g := range rows {
		width = max(width, len(g.Name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s %5s  %-9s %6s %6s %6s %7s\n", width, "group", "pairs", "system", "R1", "R2", "RL", "words")
	for _, g := range rows {
		for _, s := range []struct {
			name string
			sc   SystemScores
		}{{"briefbot", g.Briefbot}, {"lead-3", g.Lead3}} {
			fmt.Fprintf(&b, "%-*s %5d  %-9s %6.2f %6.2f %6.2f %7.1f\n", width, g.Name, g.N, s.name, s.sc.R1, s.sc.R2, s.sc.RL, s.sc.MeanWords)
		}
	}
	b.WriteString("ROUGE F1 ×100 with stemming, as Google's rouge-score computes it (RL is sentence-level rougeL); words = mean summary length.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
