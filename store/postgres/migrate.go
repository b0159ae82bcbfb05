package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// Migrations are NNNN_name.sql files applied in version order, each in its
// own transaction (PostgreSQL's DDL is transactional, so a failed one leaves
// nothing behind). Never edit one that has shipped: add the next number.
// Their versions are this package's own, independent of store/sqlite's.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations is the embedded set, checked once; tests prove it loads.
var migrations, migrationsErr = storeutil.LoadMigrations(migrationFiles)

// LatestVersion is the schema version this build migrates to.
func LatestVersion() int { return len(migrations) }

// migrateLockClass is the first key of the advisory lock taken while
// migrating ("brbf"); the second is a hash of the schema being migrated, so
// separate schemas (tests, several bots in one database) do not wait for
// each other.
const migrateLockClass = 0x62726266

const (
	lockSQL   = `SELECT pg_advisory_lock($1, hashtext(coalesce(current_schema(), '')))`
	unlockSQL = `SELECT pg_advisory_unlock($1, hashtext(coalesce(current_schema(), '')))`
)

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)`

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SchemaVersion returns the database's schema version: 0 for a database no
// briefbot has migrated yet.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	return schemaVersion(ctx, s.pool)
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	// Look for the table first so that asking does not create it.
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: read schema version: %w", err)
	}
	return v, nil
}

// Migrate applies pending migrations and returns how many it applied; run
// again it applies none. It holds a session advisory lock while it works, so
// instances starting together take turns: the first migrates, the others
// then find nothing to do. A database newer than this build is refused with
// a *store.SchemaTooNewError and left untouched.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	if migrationsErr != nil {
		return 0, fmt.Errorf("postgres: embedded migrations: %w", migrationsErr)
	}
	if len(migrations) == 0 {
		return 0, errors.New("postgres: no embedded migrations: the build is broken")
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("postgres: migrate %s: %w", s.url, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, lockSQL, migrateLockClass); err != nil {
		return 0, fmt.Errorf("postgres: migrate %s: wait for other instances' migrations: %w", s.url, err)
	}
	defer func() {
		// Unlock even when ctx is done; if that fails the session (and
		// its lock) must end, or the pooled connection would keep it.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), unlockSQL, migrateLockClass); uerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	if _, err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return 0, explainSchemaError(s.url, fmt.Errorf("postgres: create schema_migrations in %s: %w", s.url, err))
	}
	v, err := schemaVersion(ctx, conn)
	if err != nil {
		return 0, err
	}
	if err := storeutil.CheckSchema(s.url, v, len(migrations)); err != nil {
		return 0, err
	}
	for _, m := range migrations[v:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// No arguments: pgx sends it with the simple protocol, which
			// runs a file of several statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("postgres: migration %s on %s: %w", m.Name, s.url, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
				return fmt.Errorf("postgres: record migration %s: %w", m.Name, err)
			}
			return nil
		})
		if err != nil {
			return applied, err
		}
		applied++
		s.log.Info("applied database migration",
			slog.String("database", s.url), slog.Int("version", m.Version), slog.String("migration", m.Name))
	}
	return applied, nil
}

// explainSchemaError adds advice when the URL's search_path names no schema
// that exists, so there is nowhere to create tables.
func explainSchemaError(where string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3F000" { // invalid_schema_name
		return fmt.Errorf("%w (the URL's search_path names no existing schema: CREATE SCHEMA it first, or drop the parameter to use public; database %s)", err, where)
	}
	return err
}
