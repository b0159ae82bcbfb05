package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/briefbot/briefbot/topic"
)

// maxClassifyInput bounds what classify reads from stdin: one article, or
// one JSONL line.
const maxClassifyInput = 16 << 20

func init() {
	var (
		title     string
		topicName string
		jsonl     bool
		cfgPath   string
	)
	register(&command{
		name:    "classify",
		summary: "score text for topic relevance and say why (Iran and Middle East diplomacy by default)",
		usage: `[--title T] [--topic NAME] < article.txt
       briefbot classify --jsonl [--topic NAME] < in.jsonl > out.jsonl

With --jsonl, each input line is {"id","title","description"} and each output
line is {"id","relevant","score","subtopics","reasons"}, in input order. A line
that is not valid JSON is reported on stderr with its line number and skipped;
the command then exits 1 after writing every good line.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&title, "title", "", "headline of the article read from stdin")
			fs.StringVar(&topicName, "topic", topic.DefaultName, "topic to score against")
			fs.BoolVar(&jsonl, "jsonl", false, "read JSONL items from stdin and write one JSON result per line")
			configFlag(fs, &cfgPath)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("classify reads text from stdin and takes no arguments, got %q", args)
			}
			// User topics come from the configuration, as in `run`.
			cfg, _, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			c, err := newClassifier(cfg)
			if err != nil {
				return err
			}
			t, ok := c.Topic(topicName)
			if !ok {
				return usageErrorf("unknown topic %q; known topics: %s", topicName, topicNames(c))
			}
			if jsonl {
				if title != "" {
					return usageErrorf("--title applies to a single article; with --jsonl put the title in each line")
				}
				return classifyJSONL(ctx, e, t)
			}
			text, err := io.ReadAll(io.LimitReader(e.stdin, maxClassifyInput+1))
			if err != nil {
				return fmt.Errorf("read stdin: %w", err)
			}
			if len(text) > maxClassifyInput {
				return fmt.Errorf("stdin is larger than %d MiB; pass one article at a time", maxClassifyInput>>20)
			}
			if title == "" && strings.TrimSpace(string(text)) == "" {
				return usageErrorf("nothing to classify: pass --title and/or text on stdin")
			}
			printResult(e.stdout, t.Classify(title, string(text)))
			return nil
		},
	})
}

func printResult(w io.Writer, r topic.Result) {
	verdict := "not relevant"
	if r.Relevant {
		verdict = "relevant"
	}
	fmt.Fprintf(w, "topic:     %s\n", r.Topic)
	fmt.Fprintf(w, "verdict:   %s\n", verdict)
	fmt.Fprintf(w, "score:     %.2f\n", r.Score)
	if len(r.Subtopics) > 0 {
		fmt.Fprintf(w, "subtopics: %s\n", strings.Join(r.Subtopics, ", "))
	}
	if len(r.Reasons) > 0 {
		fmt.Fprintln(w, "reasons:")
		for _, s := range r.Reasons {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
}

type classifyIn struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type classifyOut struct {
	ID        string   `json:"id"`
	Relevant  bool     `json:"relevant"`
	Score     float64  `json:"score"`
	Subtopics []string `json:"subtopics"`
	Reasons   []string `json:"reasons"`
}

// classifyJSONL streams results in input order. A malformed line does not
// stop the stream: it is reported with its line number and the command
// fails at the end, so one bad line neither hides the good results nor goes
// unnoticed by a script.
func classifyJSONL(ctx context.Context, e *env, t *topic.Topic) error {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), maxClassifyInput)
	out := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var bad []int
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			out.Flush()
			return err
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var in classifyIn
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			fmt.Fprintf(e.stderr, "briefbot classify: line %d: not a JSON object with id, title, description: %v\n", n, err)
			bad = append(bad, n)
			continue
		}
		r := t.Classify(in.Title, in.Description)
		if err := enc.Encode(classifyOut{ID: in.ID, Relevant: r.Relevant, Score: round2(r.Score), Subtopics: r.Subtopics, Reasons: r.Reasons}); err != nil {
			return fmt.Errorf("write result for line %d: %w", n, err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("read stdin: a line is longer than %d MiB; send title and description, not whole pages", maxClassifyInput>>20)
		}
		return fmt.Errorf("read stdin: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d malformed input line(s) skipped (first: line %d); fix them and rerun", len(bad), bad[0])
	}
	return nil
}

func round2(x float64) float64 {
	return float64(int(x*100+0.5)) / 100
}
