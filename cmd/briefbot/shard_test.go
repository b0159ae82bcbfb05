package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/config"
)

// An instance configured as shard 1 of 2 identifies as that shard, says so
// when it connects, and answers commands from a guild its shard owns.
func TestRunIdentifiesAsConfiguredShard(t *testing.T) {
	fake := discordtest.New(t)
	feed := httptest.NewServer(&feedServer{}) // a local source, so nothing polls the internet
	defer feed.Close()
	doc := fmt.Sprintf(`
log: {level: info, format: text}
database: {path: %s}
admin: {listen: ""}
discord: {application_id: "%s", shard_id: 1, shard_count: 2}
polling: {allow_private_networks: true}
sources:
  - name: wire
    url: %s/feed.xml
`, filepath.Join(t.TempDir(), "bb.db"), discordtest.AppID, feed.URL)

	log, run := runWithDiscord(t, doc, fake)
	var once sync.Once
	code := -1
	stop := func() int { once.Do(func() { code = run() }); return code }
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return len(fake.GatewaySessions()) >= 1 }); err != nil {
		t.Fatalf("no gateway session: %v\nlog:\n%s", err, log)
	}
	sessions := fake.GatewaySessions()
	if len(sessions) != 1 {
		t.Fatalf("%d gateway sessions; want 1", len(sessions))
	}
	if got := sessions[0].Identify.Shard; got == nil || *got != [2]int{1, 2} {
		t.Fatalf("IDENTIFY shard = %v; want [1 2]", got)
	}
	waitFor(t, "the connect log line", func() bool {
		return strings.Contains(log.String(), "connected as ") && strings.Contains(log.String(), "shard_id=1 shard_count=2")
	})

	// Discord sends a guild's interactions to shard (guild_id >> 22) % 2,
	// which for the fake's default guild is 1: this instance.
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Commands()) >= 7 }); err != nil {
		t.Fatalf("commands not registered: %v\nlog:\n%s", err, log)
	}
	in, err := fake.DispatchInteraction(fake.CommandInteraction("latest"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitInteractionResponse(ctx, in.ID); err != nil {
		t.Fatalf("/latest not answered by shard 1: %v\nlog:\n%s", err, log)
	}
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
}

// apiRequest is what the stand-in proxy saw of one request.
type apiRequest struct {
	method, path, escapedPath, host, auth, userAgent, body string
}

// With discord.api_url set, discordgo's REST calls reach that server at
// the same path under the base URL's, with the bot token.
func TestAPIURLRewritesDiscordRESTCalls(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []apiRequest
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, apiRequest{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Host,
			r.Header.Get("Authorization"), r.Header.Get("User-Agent"), string(body)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet:
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "111111111111111111", "type": 0, "name": "news"})
		case r.Method == http.MethodPost:
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "222222222222222222", "channel_id": "111111111111111111", "content": "hi"})
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	srvURL, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// discordgo's own endpoint, minus https://discord.com.
	apiPath := strings.TrimPrefix(discordgo.EndpointAPI, "https://discord.com")

	for _, tt := range []struct {
		name, apiURL, prefix string
	}{
		{"host only", srv.URL, ""},
		{"host and path", srv.URL + "/discord/", "/discord"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			cfg := config.Defaults()
			cfg.DiscordToken = "sekrit.token"
			cfg.Discord.APIURL = tt.apiURL
			dg, err := newDiscordSession(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// The rewrite wraps a clone of http.DefaultTransport, so
			// HTTPS_PROXY and NO_PROXY still apply on the way to the proxy.
			if rw, ok := dg.Client.Transport.(*apiRewrite); !ok {
				t.Fatalf("session transport is %T; want the api_url rewrite", dg.Client.Transport)
			} else if next, ok := rw.next.(*http.Transport); !ok || next.Proxy == nil || next == http.DefaultTransport {
				t.Fatalf("the rewrite sends through %T; want a clone of http.DefaultTransport", rw.next)
			}
			ch, err := dg.Channel("111111111111111111")
			if err != nil {
				t.Fatalf("Channel: %v", err)
			}
			if ch.Name != "news" {
				t.Errorf("Channel decoded %+v from the proxy's answer", ch)
			}
			if _, err := dg.ChannelMessageSend("111111111111111111", "hi"); err != nil {
				t.Fatalf("ChannelMessageSend: %v", err)
			}
			// An emoji that discordgo escapes by hand (# → %23).
			if err := dg.MessageReactionAdd("111111111111111111", "222222222222222222", "#⃣"); err != nil {
				t.Fatalf("MessageReactionAdd: %v", err)
			}

			mu.Lock()
			got := append([]apiRequest(nil), seen...)
			mu.Unlock()
			want := []struct{ method, path string }{
				{http.MethodGet, tt.prefix + apiPath + "channels/111111111111111111"},
				{http.MethodPost, tt.prefix + apiPath + "channels/111111111111111111/messages"},
				{http.MethodPut, tt.prefix + apiPath + "channels/111111111111111111/messages/222222222222222222/reactions/#⃣/@me"},
			}
			if len(got) != len(want) {
				t.Fatalf("proxy saw %d requests; want %d: %+v", len(got), len(want), got)
			}
			for i, w := range want {
				g := got[i]
				if g.method != w.method || g.path != w.path {
					t.Errorf("request %d: %s %s; want %s %s", i, g.method, g.path, w.method, w.path)
				}
				if g.auth != "Bot sekrit.token" {
					t.Errorf("request %d: Authorization %q; want the bot token", i, g.auth)
				}
				if g.host != srvURL.Host {
					t.Errorf("request %d: Host %q; want the proxy's %q", i, g.host, srvURL.Host)
				}
				if !strings.HasPrefix(g.userAgent, "DiscordBot (") {
					t.Errorf("request %d: User-Agent %q; want briefbot's", i, g.userAgent)
				}
			}
			if !strings.Contains(got[1].body, `"content":"hi"`) {
				t.Errorf("message body %q lost on the way", got[1].body)
			}
			if !strings.Contains(got[2].escapedPath, "/reactions/%23") {
				t.Errorf("reaction path sent as %q; want the # escaped", got[2].escapedPath)
			}
		})
	}
}

