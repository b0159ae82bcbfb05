package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/storetest"
)

// The tests use the PostgreSQL at BRIEFBOT_TEST_POSTGRES_URL, by default
// the local server with trust authentication. Each test gets a schema of its
// own, dropped when it ends, so runs and parallel packages never collide.
const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testServerURL() string {
	if u := os.Getenv("BRIEFBOT_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultTestURL
}

// requireServer connects to the test server, skipping the test when it
// cannot be reached, except in CI (CI=true), where that fails the run: a
// missing database must not pass as a green build.
func requireServer(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testServerURL())
	if err != nil {
		msg := "PostgreSQL at " + Redact(testServerURL()) + " is unreachable (" + err.Error() +
			"); start it or set BRIEFBOT_TEST_POSTGRES_URL"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg + "; skipping")
	}
	return conn
}

// newSchema creates an empty schema with a random name and returns a URL
// whose search_path selects it; the schema is dropped when tb ends.
func newSchema(tb testing.TB) string {
	tb.Helper()
	conn := requireServer(tb)
	defer conn.Close(context.Background())
	var b [8]byte
	rand.Read(b[:])
	schema := "briefbot_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, testServerURL())
		if err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(testServerURL())
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // sent as a run-time parameter on every connection
	u.RawQuery = q.Encode()
	return u.String()
}

// openURL opens a store at dbURL, closed when tb ends.
func openURL(tb testing.TB, dbURL string, opts ...Option) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dbURL, nil, opts...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	requireServer(t).Close(context.Background()) // one skip, not one per subtest
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		dbURL := newSchema(t)
		return func(t *testing.T) store.Store {
			s, err := Open(t.Context(), dbURL, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	}, storetest.TimePrecision(time.Microsecond))
}
