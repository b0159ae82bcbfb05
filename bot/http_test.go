package bot_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
)

// signer signs requests the way Discord does: Ed25519 over the timestamp
// followed by the body.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t testing.TB) signer {
	t.Helper()
	// A fixed seed keeps failures reproducible; the key is for tests only.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	return signer{pub: priv.Public().(ed25519.PublicKey), priv: priv}
}

func (s signer) sign(req *http.Request, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(s.priv, append([]byte(ts), body...))))
}

// httpEnv is a bot serving the HTTP interactions endpoint, with no gateway
// connection of its own.
type httpEnv struct {
	*env
	signer signer
	url    string
	client *http.Client
}

func newHTTPEnv(t *testing.T, opts ...envOption) *httpEnv {
	t.Helper()
	opts = append([]envOption{func(o *bot.Options) { o.ApplicationID = discordtest.AppID }}, opts...)
	e := newEnv(t, opts...)
	s := newSigner(t)
	ts := httptest.NewServer(asDiscord(t, e.srv, e.bot.InteractionsHandler(s.pub)))
	t.Cleanup(ts.Close)
	// The fake only knows interactions dispatched over a gateway, so a
	// bystander session receives them; it has no handlers.
	by := e.srv.Session(t, "")
	if err := by.Open(); err != nil {
		t.Fatal(err)
	}
	return &httpEnv{env: e, signer: s, url: ts.URL, client: ts.Client()}
}

// post sends body signed at the given time and returns the status and body.
func (h *httpEnv) post(body []byte, at time.Time, mutate ...func(*http.Request)) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(ctxT(h.t), http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	h.signer.sign(req, body, at)
	for _, m := range mutate {
		m(req)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// interact registers raw with the fake (as Discord would on a click) and
// posts it, signed now, returning the HTTP response and, once the bot is
// done, what the fake recorded for it.
func (h *httpEnv) interact(raw []byte) (int, *discordgo.InteractionResponse, discordtest.InteractionRecord) {
	h.t.Helper()
	n := h.events.len()
	in, err := h.srv.DispatchInteractionJSON(raw)
	if err != nil {
		h.t.Fatal(err)
	}
	status, body := h.post(raw, h.clock.now())
	var resp discordgo.InteractionResponse
	if status == http.StatusOK {
		if err := json.Unmarshal(body, &resp); err != nil {
			h.t.Fatalf("response %s: %v", body, err)
		}
	}
	h.events.waitLen(h.t, n+1)
	rec, _ := h.srv.Interaction(in.ID)
	return status, &resp, rec
}

// asDiscord plays Discord's side of HTTP interactions in front of h: a
// response the bot writes is also recorded at the fake as the interaction's
// callback, at the moment it is written, so the bot's later edits and
// followups find the interaction acknowledged as they would on Discord.
func asDiscord(t testing.TB, srv *discordtest.Server, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			ID    string `json:"id"`
			Token string `json:"token"`
			Type  int    `json:"type"`
		}
		_ = json.Unmarshal(body, &in)
		_, known := srv.Interaction(in.ID)
		h.ServeHTTP(&discordSide{ResponseWriter: w, t: t, srv: srv, id: in.ID, token: in.Token, forward: known}, r)
	})
}

type discordSide struct {
	http.ResponseWriter
	t         testing.TB
	srv       *discordtest.Server
	id, token string
	forward   bool
	status    int
}

func (d *discordSide) WriteHeader(code int) {
	d.status = code
	d.ResponseWriter.WriteHeader(code)
}

func (d *discordSide) Write(p []byte) (int, error) {
	if d.forward && (d.status == 0 || d.status == http.StatusOK) {
		d.forward = false
		u := "https://discord.com/api/v10/interactions/" + d.id + "/" + d.token + "/callback"
		resp, err := d.srv.Client().Post(u, "application/json", bytes.NewReader(p))
		if err != nil {
			d.t.Errorf("forwarding the response to the fake: %v", err)
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				d.t.Errorf("the fake refused the bot's response %s: %d %s", p, resp.StatusCode, b)
			}
		}
	}
	return d.ResponseWriter.Write(p)
}

func (d *discordSide) Flush() {
	if f, ok := d.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func TestHTTPPing(t *testing.T) {
	t.Parallel()
	h := newHTTPEnv(t)
	status, body := h.post(fixture(t, "ping.json"), h.clock.now())
	if status != http.StatusOK || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Fatalf("PING answered %d %s, want 200 {\"type\":1}", status, body)
	}
}

