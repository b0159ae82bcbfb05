package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// `briefbot why` explains an item by link or ID as /why does.
func TestWhyCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bb.db")
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := st.EnsureSource(ctx, "wire", "https://wire.example/feed.xml"); err != nil {
		t.Fatal(err)
	}
	it := story.Item{Source: "wire", Key: "k1", Link: "https://wire.example/old", Title: "Envoys meet in Muscat", Published: now.Add(-time.Hour), Fetched: now}
	ins, err := st.RecordPoll(ctx, "wire", store.Poll{At: now, Items: []store.NewItem{{Item: it}}})
	if err != nil || len(ins) != 1 {
		t.Fatalf("recording: %v %v", ins, err)
	}
	st.Close()
	doc := fmt.Sprintf("database: {path: %s}\nsources: [{name: wire, url: \"https://wire.example/feed.xml\", outlet: Test Wire}]\n", db)
	cfgPath := writeConfig(t, dir, doc)
	tests := []struct {
		arg  string
		code int
		want string
	}{
		{"https://wire.example/old", 0, "Envoys meet in Muscat\nhttps://wire.example/old\n\n➖ Seen, not posted. briefbot saw it in the Test Wire feed"},
		{fmt.Sprint(ins[0].ID), 0, "➖ Seen, not posted."},
		{"https://wire.example/never", 0, "briefbot has not seen that article. It looks like one from a source it reads:"},
		{"99999", 1, "there is no item 99999 in the database"},
		{"not a link", 1, "Give the article's full link"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			code := execute(ctx, e, []string{"why", "--config", cfgPath, tt.arg})
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant %q", code, tt.code, out.String(), errOut.String(), tt.want)
			}
		})
	}
}

// writeConfig writes doc as dir/briefbot.yaml and returns its path.
func writeConfig(t *testing.T, dir, doc string) string {
	t.Helper()
	path := filepath.Join(dir, "briefbot.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A misspelt BRIEFBOT_* variable is warned about at start, with the
// nearest name, instead of being silently ignored.
func TestUnknownEnvironmentVariableWarns(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" },
		environ: func() []string {
			return []string{"BRIEFBOT_POLLING_CONCURENCY=4", "BRIEFBOT_LOG_LEVEL=info", "PATH=/bin"}
		}}
	if code := execute(context.Background(), e, []string{"sources"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "BRIEFBOT_POLLING_CONCURENCY is set but briefbot reads no such variable, so it has no effect; did you mean BRIEFBOT_POLLING_CONCURRENCY?") ||
		strings.Contains(errOut.String(), "BRIEFBOT_LOG_LEVEL is set") {
		t.Errorf("stderr:\n%s", errOut.String())
	}
}
