package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/summarize"
)

func init() {
	registerEval("summaries", subcommand{
		summary: "ROUGE-1/2/L of briefbot's summaries and of Lead-3 on article/reference pairs",
		run:     runEvalSummaries,
	})
}

func runEvalSummaries(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("briefbot eval summaries", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	pairsPath := fs.String("pairs", evaldata.Path(e.getenv, "summaries/dev.jsonl"), "article/reference pairs, JSONL with id, source, title, article, reference")
	check := fs.Bool("check", false, "exit non-zero when a target is missed (R1, R2, RL above Lead-3 overall and on CNN/DailyMail; mean length ≤ 75 words)")
	var lf llmEvalFlags
	lf.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("eval summaries: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("eval summaries takes no arguments, got %q; pass the file with --pairs", fs.Args())
	}
	f, err := os.Open(*pairsPath)
	if err != nil {
		return fmt.Errorf("open pairs: %w (pass a JSONL file with --pairs, or set BRIEFBOT_TESTDATA)", err)
	}
	defer f.Close()
	pairs, err := summarize.ReadPairs(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *pairsPath, err)
	}
	switch lf.backend {
	case "extractive":
	case "llm":
		return runEvalSummariesLLM(ctx, e, lf, fs, *pairsPath, pairs, *check)
	default:
		return usageErrorf("eval summaries: --backend %q is not valid: use extractive or llm", lf.backend)
	}
	rep, err := summarize.Evaluate(ctx, summarize.New(summarize.Options{}), pairs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "summaries on %s: %d pairs, default limits (%d sentences, %d words)\n\n",
		*pairsPath, len(pairs), summarize.DefaultMaxSentences, summarize.DefaultMaxWords)
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
