package postgres

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
)

func TestEmbeddedMigrationsLoad(t *testing.T) {
	if migrationsErr != nil {
		t.Fatal(migrationsErr)
	}
	if LatestVersion() < 2 {
		t.Errorf("LatestVersion = %d, want at least 2", LatestVersion())
	}
}

// Instances starting at once against an empty database: every Migrate
// succeeds and each migration is applied exactly once.
func TestConcurrentMigrateAppliesOnce(t *testing.T) {
	dbURL := newSchema(t)
	const instances = 6
	stores := make([]*Store, instances)
	for i := range stores {
		stores[i] = openURL(t, dbURL, WithoutMigrate())
	}
	applied := make([]int, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() { applied[i], errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	total := 0
	for i := range stores {
		if errs[i] != nil {
			t.Errorf("instance %d: Migrate: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != LatestVersion() {
		t.Errorf("migrations applied %d times in all (%v), want %d: each exactly once", total, applied, LatestVersion())
	}
	var rows int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != LatestVersion() {
		t.Errorf("schema_migrations has %d rows, want %d", rows, LatestVersion())
	}
	// Opening (which migrates) from several instances at once also works.
	var owg sync.WaitGroup
	for range 4 {
		owg.Go(func() {
			s, err := Open(t.Context(), dbURL, nil)
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
				return
			}
			s.Close()
		})
	}
	owg.Wait()
}

// Migrate waits for the advisory lock: while another session holds it,
// nothing is applied.
func TestMigrateWaitsForTheLock(t *testing.T) {
	dbURL := newSchema(t)
	holder, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(context.Background())
	if _, err := holder.Exec(t.Context(), lockSQL, migrateLockClass); err != nil {
		t.Fatal(err)
	}
	s := openURL(t, dbURL, WithoutMigrate())
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if n, err := s.Migrate(ctx); err == nil || n != 0 {
		t.Fatalf("Migrate while another session holds the lock = %d, %v; want it to wait until its context ends", n, err)
	}
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != 0 {
		t.Errorf("SchemaVersion = %d, %v; want 0: nothing applied without the lock", v, err)
	}
	if _, err := holder.Exec(t.Context(), unlockSQL, migrateLockClass); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Migrate(t.Context()); err != nil || n != LatestVersion() {
		t.Errorf("Migrate after the lock is released = %d, %v; want %d", n, err, LatestVersion())
	}
}

func TestSchemaTooNewIsRefused(t *testing.T) {
	dbURL := newSchema(t)
	// The test server trusts local connections, so a password in the URL is
	// accepted and ignored: it lets the test check it is never shown.
	u, _ := url.Parse(dbURL)
	u.User = url.UserPassword(u.User.Username(), "s3cret-pw")
	withPassword := u.String()

	s := openURL(t, withPassword)
	future := LatestVersion() + 3
	if _, err := s.pool.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES ($1)`, future); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err := Open(t.Context(), withPassword, nil)
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) || !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open of a newer database: %v, want a *store.SchemaTooNewError", err)
	}
	if tooNew.Version != future || tooNew.Known != LatestVersion() {
		t.Errorf("SchemaTooNewError = %+v, want version %d, known %d", tooNew, future, LatestVersion())
	}
	if strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1") && !strings.Contains(err.Error(), "localhost") {
		t.Errorf("error does not name the database: %v", err)
	}

	// Inspecting it is still possible.
	s = openURL(t, withPassword, WithoutMigrate())
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != future {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, future)
	}
	if _, err := s.Migrate(t.Context()); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Migrate: %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenExplainsConnectionErrors(t *testing.T) {
	requireServer(t).Close(context.Background())
	server, _ := url.Parse(testServerURL())
	with := func(f func(u *url.URL)) string {
		u := *server
		u.User = url.UserPassword(server.User.Username(), "s3cret-pw")
		f(&u)
		return u.String()
	}
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"unreachable", with(func(u *url.URL) { u.Host = "127.0.0.1:1" }), "cannot reach the server"},
		{"missing database", with(func(u *url.URL) { u.Path = "/briefbot_no_such_database" }), "database does not exist"},
		{"unknown role", with(func(u *url.URL) { u.User = url.UserPassword("briefbot_no_such_role", "s3cret-pw") }), "refused the login"},
		{"missing schema", with(func(u *url.URL) {
			q := u.Query()
			q.Set("search_path", "briefbot_no_such_schema")
			u.RawQuery = q.Encode()
		}), "CREATE SCHEMA"},
		{"not a URL", "postgres://user:s3cret-pw@host:notaport/db", "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.url, nil)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://bot:pw@db.example:5432/briefbot?sslmode=require", "postgres://bot:xxxxx@db.example:5432/briefbot?sslmode=require"},
		{"postgres://bot@db.example/briefbot", "postgres://bot@db.example/briefbot"},
		{"postgresql://db.example/briefbot?password=pw&user=bot", "postgresql://db.example/briefbot?password=xxxxx&user=bot"},
		{"postgres://bot:p%40ss@h:notaport/db", "postgres://(unparsable URL)"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ایران 🕊️", "plain ایران 🕊️"},
		{"nul\x00byte", "nul byte"},
		{"bad\xffutf8", "bad utf8"},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Pages stored before migration 0011 are searchable after it.
func TestArticleSearchBackfill(t *testing.T) {
	s := openURL(t, newSchema(t), WithoutMigrate())
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:10] // up to 0010_poll_schedule
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO sources (name, url) VALUES ('src', 'https://src.example/feed')`,
		`INSERT INTO items (id, source, key, link, title, fetched, state) VALUES (7, 'src', 'a', 'https://src.example/a', 'Talks resume', $1, 'done')`,
		`INSERT INTO stories (id, headline, summary, first_seen, updated) VALUES (3, 'Talks resume', 'Envoys met.', $1, $1)`,
		`INSERT INTO story_items (item_id, story_id) VALUES (7, 3)`,
		`INSERT INTO item_articles (link, origin, reason, detail, words, body, fetched)
		 VALUES ('https://src.example/a', 'article', '', '', 3, 'Envoys discussed centrifuges.', $1)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, at)
		}
		if _, err := s.pool.Exec(t.Context(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	migrations = saved
	if n, err := s.Migrate(t.Context()); err != nil || n != len(saved)-10 {
		t.Fatalf("Migrate = %d, %v; want the %d newer migrations", n, err, len(saved)-10)
	}
	got, err := s.Stories(t.Context(), store.StoryQuery{Text: "centrifuges", Limit: 5})
	if err != nil || len(got) != 1 || got[0].ID != 3 {
		t.Errorf("Stories(centrifuges) after the migration = %+v, %v; want story 3", got, err)
	}
}
