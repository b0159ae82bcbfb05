package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Every real feed document previews cleanly: each item has a title and a
// date, a relevance verdict, and relevant items carry a summary.
func TestPreviewEveryRealFeed(t *testing.T) {
	docs, err := filepath.Glob("../../testdata/feeds/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, doc := range docs {
		if strings.HasSuffix(doc, ".md") {
			continue
		}
		n++
		t.Run(filepath.Base(doc), func(t *testing.T) {
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			if code := execute(context.Background(), e, []string{"preview", "--json", "--feed", doc}); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if line == "" {
					continue // a feed with no items prints nothing
				}
				var p previewItem
				if err := json.Unmarshal([]byte(line), &p); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if strings.TrimSpace(p.Title) == "" || p.Published.IsZero() {
					t.Errorf("item %d lacks a title or date: %+v", i, p.Item)
				}
				if p.Relevance.Relevant && p.Summary == "" {
					t.Errorf("relevant item %q has no summary", p.Title)
				}
			}
			// The text view works too.
			out.Reset()
			if code := execute(context.Background(), e, []string{"preview", doc}); code != 0 {
				t.Fatalf("text view exit %d: %s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "items from") {
				t.Errorf("text view printed no header:\n%s", out.String())
			}
		})
	}
	if n < 20 {
		t.Fatalf("found only %d feed documents", n)
	}
}

func TestPreviewBadInputs(t *testing.T) {
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"preview"}, 2, "needs at least one --feed"},
		{[]string{"preview", "--feed", "no-such-file.xml"}, 1, "no-such-file.xml"},
		{[]string{"preview", "--feed", "../../README.md"}, 1, "README.md"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		if code := execute(context.Background(), e, tt.args); code != tt.code || !strings.Contains(errOut.String(), tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d containing %q", tt.args, code, errOut.String(), tt.code, tt.msg)
		}
	}
}
