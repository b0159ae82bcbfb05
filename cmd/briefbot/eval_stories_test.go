package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two hand-written label files of two news days each: the command reads
// both, scores each day and reports cross-validated figures beside the
// in-sample ones and the baseline's.
func TestEvalStoriesSeveralFilesByDay(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.jsonl", `{"id":"a1","outlet":"A","title":"Iran and US hold nuclear talks in Muscat","description":"Oman's foreign minister carried messages between the delegations in Muscat.","published":"2025-04-12T10:00:00Z","event":"20250412-muscat"}
{"id":"a2","outlet":"B","title":"Iran, US nuclear talks in Muscat end with plan to meet again","description":"The delegations met in Muscat with Oman's foreign minister carrying messages.","published":"2025-04-12T12:00:00Z","event":"20250412-muscat"}
{"id":"a3","outlet":"C","title":"Earthquake strikes southern Turkey","description":"A magnitude 5 quake hit Malatya province.","published":"2025-04-12T13:00:00Z","event":"20250412-s-a3"}
`)
	b := write("b.jsonl", `{"id":"b1","outlet":"A","title":"Saudi Arabia hosts Ukraine peace talks in Jeddah","description":"Delegations from Ukraine and the US met in Jeddah.","published":"2025-03-11T09:00:00Z","event":"20250311-jeddah"}
{"id":"b2","outlet":"B","title":"Ukraine and US delegations meet in Jeddah for peace talks","description":"Saudi Arabia hosted the talks in Jeddah.","published":"2025-03-11T11:00:00Z","event":"20250311-jeddah"}
`)
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		return execute(context.Background(), e, append([]string{"eval", "stories"}, args...)), out.String(), errOut.String()
	}
	code, out, errOut := run("--labels", a, "--labels", b)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"5 items, 3 events (2 with 2+ items), 2 news days", "2025-03-11", "2025-04-12", "cross-validated", "in-sample", "baseline"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	dup := write("dup.jsonl", `{"id":"a1","title":"T","published":"2025-04-12T10:00:00Z","event":"e"}`+"\n")
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--labels", a, "--labels", dup}, 1, `id "a1" is also in`},
		{[]string{"--labels", filepath.Join(dir, "missing.jsonl")}, 1, "missing.jsonl"},
		{[]string{"--labels", a, "extra"}, 2, "takes no arguments"},
	} {
		if code, _, errOut := run(tt.args...); code != tt.code || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d containing %q", tt.args, code, errOut, tt.code, tt.msg)
		}
	}
}
