// Package postgres is the store several briefbot instances share: PostgreSQL
// through github.com/jackc/pgx/v5 and its connection pool.
//
// It keeps the same tables as store/sqlite (see migrations/) and meets the
// same contract (store/storetest). What differs is how work is shared:
// writers run concurrently under READ COMMITTED and serialise where they
// must on row locks (a poll locks its source's row, a completion its item's
// and its story's), and the outbox is claimed with FOR UPDATE SKIP LOCKED,
// so instances never wait for, nor take, each other's deliveries.
//
// Times are kept to the microsecond (timestamptz), except the outbox
// deadlines (not_before, lease_until), which are compared with callers'
// clocks and keep nanoseconds.
//
// Full-text search (StoryQuery.Text) reads a stored tsvector of headline
// (weight A) and summary (weight B), GIN-indexed, in the text search
// configuration briefbot_english: English Snowball stemming ("talks" finds
// "talk") without English's stop words, and ASCII punctuation split off as
// FTS5's unicode61 does, so both stores find the same stories. Each typed
// word is a phrase of its tokens, all must match, and any text is a valid
// query (see search.go). As in store/sqlite, only the newest 500 matches are
// ranked, by ts_rank with a headline word worth twice a summary word, then
// newest first. Words in non-Latin scripts are words only when the
// database's LC_CTYPE is a UTF-8 locale (initdb's default on most systems).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/briefbot/briefbot/store"
)

var errClosed = errors.New("postgres: store is closed")

// defaultConnectTimeout bounds connecting to a server that does not answer
// (a firewall dropping packets) when the URL sets no connect_timeout.
const defaultConnectTimeout = 10 * time.Second

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	url  string // redacted: safe for logs and errors
	log  *slog.Logger
	pool *pgxpool.Pool

	// mu is held shared by every operation and exclusively by Close, so
	// Close waits for in-flight work and later calls fail cleanly.
	mu     sync.RWMutex
	closed bool
}

var _ store.Store = (*Store)(nil)

// Option changes how Open behaves.
type Option func(*options)

type options struct {
	migrate bool
}

// WithoutMigrate opens the database as it is: no pending migration is
// applied and a too-new schema is not refused. For inspecting a database
// (`briefbot migrate --status`); other methods may fail on an old schema.
func WithoutMigrate() Option { return func(o *options) { o.migrate = false } }

// Open connects to the database at rawURL (postgres://user:pass@host:port/db,
// with any libpq parameter, e.g. ?sslmode=disable&search_path=briefbot, and
// pgxpool's pool_max_conns) and, unless WithoutMigrate is given, applies
// pending migrations under an advisory lock, so several instances starting
// at once migrate once. A database migrated by a newer briefbot is refused
// with a *store.SchemaTooNewError. log may be nil.
//
// Connection errors say what to fix (server unreachable, authentication,
// missing database) and never contain the password.
func Open(ctx context.Context, rawURL string, log *slog.Logger, opts ...Option) (*Store, error) {
	o := options{migrate: true}
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	redacted := Redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// pgx's message quotes the URL with its password masked.
		return nil, fmt.Errorf("postgres: database URL %s is not valid: %w", redacted, err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open %s: %w", redacted, err)
	}
	// The pool connects lazily; connect now so a wrong URL fails here,
	// with advice, rather than at the first poll.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, explainConnectError(redacted, err)
	}
	s := &Store{url: redacted, log: log, pool: pool}
	if o.migrate {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	log.Debug("database opened", slog.String("database", redacted))
	return s, nil
}

// URL returns the database's URL without its password.
func (s *Store) URL() string { return s.url }

// Redact returns rawURL with any password replaced by "xxxxx", for logs and
// messages. A URL that does not parse is reduced to its scheme.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		scheme, _, _ := strings.Cut(rawURL, "://")
		if len(scheme) > 20 || strings.ContainsAny(scheme, "@:/") {
			scheme = "postgres"
		}
		return scheme + "://(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// explainConnectError turns a failure to connect into advice. The checks
// look at typed errors only: the messages of some (a server's startup
// error) are not ours to parse.
func explainConnectError(where string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("postgres: %s refused the login (%s): check the user name and password in the database URL, and the server's pg_hba.conf: %w",
				where, pgErr.Message, err)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("postgres: %s: the database does not exist: create it (createdb NAME, or CREATE DATABASE) or fix its name in the URL: %w",
				where, err)
		}
		return fmt.Errorf("postgres: connect to %s: %w", where, err)
	}
	var netErr net.Error
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: cannot reach the server at %s: is PostgreSQL running, and are the host and port in the URL right? %w",
			where, err)
	}
	return fmt.Errorf("postgres: connect to %s: %w", where, err)
}

// enter marks the start of an operation; the caller must call s.mu.RUnlock.
func (s *Store) enter() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	return nil
}

// Ping checks that the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping %s: %w", s.url, err)
	}
	return nil
}

// Close waits for in-flight operations, then closes the pool. Calling it
// again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.pool.Close()
	return nil
}

// maxTxAttempts bounds retries of a transaction PostgreSQL aborted to break
// a deadlock. Lock order makes deadlocks unlikely, not impossible: two
// instances may lock the same rows in different orders (a subscription
// paused while another instance fans a story out to it).
const maxTxAttempts = 3

// inTx runs fn in a transaction and commits if fn returns nil. fn may run
// more than once (after a deadlock), so it must set its results afresh.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	var err error
	for range maxTxAttempts {
		if err = s.tryTx(ctx, fn); !retryable(err) {
			return err
		}
		s.log.Debug("retrying a transaction PostgreSQL aborted", slog.String("err", err.Error()))
	}
	return err
}

func (s *Store) tryTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// retryable reports whether err is PostgreSQL breaking a deadlock or a
// serialization conflict, after which the whole transaction may run again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// ts turns t into a timestamptz argument: NULL for the zero time, else UTC
// truncated to the microsecond, which is what a later read returns.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micro(t)
}

// micro is t as PostgreSQL keeps it.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// fromTS reads a timestamptz column: zero for NULL, else UTC.
func fromTS(v pgtype.Timestamptz) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return v.Time.UTC()
}

// nsArg turns t into a nanosecond column value (not_before, lease_until):
// NULL for the zero time.
func nsArg(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		// Outside int64 nanoseconds since 1970.
		return nil, fmt.Errorf("time %s is outside years 1678-2261", t)
	}
	return t.UnixNano(), nil
}

// fromNS reads a nanosecond column.
func fromNS(ns *int64) time.Time {
	if ns == nil {
		return time.Time{}
	}
	return time.Unix(0, *ns).UTC()
}

// clean makes s storable as PostgreSQL text, which refuses NUL and invalid
// UTF-8 that SQLite accepts and feeds occasionally carry: each becomes a
// space, so one bad byte cannot fail a whole poll. Valid text is unchanged.
func clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, " "), "\x00", " ")
}

// cleanAll applies clean to each string, copying l only when one changes.
func cleanAll(l []string) []string {
	var out []string
	for i, s := range l {
		if c := clean(s); c != s {
			if out == nil {
				out = slices.Clone(l)
			}
			out[i] = c
		}
	}
	if out == nil {
		return l
	}
	return out
}

// errOrZero explains a missing time when there is no underlying error.
func errOrZero(err error) error {
	if err != nil {
		return err
	}
	return errors.New("it is zero")
}
