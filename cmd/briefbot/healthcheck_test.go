package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
)

// With admin.listen off (as in the README's Docker example) healthcheck
// asks the database instead of failing forever.
func TestHealthcheckWithoutAdminListener(t *testing.T) {
	tests := []struct {
		name     string
		lastPoll time.Duration // ago; 0 for never
		code     int
		want     string
	}{
		{"recent poll", time.Minute, 0, "ok: a source was polled successfully within the last 10m0s"},
		{"stale", time.Hour, 1, "admin.listen is off, so the database was checked instead: no source polled successfully in the last 10m0s"},
		{"never polled", 0, 1, "no source polled successfully"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "bb.db")
			ctx := context.Background()
			st, err := sqlite.Open(ctx, db, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.EnsureSource(ctx, "wire", "https://wire.example/feed.xml"); err != nil {
				t.Fatal(err)
			}
			if tt.lastPoll > 0 {
				if _, err := st.RecordPoll(ctx, "wire", store.Poll{At: time.Now().Add(-tt.lastPoll), NotModified: true}); err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			doc := fmt.Sprintf("database: {path: %s}\nadmin: {listen: \"off\"}\nsources: [{name: wire, url: \"https://wire.example/feed.xml\"}]\n", db)
			cfgPath := writeConfig(t, dir, doc)
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			code := execute(ctx, e, []string{"healthcheck", "--config", cfgPath})
			if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant %q", code, tt.code, out.String(), errOut.String(), tt.want)
			}
		})
	}
}
