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
	"github.com/briefbot/briefbot/topic"
)

func init() {
	registerEval("topics", subcommand{
		summary: "precision, recall and F1 of topic relevance on labelled items, beside a keyword baseline",
		run:     runEvalTopics,
	})
}

func runEvalTopics(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("briefbot eval topics", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	labels := fs.String("labels", evaldata.Path(e.getenv, "topic/dev.jsonl"), "labelled items, JSONL with id, title, description, label (on|near_region|near_topic|off), subtopic, note")
	name := fs.String("topic", topic.DefaultName, "built-in topic to evaluate")
	threshold := fs.Float64("threshold", 0, "override the topic's threshold, in (0,1]")
	check := fs.Bool("check", false, "exit non-zero when a target is missed (F1 ≥ 0.85, ≥ baseline+0.12, FPR ≤ 0.15 on near_region and near_topic)")
	verbose := fs.Bool("v", false, "list every misclassified item with its score and reasons")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("eval topics: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("eval topics takes no arguments, got %q; pass the file with --labels", fs.Args())
	}
	c, err := topic.NewClassifier(nil)
	if err != nil {
		return err
	}
	t, ok := c.Topic(*name)
	if !ok {
		return usageErrorf("eval topics: unknown topic %q; built-in topics: %s", *name, topicNames(c))
	}
	if *threshold != 0 {
		if t, err = t.WithThreshold(*threshold); err != nil {
			return usageErrorf("eval topics: --threshold: %v", err)
		}
	}
	items, err := readLabeledItems(*labels)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("%s has no items; point --labels at a JSONL file of labelled items", *labels)
	}
	rep := topic.Evaluate(items, t)
	printTopicsReport(e.stdout, *labels, rep, *verbose)
	if *check {
		if fails := topic.DefaultTargets().Check(rep); len(fails) > 0 {
			return fmt.Errorf("targets missed: %s", strings.Join(fails, "; "))
		}
		fmt.Fprintln(e.stdout, "targets: all met")
	}
	return ctx.Err()
}

func topicNames(c *topic.Classifier) string {
	var names []string
	for _, t := range c.Topics() {
		names = append(names, t.Name())
	}
	return strings.Join(names, ", ")
}

func readLabeledItems(path string) ([]topic.LabeledItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open labels: %w (pass a JSONL file with --labels, or set BRIEFBOT_TESTDATA)", err)
	}
	defer f.Close()
	items, err := topic.ParseLabeled(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return items, nil
}

func printTopicsReport(w io.Writer, path string, rep topic.Report, verbose bool) {
	labels := rep.Model.Labels()
	var counts []string
	for _, l := range labels {
		counts = append(counts, fmt.Sprintf("%s %d", l, rep.Model.Count[l]))
	}
	fmt.Fprintf(w, "topic %s, threshold %.2f, on %s: %d items (%s)\n\n", rep.Topic, rep.Threshold, path, rep.Items, strings.Join(counts, ", "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "\tprecision\trecall\tF1\t"
	for _, l := range labels {
		if l != topic.LabelOn {
			header += "FPR " + l + "\t"
		}
	}
	fmt.Fprintln(tw, header)
	row := func(name string, s topic.Scores) {
		line := fmt.Sprintf("%s\t%.3f\t%.3f\t%.3f\t", name, s.Precision, s.Recall, s.F1)
		for _, l := range labels {
			if l != topic.LabelOn {
				line += fmt.Sprintf("%.3f\t", s.FPR[l])
			}
		}
		fmt.Fprintln(tw, line)
	}
	row("briefbot", rep.Model)
	row("keyword baseline", rep.Baseline)
	tw.Flush()
	fmt.Fprintf(w, "\nF1 over baseline: %+.3f   subtopic agreement: %.3f   calibration error (ECE): %.3f\n", rep.Model.F1-rep.Baseline.F1, rep.SubtopicHit, rep.ECE)
	fmt.Fprintf(w, "briefbot: %d true positives, %d false positives, %d false negatives\n", rep.Model.TP, rep.Model.FP, rep.Model.FN)
	if !verbose {
		return
	}
	fmt.Fprintln(w, "\nmisses (FP: called relevant but not on; FN: on but missed):")
	for _, m := range rep.Misses {
		kind := "FN"
		if m.Result.Relevant {
			kind = "FP " + m.Item.Label
		}
		fmt.Fprintf(w, "%-14s %.2f  %s  %s\n", kind, m.Result.Score, m.Item.ID, m.Item.Title)
		fmt.Fprintf(w, "%18s %s\n", "", strings.Join(m.Result.Reasons, "; "))
		if m.Item.Note != "" {
			fmt.Fprintf(w, "%18s note: %s\n", "", m.Item.Note)
		}
	}
}
