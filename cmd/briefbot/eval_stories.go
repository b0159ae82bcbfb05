package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/story"
)

func init() {
	registerEval("stories", subcommand{
		summary: "B-cubed and pairwise scores of story clustering per news day, in-sample and cross-validated by day, beside a word-overlap baseline",
		run:     runEvalStories,
	})
}

func runEvalStories(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("briefbot eval stories", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var labels labelFiles
	fs.Var(&labels, "labels", "labelled items, JSONL with id, outlet, title, description, link, published, event; repeat for several files (default stories/dev.jsonl and stories/dev2.jsonl)")
	tg, floor := story.CVTargets(), story.CVFloors()
	check := fs.Bool("check", false, fmt.Sprintf("report whether each cross-validated target is met (macro B-cubed F1 ≥ %.2f, macro pairwise F1 ≥ %.2f), and exit non-zero when a figure falls below its regression floor (%.3f, %.3f)",
		tg.BCubedF1, tg.PairwiseF1, floor.BCubedF1, floor.PairwiseF1))
	verbose := fs.Bool("v", false, "list every pair of items the clusterer (with the constants fitted on all days) got wrong")
	var opt story.Options
	clusterFlags(fs, &opt)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("eval stories: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("eval stories takes no arguments, got %q; pass files with --labels", fs.Args())
	}
	if err := checkClusterOptions(opt); err != nil {
		return err
	}
	if len(labels) == 0 {
		labels = labelFiles{evaldata.Path(e.getenv, "stories/dev.jsonl"), evaldata.Path(e.getenv, "stories/dev2.jsonl")}
	}
	var items []story.LabeledItem
	seen := map[string]string{}
	for _, path := range labels {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open labels: %w (pass JSONL files with --labels, or set %s)", err, evaldata.Env)
		}
		got, err := story.ParseLabeled(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(got) == 0 {
			return fmt.Errorf("%s has no items; point --labels at a JSONL file of labelled items", path)
		}
		for _, it := range got {
			if prev, ok := seen[it.ID]; ok {
				return fmt.Errorf("%s: id %q is also in %s; ids must be unique across label files", path, it.ID, prev)
			}
			seen[it.ID] = path
		}
		items = append(items, got...)
	}
	// A threshold given on the command line is not fitted: the grid is
	// that one point.
	grid := story.ParamGrid()
	if opt.Threshold > 0 {
		grid = []story.Params{{Threshold: opt.Threshold, LinkMax: story.NewClusterer(opt).Options().LinkMax}}
	}
	rep, err := story.CrossValidate(items, opt, grid)
	if err != nil {
		return err
	}
	printStoriesCV(e.stdout, labels, rep)
	if *verbose {
		full, err := story.Evaluate(items, rep.Fitted.Apply(opt))
		if err != nil {
			return err
		}
		printMistakes(e.stdout, full)
	}
	if *check {
		fmt.Fprintln(e.stdout)
		for _, st := range tg.StatusCV(rep) {
			fmt.Fprintln(e.stdout, st)
		}
		// The targets are not all met yet: what fails is a
		// figure below the committed floor, i.e. a regression.
		if fails := floor.CheckCV(rep); len(fails) > 0 {
			return fmt.Errorf("below the regression floor: %s", strings.Join(fails, "; "))
		}
		fmt.Fprintf(e.stdout, "regression floors (CV macro B³ %.3f, pairwise %.3f): held\n", floor.BCubedF1, floor.PairwiseF1)
	}
	return ctx.Err()
}

func printStoriesCV(w io.Writer, paths []string, rep story.CVReport) {
	fmt.Fprintf(w, "stories on %s: %d items, %d events (%d with 2+ items), %d news days\n",
		strings.Join(paths, " + "), rep.Items, rep.Events, rep.MultiEvents, len(rep.Days))
	fmt.Fprintf(w, "fitted on all days: threshold %.2f, closest-item weight %.1f, piece factor %.1f, closest items %d; CV refits them without the day scored\n\n",
		rep.Fitted.Threshold, rep.Fitted.LinkMax, rep.Fitted.PieceFactor, rep.Fitted.TopK)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "day\titems\tevents\tmulti\tin-sample B³\tpairwise\tCV B³\tpairwise\tfit thr\tlink\tpiece\ttop k\tbaseline B³\tpairwise\t")
	for _, d := range rep.Days {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.1f\t%.1f\t%d\t%.3f\t%.3f\t\n", d.Day, d.Items, d.Events, d.Multi,
			d.InSample.BCubedF1, d.InSample.F1, d.CV.BCubedF1, d.CV.F1, d.Fitted.Threshold, d.Fitted.LinkMax, d.Fitted.PieceFactor, d.Fitted.TopK, d.Baseline.BCubedF1, d.Baseline.F1)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tmacro B³ F1\tmacro pairwise F1\tpooled pairwise F1\t")
	row := func(name string, s story.Summary) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t\n", name, s.MacroBCubed, s.MacroPairwise, s.PooledPairwise)
	}
	row("in-sample", rep.InSample)
	row("cross-validated", rep.CV)
	row("baseline", rep.Baseline)
	tw.Flush()
	fmt.Fprintln(w, "each day is clustered on its own; macro averages days, pooled sums their pairs (big days weigh most)")
	fmt.Fprintln(w, "baseline: joins an item to an earlier one of the same UTC day whose title has at least half its words (nothing fitted)")
}

func printMistakes(w io.Writer, rep story.Report) {
	fmt.Fprintln(w, "\nwrong pairs, all files clustered at once (split: same event, different stories; merged: different events, one story):")
	for _, m := range rep.Mistakes {
		kind := "split "
		if m.Merged {
			kind = "merged"
		}
		fmt.Fprintf(w, "%s  %s  %s  %s\n", kind, m.A.Published.Format("2006-01-02 15:04"), m.A.Outlet, m.A.Title)
		fmt.Fprintf(w, "        %s  %s  %s\n", m.B.Published.Format("2006-01-02 15:04"), m.B.Outlet, m.B.Title)
	}
}
