package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/store"
)

// Migrations are NNNN_name.sql files applied in version order, each in its
// own transaction. Never edit one that has shipped: add the next number.
// Every connection has foreign_keys on, and that pragma cannot change inside
// a transaction: a migration that rebuilds a table must use
// "PRAGMA defer_foreign_keys = ON" (SQLite's table-rebuild procedure).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string // file name, for logs
	sql     string
}

// loadMigrations reads and checks the embedded files: versions must run
// 1, 2, 3… with no gap or duplicate, so "latest" is well defined.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, p := range names {
		name := path.Base(p)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must be 1, 2, 3… without gaps or repeats)", m.name, i+1)
		}
	}
	return ms, nil
}

// migrations is the embedded set, checked once; tests prove it loads.
var migrations, migrationsErr = loadMigrations(migrationFiles)

// LatestVersion is the schema version this build migrates to.
func LatestVersion() int { return len(migrations) }

// createMigrationsTable is idempotent and runs before anything reads it.
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL
) STRICT`

// SchemaVersion returns the database's schema version: 0 for a database no
// briefbot has migrated yet.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	return schemaVersion(ctx, s.read)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	// Check for the table first so that a database opened WithoutMigrate is
	// not modified by asking.
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	return v, nil
}

// Migrate applies pending migrations and returns how many it applied; run
// again it applies none. A database newer than this build is refused with a
// *store.SchemaTooNewError and left untouched.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	if migrationsErr != nil {
		return 0, fmt.Errorf("sqlite: embedded migrations: %w", migrationsErr)
	}
	if len(migrations) == 0 {
		return 0, errors.New("sqlite: no embedded migrations: the build is broken")
	}
	for _, m := range migrations {
		// The version is read again inside each transaction: another
		// process may be migrating the same file, and BEGIN IMMEDIATE
		// makes the check and the change one step.
		done := false
		err := s.inWrite(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
				return fmt.Errorf("sqlite: create schema_migrations: %w", err)
			}
			v, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if v > len(migrations) {
				return &store.SchemaTooNewError{Database: s.path, Version: v, Known: len(migrations)}
			}
			if v >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("sqlite: migration %s on %s: %w", m.name, s.path, err)
			}
			at, _ := timeArg(time.Now())
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, at); err != nil {
				return fmt.Errorf("sqlite: record migration %s: %w", m.name, err)
			}
			done = true
			return nil
		})
		if err != nil {
			return applied, err
		}
		if done {
			applied++
			s.log.Info("applied database migration",
				slog.String("path", s.path), slog.Int("version", m.version), slog.String("migration", m.name))
		}
	}
	return applied, nil
}
