package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
)

func init() {
	var cfgPath string
	register(&command{
		name:    "sources",
		summary: "list configured sources with their health",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			st, err := openStore(ctx, cfg, log, true)
			if err != nil {
				return err
			}
			defer st.Close()
			feeds := feedsFromConfig(cfg)
			states := make([]store.SourceState, len(feeds))
			for i, f := range feeds {
				s, err := st.Source(ctx, f.Name)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				states[i] = s
			}
			return writeSources(e.stdout, feeds, states, time.Now())
		},
	})
}

// writeSources prints one line per source, health in plain words.
func writeSources(w io.Writer, feeds []source.Feed, states []store.SourceState, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tOUTLET\tHEALTH\tLAST SUCCESS\tLAST ERROR\tITEMS\tINTERVAL\tURL")
	for i, f := range feeds {
		s := states[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", f.Name, f.Outlet, health(s), ago(now, s.LastSuccess), lastError(now, s), s.ItemsSeen, pollInterval(s), f.URL)
	}
	return tw.Flush()
}

// pollInterval is the interval the poller last set and why, as
// "1m30s (adaptive, 96 items/day)"; "-" before the first poll.
func pollInterval(s store.SourceState) string {
	if s.PollInterval <= 0 {
		return "-"
	}
	return source.FormatInterval(s.PollInterval) + " (" + s.PollReason + ")"
}

func health(s store.SourceState) string {
	switch {
	case s.LastPoll.IsZero() && s.LastErrorAt.IsZero() && s.LastSuccess.IsZero():
		return "not polled yet"
	case s.Failures == 0 && s.Warning != "":
		return "warning: " + s.Warning
	case s.Failures == 0:
		return "ok"
	case s.Failures == 1:
		return "failing (1 time)"
	default:
		return fmt.Sprintf("failing (%d times in a row)", s.Failures)
	}
}

func lastError(now time.Time, s store.SourceState) string {
	if s.LastError == "" {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", s.LastError, ago(now, s.LastErrorAt))
}

// ago renders a past time for people: "never", "3m ago", "2h ago", "4d ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}
