package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// helpExtra is what a command's --help prints after its flags: the
// environment it reads and an example. It lives here, one table for all
// commands, so that every command's help is written alike and a test can
// check none lacks an example.
var helpExtra = map[string]struct{ env, example string }{
	"run": {
		env: "DISCORD_TOKEN          the bot token (Developer Portal → Bot → Reset Token); unset,\n" +
			"                       briefings are printed here instead of posted\n" +
			"BRIEFBOT_DATABASE_URL  postgres://… to share one database between instances\n" +
			"BRIEFBOT_<KEY>         any option of briefbot.example.yaml, e.g. BRIEFBOT_LOG_LEVEL=debug",
		example: "briefbot run                                  # console briefings, no Discord\n" +
			"DISCORD_TOKEN=… BRIEFBOT_DISCORD_APPLICATION_ID=123… briefbot run --config briefbot.yaml",
	},
	"invite": {
		env:     "BRIEFBOT_DISCORD_APPLICATION_ID  the application ID (or discord.application_id in the file)",
		example: "briefbot invite\nBRIEFBOT_DISCORD_APPLICATION_ID=1234567890123456789 briefbot invite",
	},
	"why": {
		example: "briefbot why https://www.bbc.com/news/articles/c0000000000o\nbriefbot why 4211          # an item ID, as /why and the logs show it",
	},
	"eval": {
		env:     "BRIEFBOT_TESTDATA  directory of labelled data (default ../shared/testdata)",
		example: "briefbot eval topics --check\nbriefbot eval summaries --backend llm --model llama3.1:8b",
	},
	"healthcheck": {example: "briefbot healthcheck && echo healthy"},
	"migrate": {
		env:     "BRIEFBOT_DATABASE_URL  the database to migrate (default: database.path, SQLite)",
		example: "briefbot migrate --status\nBRIEFBOT_DATABASE_URL=postgres://briefbot@db/briefbot briefbot migrate --from sqlite:./briefbot.db",
	},
	"extract":   {example: "briefbot extract https://www.bbc.com/news/articles/c0000000000o\nbriefbot extract --url https://example.org/story page.html   # a saved page"},
	"preview":   {example: "briefbot preview --feed https://feeds.bbci.co.uk/news/world/middle_east/rss.xml"},
	"sources":   {example: "briefbot sources --config briefbot.yaml"},
	"version":   {example: "briefbot version"},
	"classify":  {example: "briefbot classify --title 'Iran and the US resume talks in Oman' < article.txt"},
	"cluster":   {example: "briefbot cluster --jsonl < items.jsonl > stories.jsonl"},
	"summarize": {example: "briefbot summarize --title 'Talks resume' < article.txt"},
}

// subcommandTables are the commands that dispatch to subcommands, whose
// own flags --help lists too.
var subcommandTables = map[string]map[string]subcommand{"eval": evalSubs}

func printHelpExtra(w io.Writer, name string) {
	if subs, ok := subcommandTables[name]; ok {
		printSubcommands(w, subs)
	}
	x := helpExtra[name]
	if x.env != "" {
		fmt.Fprintf(w, "\nEnvironment:\n%s\n", indent(x.env))
	}
	if x.example != "" {
		fmt.Fprintf(w, "\nExample:\n%s\n", indent(x.example))
	}
}

// printSubcommands lists each subcommand with its flags, asking each for
// its help as a user would, so the list cannot drift from the parsers.
func printSubcommands(w io.Writer, subs map[string]subcommand) {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "\nSubcommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %s: %s\n", n, subs[n].summary)
		var buf bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &buf, getenv: func(string) string { return "" }}
		_ = subs[n].run(context.Background(), e, []string{"-h"})
		// Drop the flag package's "Usage of …:" line; keep the flags.
		_, flags, _ := strings.Cut(buf.String(), "\n")
		if flags = strings.TrimRight(flags, "\n"); flags != "" {
			fmt.Fprintln(w, indent(flags))
		}
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}
