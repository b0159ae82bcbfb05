// Package sqlite is the embedded store: one SQLite file through the pure-Go
// modernc.org/sqlite driver (no cgo), in WAL mode.
//
// Writes go through a pool of exactly one connection whose transactions
// begin IMMEDIATE, so writers queue in Go (cancellable by their context
// until they start) instead of racing for SQLite's lock and failing with
// "database is locked"; writes that queue together share one transaction
// (group commit, see writer.go);
// reads use a separate pool of read-only connections, which WAL lets run
// beside the writer. Every pragma is in the DSN, so every connection either
// pool opens has it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/briefbot/briefbot/store"
)

// busyTimeout is how long a connection waits for another process's lock
// (say, `briefbot sources` run beside `briefbot run`) before giving up.
// Within one process the single writer means it is never needed for writes.
const busyTimeout = 5 * time.Second

var errClosed = errors.New("sqlite: store is closed")

// Store is the SQLite implementation of store.Store.
type Store struct {
	path  string
	log   *slog.Logger
	write *sql.DB // exactly one connection; transactions BEGIN IMMEDIATE
	read  *sql.DB // query_only connections

	// prepared maps the hot write statements' SQL to their copy prepared
	// on the writer's only connection. Set by Open, read-only afterwards.
	prepared map[string]*sql.Stmt
	// readSource is the source read every poll makes, prepared on the
	// read pool (each connection compiles it once); nil WithoutMigrate.
	readSource *sql.Stmt

	// writes feeds the goroutine that runs every write (writer.go);
	// stopWrites ends it and writerDone says it has ended.
	writes      chan *writeReq
	stopWrites  chan struct{}
	writerDone  chan struct{}
	txCount     atomic.Int64 // write transactions committed (tests read it)
	groupLimit  int          // most writes a transaction; 0: maxWriteBatch (benchmarks set 1)
	lonelyUntil time.Time    // poll writes wait for company after this (the writer's own)

	// mu is held shared by every operation and exclusively by Close, so
	// Close waits for in-flight writes and later calls fail cleanly.
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

// Open opens (creating if needed) the database file at path and, unless
// WithoutMigrate is given, applies pending migrations, so a fresh clone runs
// without a separate step. A database migrated by a newer briefbot is
// refused with a *store.SchemaTooNewError. log may be nil.
func Open(ctx context.Context, path string, log *slog.Logger, opts ...Option) (*Store, error) {
	o := options{migrate: true}
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}

	s := &Store{path: path, log: log}
	var err error
	// The writer connects first: it is the one allowed to switch a new file
	// to WAL, which then persists for the read-only connections.
	if s.write, err = openPool(ctx, path, false); err != nil {
		return nil, err
	}
	if s.read, err = openPool(ctx, path, true); err != nil {
		s.write.Close()
		return nil, err
	}
	s.startWriter()
	if o.migrate {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
		// Only a migrated schema has the tables these statements name.
		if err := s.prepare(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	log.Debug("database opened", slog.String("path", path))
	return s, nil
}

// checkPath rejects names the driver would not treat as a plain file.
func checkPath(path string) error {
	switch {
	case path == "":
		return errors.New("sqlite: database path is empty: set database.path, e.g. ./briefbot.db")
	case path == ":memory:" || strings.Contains(path, "mode=memory"):
		// Each pooled connection would get its own empty database.
		return fmt.Errorf("sqlite: in-memory database %q is not supported: use a file path (tests: one in t.TempDir())", path)
	case strings.ContainsRune(path, '?'):
		return fmt.Errorf("sqlite: database path %q contains '?', which the driver reads as options: rename the file", path)
	}
	return nil
}

// dsn builds the driver's connection string. The driver runs each _pragma on
// every new connection (busy_timeout first), which is the only way to be sure
// pooled connections opened later get them too.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")   // readers never block the writer
	q.Add("_pragma", "synchronous(NORMAL)") // safe in WAL; fsync at checkpoints only
	q.Add("_pragma", "foreign_keys(ON)")    // off by default in SQLite
	// Each connection keeps its own page cache, in memory outside Go's
	// heap: bounded explicitly, five connections hold at most 6 MiB
	// (SQLite's default would allow 2 MiB each).
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -cacheKiB(readOnly)))
	if readOnly {
		q.Add("_pragma", "query_only(ON)") // a read path that writes is a bug
	} else {
		// Take the write lock at BEGIN: a deferred transaction that reads
		// then writes can fail with SQLITE_BUSY that busy_timeout cannot fix.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// cacheKiB is a connection's page cache bound: the writer touches every
// table, each reader mostly one query's indexes.
func cacheKiB(readOnly bool) int {
	if readOnly {
		return 1024
	}
	return 2048
}

func openPool(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, readOnly))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if readOnly {
		n := max(4, 2*runtime.GOMAXPROCS(0))
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
	} else {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
	}
	// Connections are cheap to keep and costly to reopen (pragmas, schema
	// parse); SQLite has no server that would drop them.
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s (does its directory exist and is it writable?): %w", path, err)
	}
	return db, nil
}

