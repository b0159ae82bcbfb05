package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/briefbot/briefbot/store/sqlite"
)

func init() {
	var cfgPath string
	var status bool
	register(&command{
		name:    "migrate",
		summary: "apply pending database migrations (run applies them too)",
		usage:   "[--status]",
		flags: func(fs *flag.FlagSet) {
			configFlag(fs, &cfgPath)
			fs.BoolVar(&status, "status", false, "only print the database's schema version and the newest this build knows")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			s, err := openStore(ctx, cfg, log, false)
			if err != nil {
				return err
			}
			defer s.Close()
			before, err := s.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			_, where := databaseTarget(cfg)
			if status {
				fmt.Fprintf(e.stdout, "database %s: schema version %d; this briefbot knows up to %d\n", where, before, sqlite.LatestVersion())
				return nil
			}
			applied, err := s.Migrate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "database %s: applied %d migration(s); schema version %d\n", where, applied, before+applied)
			return nil
		},
	})
}
