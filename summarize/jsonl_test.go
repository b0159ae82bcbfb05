package summarize

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestSummarizeJSONL(t *testing.T) {
	in := `{"id":"1","title":"Talks","article":"(CNN)Talks resumed in Vienna. Subscribe to our newsletter."}

{"id":"2","article":"<p>Oil fell &amp; stocks rose.</p>"}
{"id":"3","title":"x","article":""}
`
	var out bytes.Buffer
	if err := SummarizeJSONL(context.Background(), New(Options{}), strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := []JSONLOut{{"1", "Talks resumed in Vienna."}, {"2", "Oil fell & stocks rose."}, {"3", ""}}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, l := range lines {
		var got JSONLOut
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got != want[i] {
			t.Errorf("line %d = %+v, want %+v", i+1, got, want[i])
		}
	}
}

func TestSummarizeJSONLBadLine(t *testing.T) {
	in := "{\"id\":\"1\",\"article\":\"Talks resumed.\"}\n{\"id\": 2,\n{\"id\":\"3\",\"article\":\"More.\"}\n"
	var out bytes.Buffer
	err := SummarizeJSONL(context.Background(), New(Options{}), strings.NewReader(in), &out)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2", err)
	}
	if got := strings.TrimSpace(out.String()); got != `{"id":"1","summary":"Talks resumed."}` {
		t.Errorf("output before the bad line = %q", got)
	}
}
