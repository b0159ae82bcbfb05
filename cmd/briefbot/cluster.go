package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/story"
)

// maxClusterLine bounds one JSONL input line.
const maxClusterLine = 4 << 20

func init() {
	var (
		jsonl bool
		opt   story.Options
	)
	register(&command{
		name:    "cluster",
		summary: "group items from several outlets into stories (same event, one story)",
		usage: `--jsonl [--window D] [--threshold X] [--fresh D] < items.jsonl > stories.jsonl

Each input line is {"id","outlet","title","description","link","published"}
(published in RFC 3339), in any order; each output line is {"id","story"},
one per input line, in input order. Items are clustered in published order,
as the running bot sees them. A line that is not a valid item fails the
command, naming the line; nothing is written.`,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&jsonl, "jsonl", false, "read JSONL items from stdin and write one {id, story} line per item")
			clusterFlags(fs, &opt)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("cluster reads items from stdin and takes no arguments, got %q", args)
			}
			if !jsonl {
				return usageErrorf("cluster needs --jsonl: it reads JSONL items from stdin")
			}
			if err := checkClusterOptions(opt); err != nil {
				return err
			}
			return clusterJSONL(ctx, e, opt)
		},
	})
}

// clusterFlags declares the clusterer's tuning flags; zero keeps a default.
func clusterFlags(fs *flag.FlagSet, opt *story.Options) {
	fs.DurationVar(&opt.Window, "window", 0, "how long a story stays open after its newest item (default 48h)")
	fs.Float64Var(&opt.Threshold, "threshold", 0, "similarity an item needs to join a story, in (0,1] (default 0.28)")
	fs.DurationVar(&opt.Fresh, "fresh", 0, "how long after its first item a story is joined at the plain threshold (default 12h)")
}

func checkClusterOptions(opt story.Options) error {
	switch {
	case opt.Window < 0:
		return usageErrorf("--window %v: must be positive, e.g. 48h", opt.Window)
	case opt.Fresh < 0:
		return usageErrorf("--fresh %v: must be positive, e.g. 12h", opt.Fresh)
	case opt.Threshold < 0 || opt.Threshold > 1:
		return usageErrorf("--threshold %v: must be in (0,1], e.g. 0.3", opt.Threshold)
	}
	return nil
}

type clusterIn struct {
	ID          json.RawMessage `json:"id"`
	Outlet      string          `json:"outlet"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Link        string          `json:"link"`
	Published   string          `json:"published"`
}

type clusterOut struct {
	ID    json.RawMessage `json:"id"`
	Story int64           `json:"story"`
}

func clusterJSONL(ctx context.Context, e *env, opt story.Options) error {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxClusterLine)
	var (
		ids   []json.RawMessage
		items []story.ClusterItem
	)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var in clusterIn
		if err := json.Unmarshal(line, &in); err != nil {
			return fmt.Errorf("stdin line %d: %w (each line must be one JSON object: id, outlet, title, description, link, published)", n, err)
		}
		if len(in.ID) == 0 || string(in.ID) == "null" {
			return fmt.Errorf("stdin line %d: missing id; each item needs one to match it with its story", n)
		}
		if in.Title == "" && in.Description == "" {
			return fmt.Errorf("stdin line %d: item %s has neither title nor description", n, in.ID)
		}
		published, err := time.Parse(time.RFC3339, in.Published)
		if err != nil {
			return fmt.Errorf("stdin line %d: published %q: give an RFC 3339 time such as 2025-06-24T21:03:00Z", n, in.Published)
		}
		ids = append(ids, in.ID)
		items = append(items, story.ClusterItem{Outlet: in.Outlet, Title: in.Title, Text: in.Description, Published: published})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w (lines may be at most %d MiB)", err, maxClusterLine>>20)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	stories := story.ClusterAll(items, opt)
	w := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(w)
	for i, id := range ids {
		if err := enc.Encode(clusterOut{ID: id, Story: stories[i]}); err != nil {
			return fmt.Errorf("writing stdout: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing stdout: %w", err)
	}
	return nil
}
