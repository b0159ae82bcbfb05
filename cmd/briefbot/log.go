package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/briefbot/briefbot/bot"
)

// newLogger builds the process logger: text for a person at a terminal,
// JSON for log collectors, as config's log.format says ("auto" decides by
// whether w is a terminal).
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	// Discord tokens in URLs (interaction callbacks, webhooks) are redacted
	// from every record, whichever package logged the error.
	if format == "text" {
		return slog.New(bot.RedactingHandler(slog.NewTextHandler(w, opts)))
	}
	return slog.New(bot.RedactingHandler(slog.NewJSONHandler(w, opts)))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
