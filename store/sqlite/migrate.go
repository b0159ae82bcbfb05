package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// Migrations are NNNN_name.sql files applied in version order, each in its
// own transaction. Never edit one that has shipped: add the next number.
// Every connection has foreign_keys on, and that pragma cannot change inside
// a transaction: a migration that rebuilds a table must use
// "PRAGMA defer_foreign_keys = ON" (SQLite's table-rebuild procedure).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations is the embedded set, checked once; tests prove it loads.
var migrations, migrationsErr = storeutil.LoadMigrations(migrationFiles)

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
		err := s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
				return fmt.Errorf("sqlite: create schema_migrations: %w", err)
			}
			v, err := schemaVersion(ctx, tx)
			if err != nil {
				return err
			}
			if err := storeutil.CheckSchema(s.path, v, len(migrations)); err != nil {
				return err
			}
			if v >= m.Version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("sqlite: migration %s on %s: %w", m.Name, s.path, err)
			}
			at, _ := timeArg(time.Now())
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.Version, at); err != nil {
				return fmt.Errorf("sqlite: record migration %s: %w", m.Name, err)
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
				slog.String("path", s.path), slog.Int("version", m.Version), slog.String("migration", m.Name))
		}
	}
	return applied, nil
}
