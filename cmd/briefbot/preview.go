package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/summarize"
)

// previewDescRunes bounds descriptions in the text view; --json has them whole.
const previewDescRunes = 300

// feedList is a repeatable string flag.
type feedList []string

func (l *feedList) String() string     { return strings.Join(*l, ",") }
func (l *feedList) Set(v string) error { *l = append(*l, v); return nil }

func init() {
	var (
		feeds        feedList
		asJSON       bool
		timeout      time.Duration
		allowPrivate bool
		onlyRelevant bool
		cfgPath      string
	)
	register(&command{
		name:    "preview",
		summary: "fetch feeds once and show the items briefbot would get from them",
		usage: `--feed URL|FILE [--feed URL|FILE ...] [--json]

Each feed is fetched (or read, for a local file) once, with the same limits
and parsing as "briefbot run", and nothing is stored. Each item is shown with
its relevance (score, subtopics and the reasons), and relevant items with the
summary briefbot would post. Feeds may also be given as arguments. With
--json, each item is printed as one JSON object per line.`,
		flags: func(fs *flag.FlagSet) {
			feeds = nil
			fs.Var(&feeds, "feed", "feed URL or local file (repeatable)")
			fs.BoolVar(&asJSON, "json", false, "print normalised items as JSON lines")
			fs.DurationVar(&timeout, "timeout", 0, "request timeout per feed (default: polling.timeout)")
			fs.BoolVar(&allowPrivate, "allow-private-networks", false, "allow feeds on loopback and private addresses (default: polling.allow_private_networks)")
			fs.BoolVar(&onlyRelevant, "relevant", false, "show only items relevant to a topic")
			configFlag(fs, &cfgPath)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			targets := append(append([]string(nil), feeds...), args...)
			if len(targets) == 0 {
				return usageErrorf("preview needs at least one --feed URL or FILE")
			}
			cfg, _, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			classifier, err := newClassifier(cfg)
			if err != nil {
				return err
			}
			judgeItem := relevance(classifier)
			// The summarizer run would use (a model, when configured).
			sum, err := newSummarizer(cfg, nil, slog.New(slog.DiscardHandler), nil)
			if err != nil {
				return err
			}
			// The configuration's limits, as run uses them; flags override.
			limits := limitsFromConfig(cfg)
			if timeout > 0 {
				limits.Timeout = timeout
			}
			limits.AllowPrivateNetworks = limits.AllowPrivateNetworks || allowPrivate
			f := source.NewFetcher(limits, slog.New(slog.DiscardHandler))
			failed := 0
			for _, target := range targets {
				title, items, err := source.Preview(ctx, f, target, time.Now())
				if err != nil {
					failed++
					fmt.Fprintf(e.stderr, "briefbot preview: %s: %s\n", target, source.Reason(err))
					continue
				}
				if len(items) == 0 {
					// As run's source health would: a parsed document with
					// no items is worth a look (an empty or broken feed).
					fmt.Fprintf(e.stderr, "briefbot preview: %s: warning: %s\n", target, source.WarnNoItems)
				}
				shown := make([]previewItem, 0, len(items))
				for _, it := range items {
					p := previewItem{Outlet: title, Item: it, Relevance: judgeItem(it)}
					if onlyRelevant && !p.Relevance.Relevant {
						continue
					}
					if p.Relevance.Relevant {
						s, err := sum.Summarize(ctx, summarize.Article{Title: it.Title, Text: it.Text(), Language: it.Language})
						if err != nil {
							return err
						}
						p.Summary = s.Text
					}
					shown = append(shown, p)
				}
				if asJSON {
					err = writePreviewJSON(e.stdout, shown)
				} else {
					err = writePreviewText(e.stdout, target, title, len(items), shown)
				}
				if err != nil {
					return err
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d feeds could not be read", failed, len(targets))
			}
			return nil
		},
	})
}

// previewItem is an item as --json prints it: the outlet beside the item,
// and what briefbot makes of it.
type previewItem struct {
	Outlet string `json:"Outlet"`
	story.Item
	Relevance pipeline.Relevance `json:"Relevance"`
	Summary   string             `json:"Summary,omitempty"`
}

func writePreviewJSON(w io.Writer, items []previewItem) error {
	enc := json.NewEncoder(w)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}

func writePreviewText(w io.Writer, target, outlet string, total int, items []previewItem) error {
	if outlet == "" {
		outlet = "(untitled feed)"
	}
	if _, err := fmt.Fprintf(w, "== %s — %d items from %s\n\n", outlet, total, target); err != nil {
		return err
	}
	for _, p := range items {
		it, rel := p.Item, p.Relevance
		fmt.Fprintf(w, "%s\n", it.Title)
		fmt.Fprintf(w, "  %s · %s\n", outlet, it.Published.Format("2006-01-02 15:04 UTC"))
		if it.Link != "" {
			fmt.Fprintf(w, "  %s\n", it.Link)
		}
		verdict := "not relevant"
		if rel.Relevant {
			verdict = "RELEVANT to " + strings.Join(rel.Topics, ", ")
		}
		fmt.Fprintf(w, "  %s (score %.2f)", verdict, rel.Score)
		if len(rel.Subtopics) > 0 {
			fmt.Fprintf(w, " · %s", strings.Join(rel.Subtopics, ", "))
		}
		fmt.Fprintln(w)
		if len(rel.Reasons) > 0 {
			fmt.Fprintf(w, "  why: %s\n", strings.Join(rel.Reasons, "; "))
		}
		if p.Summary != "" {
			fmt.Fprintf(w, "  summary: %s\n", p.Summary)
		} else if d := previewShorten(it.Description, previewDescRunes); d != "" {
			fmt.Fprintf(w, "  %s\n", d)
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// previewShorten cuts s to n runes with an ellipsis.
func previewShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
