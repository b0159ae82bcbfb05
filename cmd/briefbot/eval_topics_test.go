package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLabels writes labelled items for eval topics, written for this test
// (not evaluation data): two news days per file.
func writeLabels(t *testing.T, dir, name string, days []string) string {
	t.Helper()
	heads := []struct{ title, label string }{
		{"Qatar hosts Gaza ceasefire talks", "on"},
		{"EU imposes sanctions on Iran", "on"},
		{"Jordan summons Israeli ambassador", "on"},
		{"Israeli strike kills 12 in Gaza", "near_region"},
		{"Saudi club wins league title", "near_region"},
		{"NATO ministers meet in Brussels", "near_topic"},
		{"Floods hit southern Brazil", "off"},
	}
	var b bytes.Buffer
	for _, day := range days {
		for i, h := range heads {
			line, err := json.Marshal(map[string]string{
				"id": fmt.Sprintf("%s-%s-%d", name, day, i), "title": h.title, "description": "",
				"label": h.label, "published": day + "T09:00:00Z",
			})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalTopicsCrossValidates(t *testing.T) {
	dir := t.TempDir()
	a := writeLabels(t, dir, "a.jsonl", []string{"2025-01-01", "2025-01-02"})
	b := writeLabels(t, dir, "b.jsonl", []string{"2025-02-01"})
	t.Chdir(t.TempDir()) // no briefbot.yaml
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		code := execute(context.Background(), e, append([]string{"eval", "topics"}, args...))
		return code, out.String(), errOut.String()
	}

	code, out, errOut := run("--labels", a, "--labels", b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"21 items", "cross-validated by news day", "2025-01-01", "2025-01-02", "2025-02-01",
		"briefbot, cross-validated", "briefbot, in-sample", "hand weights", "keyword baseline",
		"a.jsonl, cross-validated", "b.jsonl, cross-validated", "not fitted to data",
		"target cross-validated F1 ≥ 0.90: ", "target cross-validated FPR near_region ≤ 0.08: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = run("--labels", a, "--terms")
	if code != 0 || !strings.Contains(out, "diplomacy/talks") || !strings.Contains(out, "on 2") {
		t.Errorf("--terms: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}

	code, out, errOut = run("--labels", a, "--fit")
	if code != 0 {
		t.Fatalf("--fit: exit %d: %s", code, errOut)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "weights.go", out, 0); err != nil || !strings.Contains(out, "fittedBias") {
		t.Errorf("--fit wrote no valid weights file (%v):\n%s", err, out)
	}

	if code, _, errOut = run("--labels", filepath.Join(dir, "missing.jsonl")); code == 0 || !strings.Contains(errOut, "--labels") {
		t.Errorf("missing file: exit %d, stderr %q; want an error naming --labels", code, errOut)
	}
}
