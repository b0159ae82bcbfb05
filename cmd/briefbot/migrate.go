package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/briefbot/briefbot/store/postgres"
	"github.com/briefbot/briefbot/store/sqlite"
)

func init() {
	var (
		cfgPath  string
		status   bool
		from, to string
	)
	register(&command{
		name:    "migrate",
		summary: "apply pending database migrations (run applies them too), or copy an embedded database to PostgreSQL",
		usage: "[--status] | --from sqlite:PATH [--to postgres://…]\n\n" +
			"With --from, every row of the SQLite file (sources, items, stories, subscriptions,\n" +
			"deliveries with their message IDs) is copied into PostgreSQL, keeping IDs. Running it\n" +
			"again copies nothing twice. Stop briefbot first: the copy reads one snapshot.\n" +
			"--to defaults to BRIEFBOT_DATABASE_URL, which keeps the password off the command line.",
		flags: func(fs *flag.FlagSet) {
			configFlag(fs, &cfgPath)
			fs.BoolVar(&status, "status", false, "only print the database's schema version and the newest this build knows")
			fs.StringVar(&from, "from", "", "copy from this embedded database: sqlite:PATH")
			fs.StringVar(&to, "to", "", "copy into this PostgreSQL database (default: BRIEFBOT_DATABASE_URL)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			if status && (from != "" || to != "") {
				return usageErrorf("--status cannot be combined with --from or --to")
			}
			if to != "" && from == "" {
				return usageErrorf("--to needs --from sqlite:PATH: the database to copy")
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			if from != "" {
				return copyDatabase(ctx, e, cfg.DatabaseURL, from, to, log)
			}

			kind, where := databaseTarget(cfg)
			s, err := openStore(ctx, cfg, log, false)
			if err != nil {
				return err
			}
			defer s.Close()
			before, err := s.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			name := databaseName(kind, where)
			if status {
				fmt.Fprintf(e.stdout, "database %s: schema version %d; this briefbot knows up to %d\n", name, before, latestVersion(kind))
				return nil
			}
			applied, err := s.Migrate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "database %s: applied %d migration(s); schema version %d\n", name, applied, before+applied)
			return nil
		},
	})
}

// copyDatabase copies the SQLite database named by from into the
// PostgreSQL one named by to, or by configuredURL when to is empty. Both are
// migrated to this build's schema first, as run would.
func copyDatabase(ctx context.Context, e *env, configuredURL, from, to string, log *slog.Logger) error {
	kind, path := parseDatabase(from)
	if kind != kindSQLite || path == "" {
		return usageErrorf("--from %q: give the embedded database as sqlite:PATH, e.g. sqlite:./briefbot.db", from)
	}
	if to == "" {
		to = configuredURL
	}
	if kind, _ := parseDatabase(to); kind != kindPostgres {
		if to == "" {
			return usageErrorf("nowhere to copy to: give --to postgres://… or set BRIEFBOT_DATABASE_URL to a postgres:// URL")
		}
		return usageErrorf("copy target %q is not a postgres:// URL", databaseName(kind, to))
	}
	// sqlite.Open would create a missing file, and the copy would be empty.
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("--from %s: %w", from, err)
	}
	src, err := sqlite.Open(ctx, path, log)
	if err != nil {
		return fmt.Errorf("opening the database to copy, %s: %w", path, err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, log)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := postgres.CopyFromSQLite(ctx, src.ReadOnlyDB(), dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copied %s into %s:\n", path, dst.URL())
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "table\trows\tcopied\talready there\t")
	for _, c := range counts {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t\n", c.Table, c.Read, c.Copied, c.Read-c.Copied)
	}
	return w.Flush()
}
