package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/store"
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
	return cfg, newLogger(e.stderr, cfg.Log.Level, cfg.Log.Format), nil
}

// openedStore is a store with the extras the commands use.
type openedStore interface {
	store.Store
	SchemaVersion(ctx context.Context) (int, error)
	Migrate(ctx context.Context) (int, error)
}

// databaseTarget returns the kind of database and its location, from
// BRIEFBOT_DATABASE_URL when set, else database.path.
func databaseTarget(cfg *config.Config) (kind, where string) {
	u := cfg.DatabaseURL
	switch {
	case u == "":
		return "sqlite", cfg.Database.Path
	case strings.HasPrefix(u, "sqlite:"):
		return "sqlite", strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
	default:
		return "postgres", u
	}
}

// openStore opens the configured database. With migrate false, pending
// migrations are not applied (for `migrate --status`).
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (openedStore, error) {
	kind, where := databaseTarget(cfg)
	if kind != "sqlite" {
		return nil, errors.New("BRIEFBOT_DATABASE_URL: PostgreSQL is not supported by this build yet: unset it to use the embedded SQLite database")
	}
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
