package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/summarize"
	"github.com/briefbot/briefbot/summarize/llm"
)

// llmEvalFlags are `eval summaries` flags for comparing a model with the
// extractive default. Unset ones take the configuration's values.
type llmEvalFlags struct {
	backend, baseURL, model, config string
	timeout                         time.Duration
	maxConcurrent, perMinute        int
}

func (f *llmEvalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.backend, "backend", "extractive", "extractive, or llm to score a model server beside the extractive default in one run")
	fs.StringVar(&f.baseURL, "base-url", "", "with --backend llm: API root of the OpenAI-compatible server (default: summarize.llm.base_url)")
	fs.StringVar(&f.model, "model", "", "with --backend llm: model name (default: summarize.llm.model)")
	fs.DurationVar(&f.timeout, "timeout", 0, "with --backend llm: wait per brief (default: summarize.llm.timeout)")
	fs.IntVar(&f.maxConcurrent, "max-concurrent", 0, "with --backend llm: requests in flight (default: summarize.llm.max_concurrent)")
	fs.IntVar(&f.perMinute, "per-minute", 0, "with --backend llm: most requests a minute; 0, the default here, for no limit (an evaluation wants every pair asked)")
	configFlag(fs, &f.config)
}

// runEvalSummariesLLM scores the extractive default and the model backend
// on the same pairs and prints them side by side. The API key comes from
// BRIEFBOT_LLM_API_KEY as for `run`; nothing is cached, so the model is
// measured, not the cache.
func runEvalSummariesLLM(ctx context.Context, e *env, f llmEvalFlags, fs *flag.FlagSet, path string, pairs []summarize.Pair, check bool) error {
	cfg, log, err := loadConfig(e, f.config)
	if err != nil {
		return err
	}
	opts := llmOptions(cfg)
	opts.PerMinute = f.perMinute
	opts.MaxWords = summarize.DefaultMaxWords // the same limit the extractive default has here
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["base-url"] {
		opts.BaseURL = f.baseURL
	}
	if set["model"] {
		opts.Model = f.model
	}
	if set["timeout"] {
		opts.Timeout = f.timeout
	}
	if set["max-concurrent"] {
		opts.MaxConcurrent = f.maxConcurrent
	}
	if opts.Model == "" {
		return usageErrorf("eval summaries --backend llm: no model: pass --model or set summarize.llm.model")
	}
	ext := summarize.New(summarize.Options{})
	s, err := llm.New(opts, llm.Deps{Client: llm.NewHTTPClient(), Fallback: ext, Log: log})
	if err != nil {
		return usageErrorf("eval summaries --backend llm: %v", err)
	}
	fmt.Fprintf(e.stdout, "summaries on %s: %d pairs; extractive (default limits) beside model %s at %s\n\n",
		path, len(pairs), opts.Model, redactURL(opts.BaseURL))
	c, err := llm.Compare(ctx, s, ext, pairs, max(opts.MaxConcurrent, 1))
	if err != nil {
		return err
	}
	if err := c.WriteText(e.stdout, opts.Model); err != nil {
		return err
	}
	if check {
		if misses := c.Misses(); len(misses) > 0 {
			return fmt.Errorf("targets missed by the llm backend: %s", strings.Join(misses, "; "))
		}
		used, total := c.Used()
		fmt.Fprintf(e.stdout, "targets: all met by the model's own briefs (%d of %d briefs from the model)\n", used, total)
	}
	return nil
}
