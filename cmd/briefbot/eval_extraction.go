package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/internal/evaldata"
)

func init() {
	registerEval("extraction", subcommand{
		summary: "shingle F1, precision and recall of article extractors on the ScrapingHub benchmark pages",
		run:     runEvalExtraction,
	})
}

func runEvalExtraction(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("briefbot eval extraction", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", evaldata.Path(e.getenv, "extraction"), "benchmark directory holding ground-truth.json and html/<id>.html.gz")
	check := fs.Bool("check", false, fmt.Sprintf("exit non-zero when a target is missed (F1 of the choice made per held-out site ≥ %.2f and above the baseline in this run)", article.TargetF1))
	quick := fs.Bool("quick", false, "measure only the baseline and the default extractor, the two --check judges (CI's run), not every candidate")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("eval extraction: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("eval extraction takes no arguments, got %q; pass the benchmark with --dir", fs.Args())
	}
	pages, err := article.LoadBenchmark(*dir)
	if err != nil {
		return fmt.Errorf("%w (pass the benchmark directory with --dir, or set BRIEFBOT_TESTDATA)", err)
	}
	candidates := article.Candidates()
	if *quick {
		// The baseline is first; the default is judged against it.
		candidates = []article.Extractor{candidates[0], article.Default}
	}
	rep, err := article.Evaluate(pages, candidates, article.Page.Host)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "article extraction on %s: %d pages, 4-token shingles, P and R averaged per page\n\n", *dir, rep.Pages)
	if err := rep.WriteText(e.stdout); err != nil {
		return err
	}
	if *check {
		if misses := rep.Misses(); len(misses) > 0 {
			return fmt.Errorf("targets missed: %s", strings.Join(misses, "; "))
		}
		fmt.Fprintln(e.stdout, "targets: all met")
	}
	return nil
}