// roundTripRecorder answers every request with 204 and remembers it.
type roundTripRecorder struct{ got *http.Request }

func (rt *roundTripRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.got = r
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

func TestAPIURLRewriteOnlyTouchesDiscord(t *testing.T) {
	tests := []struct {
		name, apiURL, in, want string
	}{
		{"discord.com", "http://proxy:8080", "https://discord.com/api/v10/channels/1/messages", "http://proxy:8080/api/v10/channels/1/messages"},
		{"discordapp.com", "http://proxy:8080", "https://discordapp.com/api/v10/gateway", "http://proxy:8080/api/v10/gateway"},
		{"query kept", "https://proxy.internal", "https://discord.com/api/v10/channels/1/messages?limit=5", "https://proxy.internal/api/v10/channels/1/messages?limit=5"},
		{"base path prefixed", "http://proxy:8080/discord/", "https://discord.com/api/v10/channels/1", "http://proxy:8080/discord/api/v10/channels/1"},
		{"escaped path kept", "http://proxy:8080/d", "https://discord.com/api/v10/channels/1/messages/2/reactions/%23%E2%83%A3/@me", "http://proxy:8080/d/api/v10/channels/1/messages/2/reactions/%23%E2%83%A3/@me"},
		{"CDN untouched", "http://proxy:8080", "https://cdn.discordapp.com/avatars/1/a.png", "https://cdn.discordapp.com/avatars/1/a.png"},
		{"gateway untouched", "http://proxy:8080", "https://gateway.discord.gg/?v=10", "https://gateway.discord.gg/?v=10"},
		{"lookalike untouched", "http://proxy:8080", "https://notdiscord.com/api/v10/gateway", "https://notdiscord.com/api/v10/gateway"},
		{"feed untouched", "http://proxy:8080", "https://feeds.example.org/rss.xml", "https://feeds.example.org/rss.xml"},
		{"no api_url", "", "https://discord.com/api/v10/gateway", "https://discord.com/api/v10/gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &roundTripRecorder{}
			rt, err := discordAPITransport(tt.apiURL, rec)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodGet, tt.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bot tok")
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if got := rec.got.URL.String(); got != tt.want {
				t.Errorf("sent to %s; want %s", got, tt.want)
			}
			if rec.got.Header.Get("Authorization") != "Bot tok" {
				t.Error("Authorization header lost")
			}
			wantHost := req.URL.Host // untouched requests keep their Host
			if tt.want != tt.in {
				wantHost = "" // rewritten ones take the proxy's from the URL
			}
			if rec.got.Host != wantHost {
				t.Errorf("Host = %q; want %q", rec.got.Host, wantHost)
			}
			if req.URL.String() != tt.in {
				t.Errorf("the caller's request was changed to %s", req.URL)
			}
		})
	}
}
