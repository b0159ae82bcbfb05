package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/summarize"
	"github.com/briefbot/briefbot/summarize/llm"
)

func TestNewSummarizerFollowsTheBackend(t *testing.T) {
	cfg := config.Defaults()
	s, err := newSummarizer(cfg, nil, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*summarize.Extractive); !ok {
		t.Errorf("default backend built %T, want *summarize.Extractive", s)
	}
	cfg.Summarize.Backend = "llm"
	cfg.Summarize.LLM.Model = "llama3.1:8b"
	if s, err = newSummarizer(cfg, nil, slog.New(slog.DiscardHandler), nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*llm.Summarizer); !ok {
		t.Errorf("llm backend built %T, want *llm.Summarizer", s)
	}
	cfg.Summarize.LLM.BaseURL = "localhost:11434"
	if _, err := newSummarizer(cfg, nil, slog.New(slog.DiscardHandler), nil); err == nil || !strings.Contains(err.Error(), "summarize.llm") {
		t.Errorf("a bad base URL gave %v, want an error naming summarize.llm", err)
	}
}

// `eval summaries --backend llm` prints extractive and model scores side
// by side, against whatever server is named (here a fake one).
func TestEvalSummariesLLM(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-eval" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		// Answer with the article's first sentence: faithful by
		// construction.
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, article, _ := strings.Cut(req.Messages[1].Content, "Article:\n")
		first := summarize.SplitSentences(article)[0]
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"choices":[{"message":{"role":"assistant","content":%q},"finish_reason":"stop"}]}`, first)
	}))
	defer srv.Close()

	// Synthetic pairs, written here: evaluation data never enters the repo.
	var pairs bytes.Buffer
	for i, p := range []struct{ title, article, ref string }{
		{"Envoys meet in Muscat", "Iranian and American envoys met in Muscat on Saturday for a fourth round of talks. Oman carried messages between them. Both sides called the talks useful.", "Iranian and American envoys met in Muscat for a fourth round of talks."},
		{"Ceasefire holds in Gaza", "A ceasefire between Israel and Hamas held for a third day on Monday. Aid trucks entered through the Rafah crossing. Mediators from Egypt and Qatar said talks would continue.", "The Gaza ceasefire held for a third day as aid entered."},
	} {
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("cnn-%d", i), "source": "synthetic", "title": p.title, "article": p.article, "reference": p.ref})
		pairs.Write(append(line, '\n'))
	}
	path := filepath.Join(t.TempDir(), "pairs.jsonl")
	if err := os.WriteFile(path, pairs.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // no briefbot.yaml
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string {
		return map[string]string{"BRIEFBOT_LLM_API_KEY": "sk-eval"}[k]
	}}
	args := []string{"eval", "summaries", "--backend", "llm", "--pairs", path, "--base-url", srv.URL + "/v1", "--model", "fake-7b"}
	if code := execute(context.Background(), e, args); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("server saw %d requests, want one per pair (2)", n)
	}
	for _, want := range []string{"extractive", "llm (fake-7b)", "lead-3", "model briefs used: 2 of 2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// A dead server: every brief falls back, and --check fails saying so
	// instead of passing on the extractive summaries.
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "model not loaded", http.StatusServiceUnavailable)
	}))
	defer dead.Close()
	out.Reset()
	errOut.Reset()
	deadArgs := []string{"eval", "summaries", "--backend", "llm", "--check", "--pairs", path, "--base-url", dead.URL + "/v1", "--model", "fake-7b", "--timeout", "2s"}
	if code := execute(context.Background(), e, deadArgs); code == 0 || !strings.Contains(errOut.String(), "model briefs used: 0 of 2") {
		t.Errorf("--check against a dead server: exit %d, stderr %q; want a failure naming 0 of 2 model briefs", code, errOut.String())
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "summaries", "--backend", "llm", "--pairs", path}, "no model"},
		{[]string{"eval", "summaries", "--backend", "gpt", "--pairs", path}, "--backend \"gpt\" is not valid"},
	} {
		errOut.Reset()
		if code := execute(context.Background(), e, tc.args); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

// Every summarize.llm option reaches the backend.
func TestLLMOptionsFromConfig(t *testing.T) {
	cfg, err := config.Parse([]byte("summarize:\n  backend: llm\n  llm:\n    model: m1\n    base_url: http://127.0.0.1:9/v1\n    timeout: 7s\n    per_minute: 9\n    max_concurrent: 3\n    edit_window: 45s\n"), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	o := llmOptions(cfg)
	if o.Model != "m1" || o.BaseURL != "http://127.0.0.1:9/v1" || o.Timeout != 7*time.Second || o.PerMinute != 9 ||
		o.MaxConcurrent != 3 || o.EditWindow != 45*time.Second {
		t.Errorf("llmOptions = %+v", o)
	}
}
