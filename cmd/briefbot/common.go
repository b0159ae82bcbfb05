package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/postgres"
	"github.com/briefbot/briefbot/store/sqlite"
)

// configFlag adds --config to a command that reads the configuration.
func configFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "config", "", "configuration file (default: ./"+config.DefaultPath+" if it exists)")
}

// loadConfig loads the configuration and builds the logger it asks for.
func loadConfig(e *env, path string) (*config.Config, *slog.Logger, error) {
	cfg, err := config.Load(path, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	log := newLogger(e.stderr, cfg.Log.Level, cfg.Log.Format)
	if e.environ != nil {
		// Variables read outside config: test data, test harnesses and
		// docker-compose.yml's image version.
		for _, w := range config.UnknownEnv(e.environ(), evaldata.Env, "BRIEFBOT_BENCH_STORIES", "BRIEFBOT_TEST_AS_MAIN", "BRIEFBOT_TEST_POSTGRES_URL", "BRIEFBOT_VERSION") {
			log.Warn(w)
		}
	}
	return cfg, log, nil
}

// openedStore is a store with the extras the commands use.
type openedStore interface {
	store.Store
	SchemaVersion(ctx context.Context) (int, error)
	Migrate(ctx context.Context) (int, error)
}

// Kinds of database.
const (
	kindSQLite   = "sqlite"
	kindPostgres = "postgres"
)

// databaseTarget returns the kind of database and its location, from
// BRIEFBOT_DATABASE_URL when set, else database.path. A PostgreSQL location
// is the URL itself, password included: show databaseName instead.
func databaseTarget(cfg *config.Config) (kind, where string) {
	if cfg.DatabaseURL == "" {
		return kindSQLite, cfg.Database.Path
	}
	return parseDatabase(cfg.DatabaseURL)
}

// parseDatabase reads "sqlite:PATH" (or sqlite://PATH) and postgres:// or
// postgresql:// URLs; any other text is returned with kind "".
func parseDatabase(s string) (kind, where string) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		return kindSQLite, strings.TrimPrefix(strings.TrimPrefix(s, "sqlite:"), "//")
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return kindPostgres, s
	}
	return "", s
}

// databaseName names a database for people: the file path, or the URL
// without its password.
func databaseName(kind, where string) string {
	if kind == kindPostgres {
		return postgres.Redact(where)
	}
	return where
}

// latestVersion is the newest schema this build knows for kind.
func latestVersion(kind string) int {
	if kind == kindPostgres {
		return postgres.LatestVersion()
	}
	return sqlite.LatestVersion()
}

// openStore opens the configured database. With migrate false, pending
// migrations are not applied (for `migrate --status`).
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (openedStore, error) {
	kind, where := databaseTarget(cfg)
	return openDatabase(ctx, kind, where, log, migrate)
}

// openDatabase opens a database by kind and location (see databaseTarget).
func openDatabase(ctx context.Context, kind, where string, log *slog.Logger, migrate bool) (openedStore, error) {
	switch kind {
	case kindPostgres:
		var opts []postgres.Option
		if !migrate {
			opts = append(opts, postgres.WithoutMigrate())
		}
		// Its errors name the server without the password and say what
		// to fix (unreachable, login refused, no such database), and a
		// too-new schema is a *store.SchemaTooNewError.
		s, err := postgres.Open(ctx, where, log, opts...)
		if err != nil {
			return nil, err
		}
		return s, nil
	case kindSQLite:
		var opts []sqlite.Option
		if !migrate {
			opts = append(opts, sqlite.WithoutMigrate())
		}
		s, err := sqlite.Open(ctx, where, log, opts...)
		if errors.Is(err, store.ErrSchemaTooNew) {
			return nil, err // already names the file and the fix
		}
		if err != nil {
			return nil, fmt.Errorf("opening database %s: %w", where, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf(`database %q: unsupported: use "sqlite:PATH" or a postgres:// URL`, databaseName(kind, where))
}
