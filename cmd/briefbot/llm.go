package main

import (
	"fmt"
	"log/slog"
	"net/url"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/summarize"
	"github.com/briefbot/briefbot/summarize/llm"
)

// newSummarizer builds the summarizer the configuration asks for: the
// extractive one for summarize.backend "extractive" (the default), or for
// "llm" an *llm.Summarizer that falls back to it, keeps answers in cache
// (the store; nil for none) and reports each brief's outcome to observe
// (nil for none). Type-assert to *llm.Summarizer for BriefLate and Wait.
func newSummarizer(cfg *config.Config, cache llm.Cache, log *slog.Logger, observe llm.Observer) (summarize.Summarizer, error) {
	ext := summarize.New(summarize.Options{MaxSentences: cfg.Summarize.MaxSentences, MaxWords: cfg.Summarize.MaxWords})
	if cfg.Summarize.Backend != "llm" {
		return ext, nil
	}
	opts := llmOptions(cfg)
	s, err := llm.New(opts, llm.Deps{Client: llm.NewHTTPClient(), Fallback: ext, Cache: cache, Log: log, Observe: observe})
	if err != nil {
		return nil, fmt.Errorf("config: summarize.llm: %w", err)
	}
	log.Info("summaries by model, checked, with the extractive summary as fallback",
		slog.String("base_url", redactURL(opts.BaseURL)), slog.String("model", opts.Model),
		slog.Duration("timeout", opts.Timeout), slog.Int("per_minute", opts.PerMinute),
		slog.Duration("edit_window", cfg.Summarize.LLM.EditWindow))
	return s, nil
}

// llmOptions maps the configuration onto the backend's options.
func llmOptions(cfg *config.Config) llm.Options {
	l := cfg.Summarize.LLM
	return llm.Options{
		BaseURL:         l.BaseURL,
		Model:           l.Model,
		APIKey:          cfg.LLMAPIKey,
		Timeout:         l.Timeout,
		MaxConcurrent:   l.MaxConcurrent,
		MaxOutputTokens: l.MaxOutputTokens,
		MaxInputTokens:  l.MaxInputTokens,
		PerMinute:       l.PerMinute,
		EditWindow:      l.EditWindow,
		MaxWords:        cfg.Summarize.MaxWords,
	}
}

// redactURL hides a password in a URL before it is logged.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "[unparseable URL]"
	}
	return p.Redacted()
}
