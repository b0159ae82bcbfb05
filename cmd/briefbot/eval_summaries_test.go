package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `eval summaries` pools several pair files and prints in-sample figures,
// both cross-validations and the boilerplate count in one run.
func TestEvalSummariesExtractive(t *testing.T) {
	// Synthetic pairs, written here: evaluation data never enters the repo.
	article := "Iranian and American envoys met in Muscat on Saturday for a fourth round of talks. " +
		"Oman carried messages between the two delegations, which sat in separate rooms. " +
		"Both sides called the talks useful and agreed to meet again next week. " +
		"Sanctions relief and limits on enrichment were the main subjects, officials said. " +
		"Israel warned it would not accept a deal that left enrichment in place."
	dir := t.TempDir()
	var paths []string
	for f, source := range []string{"synthetic-a", "synthetic-b"} {
		var b bytes.Buffer
		for i := range 3 {
			line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("cnn-%d-%d", f, i), "source": source, "title": "", "article": article,
				"reference": "Iranian and American envoys met in Muscat for a fourth round of talks."})
			b.Write(append(line, '\n'))
		}
		p := filepath.Join(dir, source+".jsonl")
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := execute(context.Background(), e, []string{"eval", "summaries", "--pairs", strings.Join(paths, ",")}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"6 pairs", "in-sample", "cross-validated, folds by hash", "cross-validated, folds by source", "source: synthetic-b", "boilerplate injection:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Articles too short to inject into: --check cannot vouch for the
	// boilerplate target, so it fails.
	errOut.Reset()
	if code := execute(context.Background(), e, []string{"eval", "summaries", "--check", "--pairs", strings.Join(paths, ",")}); code == 0 || !strings.Contains(errOut.String(), "no articles to inject into") {
		t.Errorf("--check on pairs without injectable articles: exit %d, stderr %q", code, errOut.String())
	}
}
