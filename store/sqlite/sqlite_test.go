package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/briefbot/briefbot/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "briefbot.db")
		return func(t *testing.T) store.Store {
			s, err := Open(t.Context(), path, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

// openTemp opens a new database file in t's temp dir, closed at cleanup.
func openTemp(t *testing.T, opts ...Option) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "briefbot.db")
	s := reopen(t, path, opts...)
	return s, path
}

func reopen(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, nil, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPragmasOnEveryPooledConnection(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	pools := []struct {
		name      string
		db        *sql.DB
		conns     int
		queryOnly int
	}{
		{"write", s.write, 1, 0},
		{"read", s.read, 4, 1}, // hold several at once so each is a distinct connection
	}
	for _, p := range pools {
		var held []*sql.Conn
		for i := range p.conns {
			c, err := p.db.Conn(ctx)
			if err != nil {
				t.Fatalf("%s conn %d: %v", p.name, i, err)
			}
			held = append(held, c)
		}
		for i, c := range held {
			var (
				journal                       string
				busy, fk, syncMode, queryOnly int
			)
			q := func(pragma string, dst any) {
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(dst); err != nil {
					t.Fatalf("%s conn %d: PRAGMA %s: %v", p.name, i, pragma, err)
				}
			}
			q("journal_mode", &journal)
			q("busy_timeout", &busy)
			q("foreign_keys", &fk)
			q("synchronous", &syncMode)
			q("query_only", &queryOnly)
			var cache int
			q("cache_size", &cache)
			if want := -cacheKiB(p.queryOnly == 1); cache != want {
				t.Errorf("%s conn %d: cache_size=%d; want %d (KiB, bounded)", p.name, i, cache, want)
			}
			if journal != "wal" || busy != int(busyTimeout.Milliseconds()) || fk != 1 || syncMode != 1 || queryOnly != p.queryOnly {
				t.Errorf("%s conn %d: journal_mode=%s busy_timeout=%d foreign_keys=%d synchronous=%d query_only=%d; want wal %d 1 1(NORMAL) %d",
					p.name, i, journal, busy, fk, syncMode, queryOnly, busyTimeout.Milliseconds(), p.queryOnly)
			}
		}
		for _, c := range held {
			c.Close()
		}
	}
}

func TestMigrations(t *testing.T) {
	t.Run("embedded migrations load", func(t *testing.T) {
		if migrationsErr != nil || len(migrations) == 0 {
			t.Fatalf("embedded migrations: %d, %v", len(migrations), migrationsErr)
		}
	})
	t.Run("a fresh database gets the latest version", func(t *testing.T) {
		s, _ := openTemp(t)
		v, err := s.SchemaVersion(t.Context())
		if err != nil || v != LatestVersion() {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, LatestVersion())
		}
		var n int
		if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != LatestVersion() {
			t.Errorf("schema_migrations has %d rows (%v), want one per migration (%d)", n, err, LatestVersion())
		}
	})
	t.Run("migrating again is a no-op", func(t *testing.T) {
		s, path := openTemp(t)
		for i := range 2 {
			applied, err := s.Migrate(t.Context())
			if err != nil || applied != 0 {
				t.Errorf("Migrate #%d = %d, %v; want 0, nil", i+1, applied, err)
			}
		}
		s.Close()
		s = reopen(t, path)
		if v, err := s.SchemaVersion(t.Context()); err != nil || v != LatestVersion() {
			t.Errorf("after reopen SchemaVersion = %d, %v", v, err)
		}
	})
	t.Run("WithoutMigrate leaves a new file alone, Migrate then applies all", func(t *testing.T) {
		s, _ := openTemp(t, WithoutMigrate())
		if v, err := s.SchemaVersion(t.Context()); err != nil || v != 0 {
			t.Errorf("SchemaVersion of an unmigrated file = %d, %v; want 0", v, err)
		}
		applied, err := s.Migrate(t.Context())
		if err != nil || applied != LatestVersion() {
			t.Errorf("Migrate = %d, %v; want %d", applied, err, LatestVersion())
		}
	})
	t.Run("a newer database is refused with a clear message", func(t *testing.T) {
		s, path := openTemp(t)
		newer := LatestVersion() + 1
		if _, err := s.write.ExecContext(t.Context(),
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2030-01-01T00:00:00.000000000Z')`, newer); err != nil {
			t.Fatal(err)
		}
		s.Close()

		_, err := Open(t.Context(), path, nil)
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
		}
		var tooNew *store.SchemaTooNewError
		if !errors.As(err, &tooNew) || tooNew.Version != newer || tooNew.Known != LatestVersion() {
			t.Errorf("error %#v, want versions %d and %d", err, newer, LatestVersion())
		}
		want := fmt.Sprintf("database at %s has schema version %d; this briefbot knows up to %d: upgrade briefbot", path, newer, LatestVersion())
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q\ndoes not say %q", err, want)
		}

		// Inspecting it is still possible, and Migrate refuses too.
		s = reopen(t, path, WithoutMigrate())
		if v, err := s.SchemaVersion(t.Context()); err != nil || v != newer {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, newer)
		}
		if _, err := s.Migrate(t.Context()); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("Migrate = %v, want ErrSchemaTooNew", err)
		}
	})
	t.Run("a failing migration is rolled back", func(t *testing.T) {
		s, _ := openTemp(t, WithoutMigrate())
		saved := migrations
		t.Cleanup(func() { migrations = saved })
		migrations = append(slices.Clone(saved), storeutil.Migration{Version: len(saved) + 1, Name: "9999_broken.sql",
			SQL: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"})
		applied, err := s.Migrate(t.Context())
		if err == nil || !strings.Contains(err.Error(), "9999_broken.sql") {
			t.Errorf("Migrate = %v; want an error naming the broken migration", err)
		}
		if applied != len(saved) {
			t.Errorf("applied %d, want the %d good ones", applied, len(saved))
		}
		var n int
		s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'`).Scan(&n)
		if v, _ := s.SchemaVersion(t.Context()); v != len(saved) || n != 0 {
			t.Errorf("after a failed migration: version %d, half_done tables %d; want %d, 0", v, n, len(saved))
		}
	})
}

func TestOpenRefusesUnusablePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x?mode=memory", "a?b.db", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := Open(t.Context(), path, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

// Two processes on one file (say `briefbot sources` beside `briefbot run`)
// each have their own writer; BEGIN IMMEDIATE and busy_timeout must make
// them take turns instead of failing with "database is locked".
func TestTwoStoresOnOneFile(t *testing.T) {
	a, path := openTemp(t)
	b := reopen(t, path)
	if err := a.EnsureSource(t.Context(), "src", "https://src.example/feed"); err != nil {
		t.Fatal(err)
	}
	const each = 50
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, s := range []*Store{a, b} {
		wg.Go(func() {
			for i := range each {
				if _, err := s.RecordFailure(t.Context(), "src", time.Now(), fmt.Sprint("failure ", i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := b.Source(t.Context(), "src")
	if err != nil || st.Failures != 2*each {
		t.Errorf("Failures = %d, %v; want %d", st.Failures, err, 2*each)
	}
}

// Close must let a write that is under way commit, and refuse later ones.
func TestCloseWaitsForInFlightWrite(t *testing.T) {
	s, path := openTemp(t)
	inside, release := make(chan struct{}), make(chan struct{})
	writeErr := make(chan error, 1)
	go func() {
		writeErr <- s.inWrite(context.Background(), func(_ context.Context, tx *sql.Tx) error {
			close(inside)
			<-release
			_, err := tx.Exec(`INSERT INTO sources (name, url) VALUES ('late', 'https://late.example/')`)
			return err
		})
	}()
	<-inside

	var (
		mu    sync.Mutex
		order []string
	)
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	closed := make(chan error, 1)
	go func() {
		err := s.Close()
		note("close returned")
		closed <- err
	}()
	// A Close that does not wait returns long before this; one that waits
	// cannot return until the write is released.
	select {
	case err := <-closed:
		closed <- err
	case <-time.After(100 * time.Millisecond):
	}
	note("write released")
	close(release)

	if err := <-writeErr; err != nil {
		t.Errorf("in-flight write failed: %v", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	mu.Lock()
	if strings.Join(order, ",") != "write released,close returned" {
		t.Errorf("events %q: Close returned before the in-flight write finished", order)
	}
	mu.Unlock()
	if err := s.EnsureSource(t.Context(), "x", "https://x.example/"); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v, want errClosed", err)
	}

	s = reopen(t, path)
	if _, err := s.Source(t.Context(), "late"); err != nil {
		t.Errorf("the in-flight write was lost: %v", err)
	}
}

func TestTimeEncoding(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want any
	}{
		{"zero is NULL", time.Time{}, nil},
		{"UTC keeps nanoseconds", time.Date(2025, 3, 14, 9, 26, 53, 5, time.UTC), "2025-03-14T09:26:53.000000005Z"},
		{"other zones become UTC", time.Date(2025, 3, 14, 12, 56, 53, 0, time.FixedZone("IRST", 12600)), "2025-03-14T09:26:53.000000000Z"},
		{"first year", time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), "0001-01-01T00:00:00.000000001Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := timeArg(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("timeArg = %v, %v; want %v", got, err, tc.want)
			}
			var ns sql.NullString
			if s, ok := got.(string); ok {
				ns = sql.NullString{String: s, Valid: true}
			}
			back, err := parseTime(ns)
			if err != nil || !back.Equal(tc.in) || (!back.IsZero() && back.Location() != time.UTC) {
				t.Errorf("parseTime = %v, %v; want %v in UTC", back, err, tc.in)
			}
		})
	}
	if _, err := timeArg(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("timeArg accepted year 10000")
	}
}

// The queries the bot runs often must use their indexes, not scan items.
func TestQueryPlansUseIndexes(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		query string
		arg   any
		index string
	}{
		{pendingQuery, 10, "items_pending"},
		{byLinkQuery, "https://x.example/a", "items_link"},
	}
	for _, tc := range tests {
		rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+tc.query, tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, tc.index) {
			t.Errorf("plan for %q is %q; want it to use %s", tc.query, p, tc.index)
		}
	}
}

// queryPlan returns EXPLAIN QUERY PLAN's details for query, joined by "; ".
func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// /latest, /topic, the poster's claim and the pipeline's fan-out run
// constantly against tables that only grow: each must be an index range
// read in order, never a scan or a sort of every row.
func TestBriefingQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	since, _ := timeArg(t0Bench)
	storiesPlan := func(q store.StoryQuery) (string, []any) {
		var sinceArg any
		if !q.Since.IsZero() {
			sinceArg = since
		}
		return storiesQuery(q, sinceArg)
	}
	type plan struct {
		name  string
		query string
		args  []any
		want  []string
		sorts bool // sorting the few rows an index found is fine
	}
	var tests []plan
	for _, q := range []struct {
		name string
		q    store.StoryQuery
		want []string
	}{
		{"latest", store.StoryQuery{Limit: 5}, []string{"stories_first_seen"}},
		{"latest since", store.StoryQuery{Since: t0Bench, Limit: 5}, []string{"stories_first_seen"}},
		{"topic", store.StoryQuery{Topic: "gaza", Limit: 5}, []string{"PRIMARY KEY (topic=?)"}},
		{"topic since", store.StoryQuery{Topic: "gaza", Since: t0Bench, Limit: 5}, []string{"PRIMARY KEY (topic=? AND first_seen>?)"}},
	} {
		query, args := storiesPlan(q.q)
		tests = append(tests, plan{q.name, query, args, q.want, false})
	}
	// A text search reaches a page's stories by index: page to items by
	// link, item to story by key, never a scan of either.
	for _, q := range []store.StoryQuery{{Text: "iran", Limit: 5}, {Text: "iran", Topic: "gaza", Since: t0Bench, Limit: 5}} {
		query, args := storiesPlan(q)
		tests = append(tests, plan{"text " + q.Topic, query, args, []string{"items_link", "SEARCH si USING INTEGER PRIMARY KEY"}, true})
	}
	tests = append(tests,
		plan{"claim", claimQuery, []any{"owner", "b", "a", 10}, []string{"deliveries_pending"}, false},
		// A topic's realtime subscribers, ordered to pick each channel's oldest.
		plan{"fan-out", fanOutQuery, []any{1, "a", `["gaza"]`, "a", "bbc"}, []string{"subscriptions_topic"}, true},
	)
	for _, tc := range tests {
		p := queryPlan(t, s, tc.query, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s: plan %q does not use %s", tc.name, p, w)
			}
		}
		if !tc.sorts && strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts what an index should deliver in order", tc.name, p)
		}
		if m := fullScan.FindString(p); m != "" {
			t.Errorf("%s: plan %q reads a whole table (%s)", tc.name, p, m)
		}
	}
}

