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
		summary: "pairwise and B-cubed scores of story clustering on hand-grouped items, beside a title-overlap baseline",
		run:     runEvalStories,
	})
}

func runEvalStories(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("briefbot eval stories", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	labels := fs.String("labels", evaldata.Path(e.getenv, "stories/dev.jsonl"), "labelled items, JSONL with id, outlet, title, description, link, published, event")
	check := fs.Bool("check", false, "exit non-zero when a target is missed (pairwise F1 ≥ 0.80, B-cubed F1 ≥ 0.95)")
	verbose := fs.Bool("v", false, "list every pair of items the clusterer got wrong")
	var opt story.Options
	clusterFlags(fs, &opt)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("eval stories: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("eval stories takes no arguments, got %q; pass the file with --labels", fs.Args())
	}
	if err := checkClusterOptions(opt); err != nil {
		return err
	}
	f, err := os.Open(*labels)
	if err != nil {
		return fmt.Errorf("open labels: %w (pass a JSONL file with --labels, or set BRIEFBOT_TESTDATA)", err)
	}
	items, err := story.ParseLabeled(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *labels, err)
	}
	if len(items) == 0 {
		return fmt.Errorf("%s has no items; point --labels at a JSONL file of labelled items", *labels)
	}
	rep, err := story.Evaluate(items, opt)
	if err != nil {
		return err
	}
	printStoriesReport(e.stdout, *labels, rep, *verbose)
	if *check {
		if fails := story.DefaultTargets().Check(rep); len(fails) > 0 {
			return fmt.Errorf("targets missed: %s", strings.Join(fails, "; "))
		}
		fmt.Fprintln(e.stdout, "targets: all met")
	}
	return ctx.Err()
}

func printStoriesReport(w io.Writer, path string, rep story.Report, verbose bool) {
	o := rep.Options
	fmt.Fprintf(w, "stories on %s: %d items, %d events (%d with 2+ items)\n", path, rep.Items, rep.Events, rep.MultiEvents)
	fmt.Fprintf(w, "clusterer: threshold %.2f, window %v, fresh %v; items in published order\n\n", o.Threshold, o.Window, o.Fresh)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tpairwise P\tR\tF1\tB-cubed P\tR\tF1\tstories\t")
	row := func(name string, s story.Scores) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t\n", name,
			s.Precision, s.Recall, s.F1, s.BCubedPrecision, s.BCubedRecall, s.BCubedF1, s.Stories)
	}
	row("briefbot", rep.Model)
	row("baseline", rep.Baseline)
	tw.Flush()
	fmt.Fprintln(w, "baseline: joins an item to an earlier one of the same UTC day whose title has at least half its words")
	fmt.Fprintf(w, "\nbriefbot: %d same-event pairs joined, %d pairs joined wrongly, %d same-event pairs split\n", rep.Model.TP, rep.Model.FP, rep.Model.FN)
	if !verbose {
		return
	}
	fmt.Fprintln(w, "\nwrong pairs (split: same event, different stories; merged: different events, one story):")
	for _, m := range rep.Mistakes {
		kind := "split "
		if m.Merged {
			kind = "merged"
		}
		fmt.Fprintf(w, "%s  %s  %s  %s\n", kind, m.A.Published.Format("2006-01-02 15:04"), m.A.Outlet, m.A.Title)
		fmt.Fprintf(w, "        %s  %s  %s\n", m.B.Published.Format("2006-01-02 15:04"), m.B.Outlet, m.B.Title)
	}
}