func TestHTTPRefusesBadRequests(t *testing.T) {
	t.Parallel()
	h := newHTTPEnv(t)
	ping := fixture(t, "ping.json")
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	tests := []struct {
		name   string
		body   []byte
		at     time.Time
		mutate func(*http.Request)
		want   int
	}{
		{"signed now", ping, t0, nil, http.StatusOK},
		{"four minutes old", ping, t0.Add(-4 * time.Minute), nil, http.StatusOK},
		{"six minutes old", ping, t0.Add(-6 * time.Minute), nil, http.StatusUnauthorized},
		{"an hour old", ping, t0.Add(-time.Hour), nil, http.StatusUnauthorized},
		{"six minutes ahead", ping, t0.Add(6 * time.Minute), nil, http.StatusUnauthorized},
		{"another key", ping, t0, func(r *http.Request) {
			ts := r.Header.Get("X-Signature-Timestamp")
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(other, append([]byte(ts), ping...))))
		}, http.StatusUnauthorized},
		{"timestamp changed after signing", ping, t0, func(r *http.Request) {
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(t0.Unix()+1, 10))
		}, http.StatusUnauthorized},
		{"no signature", ping, t0, func(r *http.Request) { r.Header.Del("X-Signature-Ed25519") }, http.StatusUnauthorized},
		{"no timestamp", ping, t0, func(r *http.Request) { r.Header.Del("X-Signature-Timestamp") }, http.StatusUnauthorized},
		{"signature not hex", ping, t0, func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "zz") }, http.StatusUnauthorized},
		{"body changed after signing", ping, t0, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"type":1,"id":"2"}`))
			r.ContentLength = -1
		}, http.StatusUnauthorized},
		{"signed garbage", []byte("not json"), t0, nil, http.StatusBadRequest},
		{"signed unsupported type", []byte(`{"type":3,"id":"5","token":"t"}`), t0, nil, http.StatusBadRequest},
		{"too large", bytes.Repeat([]byte(" "), 300<<10), t0, nil, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m []func(*http.Request)
			if tc.mutate != nil {
				m = append(m, tc.mutate)
			}
			if status, body := h.post(tc.body, tc.at, m...); status != tc.want {
				t.Errorf("status %d (%s), want %d", status, body, tc.want)
			}
		})
	}
	resp, err := h.client.Get(h.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if n := len(h.srv.InteractionResponses()); n != 0 {
		t.Errorf("refused requests produced %d interaction responses", n)
	}
}

func TestHTTPDuplicateAnsweredOnce(t *testing.T) {
	t.Parallel()
	h := newHTTPEnv(t)
	raw := fixture(t, "topic_search.json")
	status, resp, _ := h.interact(raw)
	if status != http.StatusOK || resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("first delivery: %d type %d, want 200 and a message", status, resp.Type)
	}
	if status, body := h.post(raw, h.clock.now()); status != http.StatusConflict {
		t.Errorf("second delivery: %d %s, want 409", status, body)
	}
	if n := len(h.srv.InteractionResponses()); n != 1 {
		t.Errorf("%d responses recorded, want 1", n)
	}
}

func TestHTTPDeferredAnswerIsEdited(t *testing.T) {
	t.Parallel()
	g := &gatedStore{gate: make(chan struct{})}
	h := newHTTPEnv(t, g.wrap, func(o *bot.Options) { o.DeferAfter = time.Millisecond })
	h.addStory(storyOpts{key: "muscat", title: "Oman hosts nuclear talks", topics: []string{topicDiplomacy}, seen: t0})

	raw := fixture(t, "topic_search.json")
	in, err := h.srv.DispatchInteractionJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	status, body := h.post(raw, h.clock.now())
	var deferral discordgo.InteractionResponse
	if status != http.StatusOK || json.Unmarshal(body, &deferral) != nil ||
		deferral.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || deferral.Data == nil || deferral.Data.Flags != 0 {
		t.Fatalf("slow command answered %d %s, want 200 and a public deferral (type 5)", status, body)
	}
	close(g.gate)
	h.events.waitLen(t, 1)
	rec, _ := h.srv.Interaction(in.ID)
	if rec.Original == nil || !slices.Equal(titles(rec.Original.Embeds), []string{"Oman hosts nuclear talks"}) {
		t.Fatalf("original %+v, want the search result edited in over REST", rec.Original)
	}
	wantNoMentions(t, rec.Original.AllowedMentions)
	if ev := h.events.last(t); !ev.Deferred || ev.Outcome != "ok" {
		t.Errorf("event %+v, want a deferred ok", ev)
	}
}

// TestInteractionFixtures feeds recorded interactions through both
// transports, the gateway and the HTTP endpoint, and expects the same answer.
func TestInteractionFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		respType  discordgo.InteractionResponseType
		ephemeral bool
		want      []string
		check     func(t *testing.T, e *env, rec discordtest.InteractionRecord)
	}{
		{file: "latest.json", respType: discordgo.InteractionResponseChannelMessageWithSource,
			want: []string{"The 2 newest stories on **gaza**", "Aid convoy enters Gaza", "Ceasefire talks in Cairo"}},
		{file: "topic_search.json", respType: discordgo.InteractionResponseChannelMessageWithSource,
			want: []string{"matching “nuclear talks”", "Oman hosts nuclear talks"}},
		{file: "subscribe_digest.json", respType: discordgo.InteractionResponseChannelMessageWithSource, ephemeral: true,
			want: []string{"Subscribed", "a digest at 07:30 and 19:00 (Asia/Tehran)"},
			check: func(t *testing.T, e *env, rec discordtest.InteractionRecord) {
				subs := e.subscriptions(store.SubscriptionFilter{ChannelID: discordtest.DefaultChannelID})
				if len(subs) != 1 || subs[0].Mode != store.ModeDigest || subs[0].Timezone != "Asia/Tehran" || subs[0].CreatedBy != "900000000000000301" {
					t.Errorf("stored %+v, want the admin's Tehran digest", subs)
				}
				if len(rec.Followups) != 1 || !slices.Equal(titles(rec.Followups[0].Embeds), []string{"Oman hosts nuclear talks"}) {
					t.Errorf("followups %+v, want the catch-up", rec.Followups)
				}
			}},
		{file: "subscribe_no_permission.json", respType: discordgo.InteractionResponseChannelMessageWithSource, ephemeral: true,
			want: []string{"Manage Channels"},
			check: func(t *testing.T, e *env, _ discordtest.InteractionRecord) {
				if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 0 {
					t.Errorf("stored %+v without permission", subs)
				}
			}},
		{file: "why_posted.json", respType: discordgo.InteractionResponseChannelMessageWithSource, ephemeral: true,
			want: []string{"Posted", "Oman hosts nuclear talks", "score 0.87"}},
		{file: "autocomplete_topic.json", respType: discordgo.InteractionApplicationCommandAutocompleteResult,
			check: func(t *testing.T, _ *env, rec discordtest.InteractionRecord) {
				var got []string
				for _, c := range rec.Callbacks[0].Choices {
					got = append(got, c.Value.(string))
				}
				if !slices.Equal(got, []string{"ga", topicGaza}) {
					t.Errorf("choices %q, want a search for the typed words, then gaza", got)
				}
			}},
	}
	world := func(e *env) {
		e.addStory(storyOpts{key: "muscat", title: "Oman hosts nuclear talks", topics: []string{topicDiplomacy}, seen: t0.Add(-3 * time.Hour)})
		e.addStory(storyOpts{key: "cairo", title: "Ceasefire talks in Cairo", topics: []string{topicGaza}, seen: t0.Add(-2 * time.Hour)})
		e.addStory(storyOpts{key: "convoy", title: "Aid convoy enters Gaza", topics: []string{topicGaza}, seen: t0.Add(-time.Hour)})
	}
	for _, tc := range tests {
		for _, mode := range []string{"gateway", "http"} {
			t.Run(tc.file+"/"+mode, func(t *testing.T) {
				t.Parallel()
				raw := fixture(t, tc.file)
				var e *env
				var rec discordtest.InteractionRecord
				if mode == "gateway" {
					e = newEnv(t).open()
					world(e)
					in, err := e.srv.DispatchInteractionJSON(raw)
					if err != nil {
						t.Fatal(err)
					}
					e.events.waitLen(t, 1)
					rec, _ = e.srv.Interaction(in.ID)
				} else {
					h := newHTTPEnv(t)
					e = h.env
					world(e)
					var status int
					var resp *discordgo.InteractionResponse
					status, resp, rec = h.interact(raw)
					if status != http.StatusOK || resp.Type != tc.respType {
						t.Fatalf("HTTP %d, type %d; want 200 and type %d", status, resp.Type, tc.respType)
					}
				}
				cb := answer(t, rec)
				if cb.Type != tc.respType {
					t.Fatalf("response type %d, want %d", cb.Type, tc.respType)
				}
				if tc.respType == discordgo.InteractionResponseChannelMessageWithSource {
					wantReply(t, rec, tc.ephemeral, tc.want...)
				}
				if tc.check != nil {
					tc.check(t, e, rec)
				}
			})
		}
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "interactions", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