// prepare readies the statements every poll runs. SQLite compiles SQL on
// each use unless a statement is kept, and compiling costs as much as
// running these; database/sql reuses them inside transactions through
// Tx.StmtContext.
func (s *Store) prepare(ctx context.Context) error {
	s.prepared = map[string]*sql.Stmt{}
	for _, q := range []string{sqlSourceExists, sqlKnownKeys, sqlInsertItem, sqlUpdatePolled, sqlLeaseTake, sqlLeaseHolder,
		sqlSavepoint, sqlRollbackTo, sqlRelease} {
		st, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare statement: %w", err)
		}
		s.prepared[q] = st
	}
	// Reads outside a transaction use the read pool's own copy.
	st, err := s.read.PrepareContext(ctx, sqlReadSource)
	if err != nil {
		return fmt.Errorf("sqlite: prepare statement: %w", err)
	}
	s.readSource = st
	return nil
}

// stmt returns query as a statement of tx: the prepared copy when Open made
// one, else one prepared now (a store opened WithoutMigrate).
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if p := s.prepared[query]; p != nil {
		return tx.StmtContext(ctx, p), nil
	}
	return tx.PrepareContext(ctx, query)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// enter marks the start of an operation; the caller must call s.mu.RUnlock.
func (s *Store) enter() error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	return nil
}

// Ping checks that both pools can reach the file.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping %s: %w", s.path, err)
	}
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping %s: %w", s.path, err)
	}
	return nil
}

// Close waits for in-flight operations, then closes both pools. The writer
// closes last: the last connection to go checkpoints the WAL into the file.
// Calling Close again does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopWriter() // no caller is inside, so no write is queued
	for _, st := range s.prepared {
		st.Close()
	}
	if s.readSource != nil {
		s.readSource.Close()
	}
	rerr := s.read.Close()
	werr := s.write.Close()
	if err := errors.Join(rerr, werr); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// inRead runs fn in a read transaction, so that a read made of several
// queries (stories, then their sources) sees one snapshot.
func (s *Store) inRead(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin read: %w", err)
	}
	defer tx.Rollback() // nothing to commit: the connection is query_only
	return fn(tx)
}

// Times are stored as fixed-width UTC text (see migrations/0001_init.sql).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// timeArg turns t into a column value: NULL for the zero time.
func timeArg(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		// Outside four-digit years the text would not sort or parse.
		return nil, fmt.Errorf("time %s is outside years 1-9999", t)
	}
	return t.Format(timeLayout), nil
}

// parseTime reads a column written by timeArg.
func parseTime(ns sql.NullString) (time.Time, error) {
	if !ns.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, ns.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad stored time %q: %w", ns.String, err)
	}
	return t.UTC(), nil
}
