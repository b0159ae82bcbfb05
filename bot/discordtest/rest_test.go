package discordtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
)

var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// sendWithNonce posts a message the way the poster will: through discordgo's
// raw request, since MessageSend has no nonce fields.
func sendWithNonce(s *discordgo.Session, channelID, content, nonce string, enforce bool, opts ...discordgo.RequestOption) (*discordgo.Message, error) {
	body := struct {
		*discordgo.MessageSend
		Nonce        string `json:"nonce,omitempty"`
		EnforceNonce bool   `json:"enforce_nonce,omitempty"`
	}{&discordgo.MessageSend{Content: content, AllowedMentions: noMentions}, nonce, enforce}
	ep := discordgo.EndpointChannelMessages(channelID)
	b, err := s.RequestWithBucketID(http.MethodPost, ep, body, ep, opts...)
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func restError(t *testing.T, err error) *discordgo.RESTError {
	t.Helper()
	var rerr *discordgo.RESTError
	if !errors.As(err, &rerr) {
		t.Fatalf("error = %v (%T), want a *discordgo.RESTError", err, err)
	}
	return rerr
}

func TestChannelMessageSendComplex(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	embed := &discordgo.MessageEmbed{Title: "Talks resume", URL: "https://example.org/a", Description: "Summary."}
	m, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{embed},
		AllowedMentions: noMentions,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == "" || m.ChannelID != discordtest.DefaultChannelID || m.Author == nil || m.Author.ID != discordtest.BotUserID {
		t.Fatalf("returned message = %+v, want an ID, the channel and the bot as author", m)
	}
	msgs := srv.Messages(discordtest.DefaultChannelID)
	if len(msgs) != 1 || msgs[0].ID != m.ID {
		t.Fatalf("srv.Messages = %+v, want exactly the sent message", msgs)
	}
	got := msgs[0]
	if len(got.Embeds) != 1 || got.Embeds[0].Title != embed.Title || got.Embeds[0].URL != embed.URL || got.Embeds[0].Type != discordgo.EmbedTypeRich {
		t.Errorf("stored embeds = %+v, want the sent rich embed", got.Embeds)
	}
	want := map[string]any{"parse": []any{}, "replied_user": false}
	if am := rawJSON(t, got.AllowedMentions); !reflect.DeepEqual(am, want) {
		t.Errorf("allowed_mentions = %s, want {\"parse\":[]}", got.AllowedMentions)
	}

	// Edit and read back through discordgo.
	newContent := "edited"
	if _, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: m.ID, Channel: m.ChannelID, Content: &newContent}); err != nil {
		t.Fatal(err)
	}
	back, err := s.ChannelMessage(m.ChannelID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Content != "edited" || back.EditedTimestamp == nil || len(back.Embeds) != 1 {
		t.Errorf("after edit: %+v, want new content, an edit time and the embed kept", back)
	}
	if stored, _ := srv.Message(m.ID); stored.Edits != 1 {
		t.Errorf("Edits = %d, want 1", stored.Edits)
	}
	ch, err := s.Channel(discordtest.DefaultChannelID)
	if err != nil || ch.GuildID != discordtest.DefaultGuildID {
		t.Errorf("Channel() = %+v, %v; want the default channel", ch, err)
	}
}

func TestMentionsFollowAllowedMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		content      string
		allowed      *discordgo.MessageAllowedMentions
		wantEveryone bool
		wantUsers    int
		wantRoles    int
	}{
		{"absent parses everything", "@everyone <@123> <@&456>", nil, true, 1, 1},
		{"parse nothing", "@everyone <@123> <@&456>", noMentions, false, 0, 0},
		{"users only", "@here <@!123> <@&456>", &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}}, false, 1, 0},
		{"zero-width joiner defuses", "@\u200deveryone <@\u200d123>", nil, false, 0, 0},
	}
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{Content: tt.content, AllowedMentions: tt.allowed})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := srv.Message(m.ID)
			if got.MentionEveryone != tt.wantEveryone || len(got.MentionUsers) != tt.wantUsers || len(got.MentionRoles) != tt.wantRoles {
				t.Errorf("pinged everyone=%v users=%v roles=%v, want %v/%d/%d", got.MentionEveryone, got.MentionUsers, got.MentionRoles, tt.wantEveryone, tt.wantUsers, tt.wantRoles)
			}
			if m.MentionEveryone != tt.wantEveryone {
				t.Errorf("response mention_everyone = %v, want %v", m.MentionEveryone, tt.wantEveryone)
			}
		})
	}
}