// fullScan matches a plan step that reads a table without an index.
var fullScan = regexp.MustCompile(`SCAN (stories|story_topics|deliveries|subscriptions|[sdt])(;|$)`)

var t0Bench = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

func TestMatchQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nuclear talks", `"nuclear" "talks"`},
		{`Iran's "deal"`, `"Iran's" """deal"""`},
		{"NEAR(a b) OR c*", `"NEAR(a" "b)" "OR" "c*"`},
		{"  - * ( ) ", ""},
		{"\xff\xfe", ""},
		{"0\x00 a\tb", `"0" "a" "b"`},
		{"ایران  توافق", `"ایران" "توافق"`},
		{strings.Repeat("w ", 40), strings.TrimSpace(strings.Repeat(`"w" `, storeutil.MaxSearchTerms))},
	}
	for _, tc := range tests {
		if got := matchQuery(tc.in); got != tc.want {
			t.Errorf("matchQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Whatever users type, a search must not fail: FTS5 syntax errors would
// surface as "Internal error" replies.
func FuzzStoriesText(f *testing.F) {
	for _, seed := range []string{`"`, `a OR`, `NEAR(`, `col:x`, `*`, `^a`, `a AND NOT`, "\x00", `"a" "`, "{a b}: c", "(a"} {
		f.Add(seed)
	}
	path := filepath.Join(f.TempDir(), "fuzz.db")
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	if err := fillStories(context.Background(), s, 50); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := s.Stories(t.Context(), store.StoryQuery{Text: text, Topic: "gaza", Limit: 3}); err != nil {
			t.Errorf("Stories(Text %q): %v", text, err)
		}
	})
}

// Pages stored before migration 0011 are searchable after it, and the
// rebuilt table keeps them.
func TestArticleSearchBackfill(t *testing.T) {
	s, _ := openTemp(t, WithoutMigrate())
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:10] // up to 0010_poll_schedule
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ts, _ := timeArg(t0Bench)
	for _, q := range []string{
		`INSERT INTO sources (name, url) VALUES ('src', 'https://src.example/feed')`,
		`INSERT INTO items (id, source, key, link, title, fetched, state) VALUES (7, 'src', 'a', 'https://src.example/a', 'Talks resume', ?1, 'done')`,
		`INSERT INTO stories (id, headline, summary, first_seen, updated) VALUES (3, 'Talks resume', 'Envoys met.', ?1, ?1)`,
		`INSERT INTO story_items (item_id, story_id) VALUES (7, 3)`,
		`INSERT INTO item_articles (link, origin, reason, detail, words, body, fetched)
		 VALUES ('https://src.example/a', 'article', '', '', 3, 'Envoys discussed centrifuges.', ?1)`,
	} {
		if _, err := s.write.ExecContext(t.Context(), q, ts); err != nil {
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
	if a, ok, err := s.ItemArticle(t.Context(), "https://src.example/a"); err != nil || !ok || a.Text != "Envoys discussed centrifuges." {
		t.Errorf("ItemArticle after the migration = %+v, %v, %v", a, ok, err)
	}
	// rank 1: compare the index with the table's text, not only itself.
	if _, err := s.write.ExecContext(t.Context(), `INSERT INTO item_articles_fts (item_articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity check: %v", err)
	}
}
