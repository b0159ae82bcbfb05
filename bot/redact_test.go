package bot_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/bwmarrin/discordgo"
)

func TestRedactTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Post "https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb246MTIz.abc_-/callback": EOF`,
			`Post "https://discord.com/api/v9/interactions/123/[redacted]/callback": EOF`},
		{`Patch "https://discord.com/api/v9/webhooks/42/tok.en-1/messages/@original": timeout`,
			`Patch "https://discord.com/api/v9/webhooks/42/[redacted]/messages/@original": timeout`},
		{"https://discord.com/api/webhooks/42/secret?wait=true", "https://discord.com/api/webhooks/42/[redacted]?wait=true"},
		{"no url here", "no url here"},
		{"/channels/1/messages", "/channels/1/messages"},
	}
	for _, tt := range tests {
		if got := bot.RedactTokens(tt.in); got != tt.want {
			t.Errorf("RedactTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(bot.RedactingHandler(slog.NewTextHandler(&buf, nil)))
	err := fmt.Errorf("answering: %w", &url.Error{Op: "Post", URL: "https://discord.com/api/v9/interactions/1/SECRET1/callback", Err: errors.New("EOF")})
	log.With(slog.String("url", "https://x/webhooks/2/SECRET2")).
		WithGroup("g").Error("failed /webhooks/3/SECRET3", slog.Any("err", err),
		slog.Group("inner", slog.String("u", "/interactions/4/SECRET4/callback")))
	out := buf.String()
	for _, secret := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %s: %s", secret, out)
		}
	}
	if strings.Count(out, "[redacted]") != 4 {
		t.Errorf("want 4 redactions: %s", out)
	}
}

// failCallbacks fails every interaction callback with a transport error,
// which net/http reports with the full URL, token included.
type failCallbacks struct{ next http.RoundTripper }

func (f failCallbacks) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/callback") {
		return nil, errors.New("connection reset by peer")
	}
	return f.next.RoundTrip(r)
}

// A transport error while answering must not write the interaction token
// to the log.
func TestInteractionTransportErrorLogsNoToken(t *testing.T) {
	e := newEnv(t, func(o *bot.Options) {
		o.Session.Client.Transport = failCallbacks{o.Session.Client.Transport}
	}).open()
	in, err := e.srv.DispatchInteraction(e.command("subscribe", discordgo.PermissionManageChannels, opt("topic", topicDiplomacy)))
	if err != nil {
		t.Fatal(err)
	}
	e.events.waitLen(t, 1)
	recs := e.logs.records("answering failed")
	if len(recs) == 0 {
		t.Fatalf("no \"answering failed\" record; logs: %s", e.logs.buf.String())
	}
	if in.Token == "" {
		t.Fatal("the fake interaction has no token")
	}
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	if strings.Contains(e.logs.buf.String(), in.Token) {
		t.Errorf("the interaction token is in the log: %s", e.logs.buf.String())
	}
	if !strings.Contains(fmt.Sprint(recs[0]["err"]), "/interactions/"+in.ID+"/[redacted]/callback") {
		t.Errorf("err = %v, want the redacted callback URL", recs[0]["err"])
	}
}
