package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/postgres"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// testPostgresSchema returns a URL of the test PostgreSQL
// (BRIEFBOT_TEST_POSTGRES_URL, default the local trust-auth server) whose
// search_path selects a fresh schema, dropped when t ends. It skips when
// the server is unreachable, except in CI (CI=true), where that fails.
func testPostgresSchema(t testing.TB) string {
	t.Helper()
	server := os.Getenv("BRIEFBOT_TEST_POSTGRES_URL")
	if server == "" {
		server = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		msg := "PostgreSQL at " + postgres.Redact(server) + " is unreachable (" + err.Error() + "); start it or set BRIEFBOT_TEST_POSTGRES_URL"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping")
	}
	defer conn.Close(context.Background())
	var b [8]byte
	rand.Read(b[:])
	schema := "briefbot_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), server)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	// The trust-auth test server ignores a password; it is there to check
	// that no output shows it.
	u.User = url.UserPassword(u.User.Username(), "s3cret-pw")
	return u.String()
}

// runMigrate runs `briefbot migrate args...` with the given environment.
func runMigrate(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return environ[k] }}
	code = execute(t.Context(), e, append([]string{"migrate"}, args...))
	return code, out.String(), errOut.String()
}

// embeddedDatabase writes a small SQLite database: a source with two
// items, one of them in a story, and a subscription that was posted to.
func embeddedDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "briefbot.db")
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, at := t.Context(), time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	if err := s.EnsureSource(ctx, "wire", "https://wire.example/feed"); err != nil {
		t.Fatal(err)
	}
	items, err := s.RecordPoll(ctx, "wire", store.Poll{At: at, Items: []store.NewItem{
		{Item: story.Item{Key: "a", Link: "https://wire.example/a", Title: "Envoys meet in Muscat"}, Pending: true},
		{Item: story.Item{Key: "b", Link: "https://wire.example/b", Title: "Weather"}, Pending: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscribe(ctx, store.Subscription{ChannelID: "c1", Topic: "diplomacy"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteItem(ctx, items[0].ID, store.Decision{Relevant: true, Topics: []string{"diplomacy"}, At: at}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.ClaimDeliveries(ctx, "poster", at, time.Minute, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("ClaimDeliveries = %v, %v", ds, err)
	}
	if err := s.DeliverySent(ctx, ds[0].ID, "msg-1", at); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateCopiesSQLiteToPostgres(t *testing.T) {
	dbURL := testPostgresSchema(t)
	path := embeddedDatabase(t)

	code, out, errOut := runMigrate(t, nil, "--from", "sqlite:"+path, "--to", dbURL)
	if code != 0 {
		t.Fatalf("migrate --from --to: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"items", "deliveries", "copied", "127.0.0.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not mention %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "s3cret-pw") {
		t.Errorf("output shows the password:\n%s%s", out, errOut)
	}

	// Again, with the target from the environment: nothing new.
	code, out, errOut = runMigrate(t, map[string]string{"BRIEFBOT_DATABASE_URL": dbURL}, "--from", "sqlite:"+path)
	if code != 0 {
		t.Fatalf("second copy: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "already there") || strings.Contains(out+errOut, "s3cret-pw") {
		t.Errorf("second copy output:\n%s", out)
	}

	pg, err := postgres.Open(t.Context(), dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	it, err := pg.ItemByLink(t.Context(), "https://wire.example/a")
	if err != nil || it.State != store.ItemDone || it.Decision == nil || it.Decision.StoryID == 0 {
		t.Errorf("copied item = %+v, %v; want done, in a story", it, err)
	}
	pending, err := pg.PendingItems(t.Context(), 10)
	if err != nil || len(pending) != 1 || pending[0].Key != "b" {
		t.Errorf("copied pending items = %+v, %v; want b", pending, err)
	}
	if ds, err := pg.ClaimDeliveries(t.Context(), "poster", time.Now(), time.Minute, 10); err != nil || len(ds) != 0 {
		t.Errorf("the sent delivery is owed again after the copy: %+v, %v", ds, err)
	}

	// `migrate --status` on PostgreSQL names it without the password.
	code, out, errOut = runMigrate(t, map[string]string{"BRIEFBOT_DATABASE_URL": dbURL}, "--status")
	if code != 0 || !strings.Contains(out, "schema version") || strings.Contains(out, "s3cret-pw") {
		t.Errorf("migrate --status: exit %d, %q, %q", code, out, errOut)
	}
}

func TestMigrateCopyArguments(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.db")
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		code    int
		want    string
	}{
		{"--to alone", nil, []string{"--to", "postgres://h/db"}, 2, "--to needs --from"},
		{"--status with --from", nil, []string{"--status", "--from", "sqlite:x.db"}, 2, "cannot be combined"},
		{"--from not sqlite", nil, []string{"--from", "x.db", "--to", "postgres://h/db"}, 2, "sqlite:PATH"},
		{"nowhere to copy to", nil, []string{"--from", "sqlite:x.db"}, 2, "nowhere to copy to"},
		{"target not postgres", map[string]string{"BRIEFBOT_DATABASE_URL": "sqlite:other.db"}, []string{"--from", "sqlite:x.db"}, 2, "not a postgres:// URL"},
		{"missing file", nil, []string{"--from", "sqlite:" + missing, "--to", "postgres://u:s3cret-pw@127.0.0.1:1/db"}, 1, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMigrate(t, tc.environ, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
			}
			if strings.Contains(errOut, "s3cret-pw") {
				t.Errorf("stderr shows the password: %s", errOut)
			}
		})
	}
}

func TestOpenStoreExplainsPostgresErrors(t *testing.T) {
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{},
		getenv: func(k string) string {
			if k == "BRIEFBOT_DATABASE_URL" {
				return "postgres://bot:s3cret-pw@127.0.0.1:1/briefbot"
			}
			return ""
		}}
	cfg, log, err := loadConfig(e, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = openStore(t.Context(), cfg, log, true)
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("openStore of an unreachable server: %v; want advice without the password", err)
	}
}
