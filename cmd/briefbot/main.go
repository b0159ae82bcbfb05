// Command briefbot watches news sources, picks out Iran and Middle East
// diplomacy stories, summarises them and posts briefings to Discord.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/bwmarrin/discordgo"
)

// command is one subcommand of the binary. Each lives in its own file and
// registers itself from init, so adding one touches no shared table.
type command struct {
	name    string
	summary string
	// usage is the argument synopsis shown after "briefbot NAME".
	usage string
	// flags declares the command's flags on fs; run receives the remaining args.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, e *env, args []string) error
}

// env is what a command may touch of the outside world; tests swap it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// environ lists the environment ("KEY=value"), to warn about
	// misspelt BRIEFBOT_* variables; nil in tests that set none.
	environ func() []string
	// configureDiscord, when set, adjusts the Discord session before use;
	// tests point it at a fake Discord.
	configureDiscord func(*discordgo.Session)
	// hangup delivers SIGHUP, on which run reloads its config; nil: run
	// listens for the real signal.
	hangup <-chan os.Signal
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("briefbot: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks an error caused by how the command was called; main exits 2.
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling so a second
		// Ctrl-C ends a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ}
	code := execute(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// execute runs one command line and returns the process exit code.
func execute(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				printCommandHelp(e.stdout, c)
				return 0
			}
		}
		printHelp(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "briefbot: unknown command %q\n\n", args[0])
		printHelp(e.stderr)
		return 2
	}
	fs := flag.NewFlagSet("briefbot "+c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	// Help is printed once, on stdout, below; a bad flag gets its error
	// (printed by the flag package) and a pointer to the help.
	fs.Usage = func() {}
	if c.flags != nil {
		c.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			printCommandHelpFlags(e.stdout, c, fs)
			return 0
		}
		fmt.Fprintf(e.stderr, "Run \"briefbot %s --help\" for its flags and an example.\n", c.name)
		return 2
	}
	if err := c.run(ctx, e, fs.Args()); err != nil {
		fmt.Fprintf(e.stderr, "briefbot %s: %v\n", c.name, err)
		if errors.Is(err, errUsage) {
			return 2
		}
		if errors.Is(err, errTokenRejected) {
			return exitTokenRejected
		}
		return 1
	}
	return 0
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "briefbot: Iran and Middle East diplomacy briefings for Discord.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: briefbot <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "briefbot <command> --help" for a command's flags.`)
}

func printCommandHelp(w io.Writer, c *command) {
	fs := flag.NewFlagSet("briefbot "+c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
	}
	fs.SetOutput(w)
	printCommandHelpFlags(w, c, fs)
}

func printCommandHelpFlags(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: briefbot %s %s\n\n%s\n", c.name, c.usage, c.summary)
	var has bool
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	printHelpExtra(w, c.name)
}

// usageErrorf reports a bad invocation; the message should say what is valid.
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// subcommands dispatches "briefbot NAME SUB ..." to a table of sub-handlers,
// used by commands such as eval that group several related actions.
type subcommand struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func dispatch(ctx context.Context, e *env, parent string, subs map[string]subcommand, args []string) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 {
		return usageErrorf("%s needs one of: %s", parent, strings.Join(names, ", "))
	}
	s, ok := subs[args[0]]
	if !ok {
		return usageErrorf("%s: unknown %q; valid: %s", parent, args[0], strings.Join(names, ", "))
	}
	if wantsHelp(args[1:]) {
		// The subcommand's flag set prints its help to stderr: help
		// belongs on stdout, once.
		he := *e
		he.stderr = e.stdout
		return s.run(ctx, &he, args[1:])
	}
	return s.run(ctx, e, args[1:])
}
