package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Discord puts secrets in URL paths: an interaction's token in
// /interactions/{id}/{token}/callback and /webhooks/{app}/{token}/…, a
// webhook's token in /webhooks/{id}/{token}. discordgo returns those URLs in
// transport errors (*url.Error) and rate-limit errors, so anything logged
// passes through RedactTokens.
var tokenPath = regexp.MustCompile(`(/(?:webhooks|interactions)/[^/\s"'?#]+/)[^/\s"'?#\\]+`)

// RedactTokens replaces the token in every Discord webhook or interaction
// URL path in s with "[redacted]".
func RedactTokens(s string) string {
	if !strings.Contains(s, "/webhooks/") && !strings.Contains(s, "/interactions/") {
		return s
	}
	return tokenPath.ReplaceAllString(s, "${1}[redacted]")
}

// RedactingHandler wraps next so that no record it writes carries a
// Discord token: the message, string attributes and errors are redacted.
func RedactingHandler(next slog.Handler) slog.Handler {
	if _, ok := next.(redactingHandler); ok {
		return next
	}
	return redactingHandler{next}
}

type redactingHandler struct{ next slog.Handler }

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactTokens(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return redactingHandler{h.next.WithAttrs(red)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); RedactTokens(s) != s {
			return slog.String(a.Key, RedactTokens(s))
		}
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		default:
			return slog.Attr{Key: a.Key, Value: v}
		}
		if r := RedactTokens(s); r != s {
			return slog.String(a.Key, r)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
