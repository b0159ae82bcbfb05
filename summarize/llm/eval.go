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
	c.LLM, err = summarize.Evaluate(ctx, recorded(done), pairs)
	return c, err
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
	b.WriteString("ROUGE F1 ×100 with stemming (RL is sentence-level rougeL); words = mean summary length.\n")
	b.WriteString("The llm rows score what users would see: the model's brief where it passed the checks, the extractive summary elsewhere.\n")
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
