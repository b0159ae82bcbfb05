package llm

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/summarize"
)

// Comparison scores the extractive default and the model backend on the
// same pairs, for `briefbot eval summaries --backend llm`.
type Comparison struct {
	// Extractive and LLM are the two reports; each also scores Lead-3.
	// LLM's summaries are what users would see: the model's where it
	// passed the checks, the extractive fallback elsewhere.
	Extractive, LLM summarize.Report
	// Outcomes counts how the backend's briefs came about: Used, or each
	// fallback reason.
	Outcomes map[string]int
	// Model scores only the pairs whose brief the model wrote (Used),
	// and ModelExtractive the extractive summaries of those same pairs:
	// LLM's figures mix in fallbacks, so they cannot tell a good model
	// from a dead server.
	Model, ModelExtractive summarize.Report
}

// MinModelShare is the least share of briefs the model must have written
// for a --check to pass: below it the run measured the fallback.
const MinModelShare = 0.9

// Used returns how many briefs the model wrote, of all.
func (c Comparison) Used() (used, total int) {
	for _, n := range c.Outcomes {
		total += n
	}
	return c.Outcomes[Used], total
}

// Misses lists what a --check fails on: fewer than MinModelShare of the
// briefs from the model, or the model's own briefs missing the summary
// targets (scored apart from the fallbacks).
func (c Comparison) Misses() []string {
	var out []string
	used, total := c.Used()
	if total == 0 || float64(used) < MinModelShare*float64(total) {
		out = append(out, fmt.Sprintf("model briefs used: %d of %d, below %.0f%%: the rest are extractive fallbacks, so the run does not measure the model (is the server up and the model loaded? see the fallback reasons)",
			used, total, 100*MinModelShare))
	}
	if used > 0 {
		for _, m := range c.Model.Misses() {
			out = append(out, "model's own briefs: "+m)
		}
	}
	return out
}

// Compare briefs every pair with s, workers at a time (s still holds its
// own concurrency limit), and scores those briefs and extractive's
// summaries against the references.
func Compare(ctx context.Context, s *Summarizer, extractive summarize.Summarizer, pairs []summarize.Pair, workers int) (Comparison, error) {
	ext, err := summarize.Evaluate(ctx, extractive, pairs)
	if err != nil {
		return Comparison{}, err
	}
	briefs := make([]Result, len(pairs))
	errs := make([]error, len(pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				p := pairs[i]
				briefs[i], errs[i] = s.Brief(ctx, summarize.Article{Title: p.Title, Text: p.Article})
			}
		})
	}
	for i := range pairs {
		next <- i
	}
	close(next)
	wg.Wait()
	c := Comparison{Extractive: ext, Outcomes: map[string]int{}}
	done := map[string]summarize.Summary{}
	for i, p := range pairs {
		if errs[i] != nil {
			return Comparison{}, fmt.Errorf("briefing pair %q: %w", p.ID, errs[i])
		}
		c.Outcomes[briefs[i].Reason]++
		done[articleKey(p.Title, p.Article)] = briefs[i].Summary
	}
	if c.LLM, err = summarize.Evaluate(ctx, recorded(done), pairs); err != nil {
		return Comparison{}, err
	}
	var own []summarize.Pair
	for i, p := range pairs {
		if briefs[i].Reason == Used {
			own = append(own, p)
		}
	}
	if len(own) > 0 {
		if c.Model, err = summarize.Evaluate(ctx, recorded(done), own); err != nil {
			return Comparison{}, err
		}
		if c.ModelExtractive, err = summarize.Evaluate(ctx, extractive, own); err != nil {
			return Comparison{}, err
		}
	}
	return c, nil
}

func articleKey(title, text string) string { return title + "\x00" + text }

// recorded replays the briefs Compare collected, so Evaluate scores them
// without asking the model again.
type recorded map[string]summarize.Summary

func (r recorded) Summarize(_ context.Context, a summarize.Article) (summarize.Summary, error) {
	s, ok := r[articleKey(a.Title, a.Text)]
	if !ok {
		return summarize.Summary{}, fmt.Errorf("no brief recorded for %q", a.Title)
	}
	return s, nil
}

// WriteText prints both systems and Lead-3 side by side, group by group,
// then the backend's outcomes.
func (c Comparison) WriteText(w io.Writer, model string) error {
	type row struct {
		name string
		n    int
		ext  summarize.Group
		llm  summarize.Group
	}
	rows := []row{{"overall", c.Extractive.Overall.N, c.Extractive.Overall, c.LLM.Overall}}
	for i, g := range c.Extractive.ByKind {
		if i < len(c.LLM.ByKind) {
			rows = append(rows, row{"kind: " + g.Name, g.N, g, c.LLM.ByKind[i]})
		}
	}
	for i, g := range c.Extractive.BySource {
		if i < len(c.LLM.BySource) {
			rows = append(rows, row{"source: " + g.Name, g.N, g, c.LLM.BySource[i]})
		}
	}
	width := len("group")
	for _, r := range rows {
		width = max(width, len(r.name))
	}
	llmName := "llm"
	if model != "" {
		llmName = "llm (" + model + ")"
	}
	sysWidth := max(len("extractive"), len(llmName))
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s %5s  %-*s %6s %6s %6s %7s\n", width, "group", "pairs", sysWidth, "system", "R1", "R2", "RL", "words")
	for _, r := range rows {
		for _, s := range []struct {
			name string
			sc   summarize.SystemScores
		}{{"extractive", r.ext.Briefbot}, {llmName, r.llm.Briefbot}, {"lead-3", r.ext.Lead3}} {
			fmt.Fprintf(&b, "%-*s %5d  %-*s %6.2f %6.2f %6.2f %7.1f\n", width, r.name, r.n, sysWidth, s.name, s.sc.R1, s.sc.R2, s.sc.RL, s.sc.MeanWords)
		}
	}
	if g := c.Model.Overall; g.N > 0 {
		name := "model's own briefs only"
		width = max(width, len(name))
		for _, s := range []struct {
			name string
			sc   summarize.SystemScores
		}{{"extractive", c.ModelExtractive.Overall.Briefbot}, {llmName, g.Briefbot}, {"lead-3", g.Lead3}} {
			fmt.Fprintf(&b, "%-*s %5d  %-*s %6.2f %6.2f %6.2f %7.1f\n", width, name, g.N, sysWidth, s.name, s.sc.R1, s.sc.R2, s.sc.RL, s.sc.MeanWords)
		}
	}
	b.WriteString("ROUGE F1 ×100 with stemming (RL is sentence-level rougeL); words = mean summary length.\n")
	b.WriteString("The llm rows score what users would see: the model's brief where it passed the checks, the extractive summary elsewhere;\n")
	b.WriteString("the \"model's own briefs only\" rows score just the pairs the model answered, and are what --check judges.\n")
	total := 0
	for _, n := range c.Outcomes {
		total += n
	}
	fmt.Fprintf(&b, "model briefs used: %d of %d", c.Outcomes[Used], total)
	var reasons []string
	for r := range c.Outcomes {
		if r != Used {
			reasons = append(reasons, r)
		}
	}
	sort.Slice(reasons, func(i, j int) bool {
		if c.Outcomes[reasons[i]] != c.Outcomes[reasons[j]] {
			return c.Outcomes[reasons[i]] > c.Outcomes[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	if len(reasons) > 0 {
		b.WriteString("; fallbacks:")
		for _, r := range reasons {
			fmt.Fprintf(&b, " %s %d", r, c.Outcomes[r])
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
