package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSummarizeLLMOptions(t *testing.T) {
	c, err := Parse(nil, "", envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := SummarizeLLM{BaseURL: "http://127.0.0.1:11434/v1", Timeout: 20 * time.Second, MaxConcurrent: 2,
		MaxOutputTokens: 200, MaxInputTokens: 2000, PerMinute: 30}
	if c.Summarize.Backend != "extractive" || c.Summarize.LLM != want {
		t.Errorf("defaults: backend %q, llm %+v; want extractive, %+v", c.Summarize.Backend, c.Summarize.LLM, want)
	}

	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		problem    string // "" when valid
	}{
		{"llm with a model", "summarize:\n  backend: llm\n  llm:\n    model: llama3.1:8b\n", nil, ""},
		{"model from the environment", "", map[string]string{"BRIEFBOT_SUMMARIZE_BACKEND": "llm", "BRIEFBOT_SUMMARIZE_LLM_MODEL": "qwen2.5:7b"}, ""},
		{"llm without a model", "summarize:\n  backend: llm\n", nil, "summarize.llm.model: is empty, but summarize.backend is llm"},
		{"unknown backend", "summarize:\n  backend: gpt\n", nil, `summarize.backend: "gpt" is not valid`},
		{"bad base URL", "summarize:\n  backend: llm\n  llm:\n    model: m\n    base_url: localhost:11434\n", nil, "summarize.llm.base_url: \"localhost:11434\" is not an http(s) URL"},
		{"base URL unchecked while unused", "summarize:\n  llm:\n    base_url: nonsense\n", nil, ""},
		{"timeout too short", "summarize:\n  llm:\n    timeout: 100ms\n", nil, "summarize.llm.timeout: 100ms is out of range"},
		{"negative budget", "summarize:\n  llm:\n    per_minute: -1\n", nil, "summarize.llm.per_minute: -1 is out of range"},
		{"unlimited budget", "summarize:\n  llm:\n    per_minute: 0\n", nil, ""},
		{"edit window", "summarize:\n  llm:\n    edit_window: 2m\n", nil, ""},
		{"edit window from the environment", "", map[string]string{"BRIEFBOT_SUMMARIZE_LLM_EDIT_WINDOW": "30s"}, ""},
		{"edit window too long", "summarize:\n  llm:\n    edit_window: 2h\n", nil, "summarize.llm.edit_window: 2h0m0s is out of range"},
		{"negative edit window", "summarize:\n  llm:\n    edit_window: -1s\n", nil, "summarize.llm.edit_window: -1s is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "test.yaml", envMap(tc.env))
			switch {
			case tc.problem == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
				t.Errorf("error %v, want one containing %q", err, tc.problem)
			}
		})
	}
}

func TestLLMAPIKeyIsASecret(t *testing.T) {
	c, err := Parse(nil, "", envMap(map[string]string{"BRIEFBOT_LLM_API_KEY": " sk-1 "}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LLMAPIKey != "sk-1" {
		t.Errorf("LLMAPIKey = %q", c.LLMAPIKey)
	}
	if r := c.Redacted(); r.LLMAPIKey != "[redacted]" {
		t.Errorf("Redacted kept the key: %q", r.LLMAPIKey)
	}
	f := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(f, []byte("sk-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Parse(nil, "", envMap(map[string]string{"BRIEFBOT_LLM_API_KEY_FILE": f}))
	if err != nil || c.LLMAPIKey != "sk-file" {
		t.Errorf("from _FILE: %q, %v", c.LLMAPIKey, err)
	}
	// Never from YAML.
	if _, err := Parse([]byte("llm_api_key: x\n"), "test.yaml", envMap(nil)); err == nil {
		t.Error("an API key in YAML was accepted")
	}
}