func TestMessageValidation(t *testing.T) {
	t.Parallel()
	many := func(n int) []*discordgo.MessageEmbed {
		out := make([]*discordgo.MessageEmbed, n)
		for i := range out {
			out[i] = &discordgo.MessageEmbed{Description: "x"}
		}
		return out
	}
	tests := []struct {
		name     string
		msg      *discordgo.MessageSend
		wantCode int
		wantPath string
	}{
		{"empty", &discordgo.MessageSend{}, 50006, ""},
		{"content over 2000", &discordgo.MessageSend{Content: strings.Repeat("é", 2001)}, 50035, `"content"`},
		{"eleven embeds", &discordgo.MessageSend{Embeds: many(11)}, 50035, `"embeds"`},
		{"title over 256", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("a", 257)}}}, 50035, `"title"`},
		{"field without value", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "n"}}}}}, 50035, `"value"`},
		{"over 6000 across embeds", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
			{Description: strings.Repeat("a", 4000)}, {Description: strings.Repeat("b", 2001)},
		}}, 50035, "MAX_EMBED_SIZE_EXCEEDED"},
		{"javascript URL", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: "t", URL: "javascript:alert(1)"}}}, 50035, "URL_TYPE_INVALID_URL"},
	}
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, tt.msg)
			rerr := restError(t, err)
			if rerr.Response.StatusCode != http.StatusBadRequest || rerr.Message == nil || rerr.Message.Code != tt.wantCode {
				t.Fatalf("error = %v, want 400 with code %d", err, tt.wantCode)
			}
			if !strings.Contains(string(rerr.ResponseBody), tt.wantPath) {
				t.Errorf("body %s does not mention %s", rerr.ResponseBody, tt.wantPath)
			}
		})
	}
	if n := len(srv.Messages(discordtest.DefaultChannelID)); n != 0 {
		t.Fatalf("%d messages stored from invalid requests, want 0", n)
	}
	// 6000 exactly is accepted: the limit is inclusive and counts code points.
	_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
		{Description: strings.Repeat("😀", 4000)}, {Description: strings.Repeat("b", 2000)},
	}})
	if err != nil {
		t.Fatalf("6000 code points across embeds rejected: %v", err)
	}
}

func TestPermanentErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(*discordtest.Server)
		wantHTTP int
		wantCode int
	}{
		{"unknown channel", func(s *discordtest.Server) { s.RemoveChannel(discordtest.DefaultChannelID) }, 404, 10003},
		{"injected unknown channel", func(s *discordtest.Server) {
			s.Inject("POST /channels/{id}/messages", discordtest.UnknownChannel.Always())
		}, 404, 10003},
		{"missing access", func(s *discordtest.Server) { s.Inject("POST /channels/{id}/messages", discordtest.MissingAccess) }, 403, 50001},
		{"missing permissions on one channel", func(s *discordtest.Server) {
			s.Inject("POST /api/v9/channels/"+discordtest.DefaultChannelID+"/messages", discordtest.MissingPermissions)
		}, 403, 50013},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			tt.setup(srv)
			s := srv.Session(t, "")
			_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noMentions})
			rerr := restError(t, err)
			if rerr.Response.StatusCode != tt.wantHTTP || rerr.Message == nil || rerr.Message.Code != tt.wantCode {
				t.Fatalf("error = %v, want HTTP %d code %d", err, tt.wantHTTP, tt.wantCode)
			}
			if n := len(srv.Messages(discordtest.DefaultChannelID)); n != 0 {
				t.Fatalf("%d messages stored, want 0", n)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	const retryAfter = 150 * time.Millisecond
	route := "POST /channels/{id}/messages"

	t.Run("discordgo waits and retries", func(t *testing.T) {
		t.Parallel()
		srv := discordtest.New(t)
		srv.FailNext(route, http.StatusTooManyRequests, retryAfter)
		s := srv.Session(t, "")
		if _, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{Content: "x", AllowedMentions: noMentions}); err != nil {
			t.Fatal(err)
		}
		reqs := srv.RequestsMatching(route)
		if len(reqs) != 2 || reqs[0].Status != 429 || !reqs[0].Fault || reqs[1].Status != 200 {
			t.Fatalf("requests = %d (first status %d), want a 429 then a 200", len(reqs), reqs[0].Status)
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < retryAfter {
			t.Errorf("retried after %v, before Retry-After %v", gap, retryAfter)
		}
		if n := len(srv.Messages(discordtest.DefaultChannelID)); n != 1 {
			t.Fatalf("%d messages, want 1", n)
		}
	})

	t.Run("shape of the 429", func(t *testing.T) {
		t.Parallel()
		srv := discordtest.New(t)
		srv.FailNext(route, http.StatusTooManyRequests, retryAfter)
		s := srv.Session(t, "")
		_, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID,
			&discordgo.MessageSend{Content: "x", AllowedMentions: noMentions}, discordgo.WithRetryOnRatelimit(false))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != retryAfter {
			t.Fatalf("error = %v, want a RateLimitError with RetryAfter %v", err, retryAfter)
		}
		r := srv.RequestsMatching(route)[0]
		var body map[string]any
		_ = json.Unmarshal(r.Response, &body)
		if body["retry_after"] != 0.15 || body["global"] != false {
			t.Errorf("429 body = %s, want retry_after 0.15 and global false", r.Response)
		}
		if n := len(srv.Messages(discordtest.DefaultChannelID)); n != 0 {
			t.Fatalf("%d messages after an unretried 429, want 0", n)
		}
	})
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.Inject("POST /channels/{id}/messages", discordtest.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, Global: true})
	req, _ := http.NewRequest(http.MethodPost, discordgo.EndpointChannelMessages(discordtest.DefaultChannelID), strings.NewReader(`{"content":"x"}`))
	req.Header.Set("Authorization", srv.Token())
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := map[string]string{
		"Retry-After":             "2",
		"X-Ratelimit-Remaining":   "0",
		"X-Ratelimit-Reset-After": "1.500",
		"X-Ratelimit-Global":      "true",
		"X-Ratelimit-Scope":       "global",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if resp.Header.Get("X-RateLimit-Reset") == "" || resp.Header.Get("X-RateLimit-Bucket") == "" {
		t.Errorf("missing X-RateLimit-Reset or -Bucket: %v", resp.Header)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestNonce(t *testing.T) {
	t.Parallel()
	route := "POST /channels/{id}/messages"
	tests := []struct {
		name string
		// send posts twice (or once, relying on discordgo's own retry) and
		// returns the IDs it got back.
		send         func(t *testing.T, srv *discordtest.Server, s *discordgo.Session, c *clock) []string
		wantMessages int
	}{
		{
			name: "lost response, retried with the same nonce",
			send: func(t *testing.T, srv *discordtest.Server, s *discordgo.Session, _ *clock) []string {
				srv.FailAfterStore(route, http.StatusBadGateway)
				if _, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", "delivery-42", true, discordgo.WithRestRetries(0)); err == nil {
					t.Fatal("first send: want the injected 502")
				}
				m, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", "delivery-42", true, discordgo.WithRestRetries(0))
				if err != nil {
					t.Fatal(err)
				}
				return []string{m.ID}
			},
			wantMessages: 1,
		},
		{
			name: "discordgo's own 502 retry deduplicated by the nonce",
			send: func(t *testing.T, srv *discordtest.Server, s *discordgo.Session, _ *clock) []string {
				srv.FailAfterStore(route, http.StatusBadGateway)
				m, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", "delivery-43", true)
				if err != nil {
					t.Fatal(err)
				}
				return []string{m.ID}
			},
			wantMessages: 1,
		},
		{
			name: "discordgo's own 502 retry without a nonce posts twice",
			send: func(t *testing.T, srv *discordtest.Server, s *discordgo.Session, _ *clock) []string {
				srv.FailAfterStore(route, http.StatusBadGateway)
				m, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, &discordgo.MessageSend{Content: "hi", AllowedMentions: noMentions})
				if err != nil {
					t.Fatal(err)
				}
				return []string{m.ID}
			},
			wantMessages: 2,
		},
		{
			name: "nonce without enforce_nonce is not deduplicated",
			send: func(t *testing.T, _ *discordtest.Server, s *discordgo.Session, _ *clock) []string {
				var ids []string
				for range 2 {
					m, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", "delivery-44", false)
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, m.ID)
				}
				return ids
			},
			wantMessages: 2,
		},
		{
			name: "nonce window expires",
			send: func(t *testing.T, _ *discordtest.Server, s *discordgo.Session, c *clock) []string {
				var ids []string
				for range 2 {
					m, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", "delivery-45", true)
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, m.ID)
					c.advance(discordtest.DefaultNonceWindow + time.Second)
				}
				return ids
			},
			wantMessages: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
			srv := discordtest.New(t, discordtest.WithClock(c.now))
			s := srv.Session(t, "")
			ids := tt.send(t, srv, s, c)
			msgs := srv.Messages(discordtest.DefaultChannelID)
			if len(msgs) != tt.wantMessages {
				t.Fatalf("%d messages in the channel, want %d", len(msgs), tt.wantMessages)
			}
			if tt.wantMessages == 1 && ids[len(ids)-1] != msgs[0].ID {
				t.Errorf("returned ID %s, want the stored message %s", ids[len(ids)-1], msgs[0].ID)
			}
		})
	}
}

func TestNonceTooLong(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	_, err := sendWithNonce(s, discordtest.DefaultChannelID, "hi", strings.Repeat("n", 26), true)
	if rerr := restError(t, err); rerr.Message == nil || rerr.Message.Code != 50035 || !strings.Contains(string(rerr.ResponseBody), "nonce") {
		t.Fatalf("error = %v, want Invalid Form Body on nonce", err)
	}
}

func TestUnknownRouteRecorded(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	_, err := s.GuildEmojis(discordtest.DefaultGuildID)
	rerr := restError(t, err)
	if rerr.Response.StatusCode != 404 || rerr.Message == nil || rerr.Message.Code != 0 || rerr.Message.Message != "404: Not Found" {
		t.Fatalf("error = %v, want Discord's 404 body", err)
	}
	reqs := srv.RequestsMatching("GET /guilds/{g}/emojis")
	if len(reqs) != 1 || reqs[0].Route != "" || reqs[0].Status != 404 {
		t.Fatalf("recorded = %+v, want one unrouted 404", reqs)
	}
}

func TestInjectRejectsBadPattern(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	defer func() {
		if recover() == nil {
			t.Fatal("Inject with a pattern lacking a method did not panic")
		}
	}()
	srv.Inject("/channels/{id}/messages", discordtest.MissingAccess)
}
