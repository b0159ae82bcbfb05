package main

import (
	"context"
	"flag"
)

// evalSubs holds "briefbot eval <kind>" handlers; each eval file adds its own
// from init (summaries, topics, stories).
var evalSubs = map[string]subcommand{}

func registerEval(name string, s subcommand) { evalSubs[name] = s }

func init() {
	register(&command{
		name:    "eval",
		summary: "score briefbot against labelled data beside a baseline (summaries, topics, stories)",
		usage:   "<summaries|topics|stories> [flags]",
		flags:   func(fs *flag.FlagSet) {},
		run: func(ctx context.Context, e *env, args []string) error {
			return dispatch(ctx, e, "eval", evalSubs, args)
		},
	})
}
