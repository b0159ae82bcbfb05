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
	pairsPath := fs.String("pairs", evaldata.Path(e.getenv, "summaries/dev.jsonl"), "article/reference pairs, JSONL with id, source, title, article, reference; several files separated by commas are pooled")
	check := fs.Bool("check", false, "exit non-zero when a target is missed, cross-validated (folds by id hash and by source): R1, R2, RL above Lead-3, R1 by 1.0; mean length ≤ 75 words; no boilerplate in any summary of the injection set")
	fit := fs.Bool("fit", false, "print the constants fitted on all the pairs, as the Go literal defaultParams holds, and exit")
	boilerplate := fs.String("boilerplate", "", "boilerplate phrasings for the injection check (\"== class\" lines, then one phrasing a line); default: the committed summarize/testdata/boilerplate.txt")
	injectN := fs.Int("inject-articles", 60, "development articles the boilerplate phrasings are put into")
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
	pairs, err := readPairFiles(*pairsPath)
	if err != nil {
		return err
	}
	switch lf.backend {
	case "extractive":
	case "llm":
		return runEvalSummariesLLM(ctx, e, lf, fs, *pairsPath, pairs, *check)
	default:
		return usageErrorf("eval summaries: --backend %q is not valid: use extractive or llm", lf.backend)
	}
	if *fit {
		fmt.Fprintln(e.stdout, summarize.FitDefaults(pairs))
		return nil
	}
	phrasings := summarize.DefaultPhrasings()
	if *boilerplate != "" {
		bf, err := os.Open(*boilerplate)
		if err != nil {
			return fmt.Errorf("open boilerplate phrasings: %w", err)
		}
		defer bf.Close()
		if phrasings, err = summarize.ReadPhrasings(bf); err != nil {
			return fmt.Errorf("%s: %w", *boilerplate, err)
		}
	}
	rep, err := summarize.Evaluate(ctx, summarize.New(summarize.Options{}), pairs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "summaries on %s: %d pairs, default limits (%d sentences, %d words)\n\n",
		*pairsPath, len(pairs), summarize.DefaultMaxSentences, summarize.DefaultMaxWords)
	fmt.Fprintln(e.stdout, "in-sample (the committed constants, fitted on these pairs):")
	if err := rep.WriteText(e.stdout); err != nil {
		return err
	}
	var misses []string
	for _, scheme := range []string{summarize.SchemeHash, summarize.SchemeSource} {
		folds, err := summarize.Folds(pairs, scheme)
		if err != nil {
			return err
		}
		cv, err := summarize.CrossValidate(ctx, pairs, folds, scheme, summarize.Options{})
		if err != nil {
			return fmt.Errorf("cross-validating by %s: %w", scheme, err)
		}
		fmt.Fprintln(e.stdout)
		if err := cv.WriteText(e.stdout); err != nil {
			return err
		}
		misses = append(misses, cv.Misses()...)
	}
	br := summarize.CheckBoilerplate(summarize.New(summarize.Options{}), summarize.Inject(pairs, phrasings, *injectN))
	fmt.Fprintln(e.stdout)
	if err := br.WriteText(e.stdout, 10); err != nil {
		return err
	}
	if br.Summaries == 0 {
		misses = append(misses, "boilerplate injection: no articles to inject into (the pairs have no untokenized articles of 150 words or more)")
	} else if len(br.Leaks) > 0 {
		misses = append(misses, fmt.Sprintf("%d of %d summaries of the injection set contain boilerplate (target 0)", len(br.Leaks), br.Summaries))
	}
	if *check {
		if len(misses) > 0 {
			return fmt.Errorf("targets missed: %s", strings.Join(misses, "; "))
		}
		fmt.Fprintln(e.stdout, "targets (cross-validated): all met")
	}
	return nil
}

// readPairFiles reads and pools the comma-separated pair files of paths.
func readPairFiles(paths string) ([]summarize.Pair, error) {
	var pairs []summarize.Pair
	for _, path := range strings.Split(paths, ",") {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open pairs: %w (pass JSONL files with --pairs, or set BRIEFBOT_TESTDATA)", err)
		}
		ps, err := summarize.ReadPairs(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pairs = append(pairs, ps...)
	}
	if len(pairs) == 0 {
		return nil, usageErrorf("eval summaries: --pairs names no file")
	}
	return pairs, nil
}
