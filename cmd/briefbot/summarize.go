package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/briefbot/briefbot/summarize"
)

// maxSummarizeInput bounds one article read from stdin.
const maxSummarizeInput = 16 << 20

func init() {
	var (
		title        string
		jsonl        bool
		maxSentences int
		maxWords     int
		cfgPath      string
	)
	register(&command{
		name:    "summarize",
		summary: "print a short extractive summary of an article (or of JSONL items)",
		usage: `[--title T] < article.txt
       briefbot summarize --jsonl < in.jsonl > out.jsonl

With --jsonl, each input line is {"id","title","article"} and each output line
is {"id","summary"}, one per input line, in input order. A malformed line stops
the command with an error naming it, after the lines before it are written.
Limits come from summarize.max_sentences and summarize.max_words in the
configuration unless given as flags.`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&title, "title", "", "headline of the article read from stdin (helps pick sentences)")
			fs.BoolVar(&jsonl, "jsonl", false, "read JSONL articles from stdin and write one JSON summary per line")
			fs.IntVar(&maxSentences, "max-sentences", 0, "most sentences in a summary (default: from the configuration, 3)")
			fs.IntVar(&maxWords, "max-words", 0, "most words in a summary (default: from the configuration, 75)")
			configFlag(fs, &cfgPath)
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("summarize reads the article from stdin and takes no arguments, got %q", args)
			}
			if maxSentences < 0 || maxWords < 0 {
				return usageErrorf("--max-sentences and --max-words must be positive")
			}
			cfg, _, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			opts := summarize.Options{MaxSentences: cfg.Summarize.MaxSentences, MaxWords: cfg.Summarize.MaxWords}
			if maxSentences > 0 {
				opts.MaxSentences = maxSentences
			}
			if maxWords > 0 {
				opts.MaxWords = maxWords
			}
			s := summarize.New(opts)
			if jsonl {
				if title != "" {
					return usageErrorf("--title applies to a single article; with --jsonl put the title in each line")
				}
				return summarize.SummarizeJSONL(ctx, s, e.stdin, e.stdout)
			}
			text, err := io.ReadAll(io.LimitReader(e.stdin, maxSummarizeInput+1))
			if err != nil {
				return fmt.Errorf("read stdin: %w", err)
			}
			if len(text) > maxSummarizeInput {
				return fmt.Errorf("stdin is larger than %d MiB; pass one article at a time", maxSummarizeInput>>20)
			}
			if strings.TrimSpace(string(text)) == "" {
				return usageErrorf("nothing to summarize: pipe the article text to stdin")
			}
			sum, err := s.Summarize(ctx, summarize.Article{Title: title, Text: string(text)})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(e.stdout, sum.Text)
			return err
		},
	})
}
