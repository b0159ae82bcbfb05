package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// open starts a real discordgo session against srv and waits for READY.
func open(t *testing.T, srv *discordtest.Server, configure func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	s := srv.Session(t, "")
	if configure != nil {
		configure(s)
	}
	ready := make(chan *discordgo.Ready, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { trySend(ready, r) })
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	select {
	case <-ready:
	case <-ctx(t).Done():
		t.Fatal("READY handler never fired")
	}
	return s
}

// trySend delivers v if nobody has yet. (discordgo's AddHandlerOnce races
// with its own event dispatch under -race, so tests use AddHandler.)
func trySend[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestOpenReadyHeartbeat(t *testing.T) {
	t.Parallel()
	for _, compress := range []bool{true, false} {
		t.Run(map[bool]string{true: "zlib", false: "plain"}[compress], func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			guild := make(chan *discordgo.GuildCreate, 1)
			s := open(t, srv, func(s *discordgo.Session) {
				s.Compress = compress
				s.Identify.Compress = compress
				s.Identify.Intents = discordgo.IntentsGuilds
				s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { trySend(guild, g) })
			})

			s.State.RLock()
			user := s.State.User
			s.State.RUnlock()
			if user == nil || user.ID != discordtest.BotUserID || !user.Bot {
				t.Fatalf("State.User = %+v, want the bot user %s", user, discordtest.BotUserID)
			}
			select {
			case g := <-guild:
				if g.ID != discordtest.DefaultGuildID || len(g.Channels) != 1 || g.Channels[0].ID != discordtest.DefaultChannelID {
					t.Fatalf("GUILD_CREATE = %+v, want the default guild with its channel", g.Guild)
				}
			case <-ctx(t).Done():
				t.Fatal("no GUILD_CREATE after READY")
			}

			// discordgo heartbeats as soon as it is connected; the fake acks.
			err := srv.WaitFor(ctx(t), func() bool {
				ss := srv.GatewaySessions()
				return len(ss) == 1 && ss[0].Heartbeats > 0
			})
			if err != nil {
				t.Fatal(err)
			}
			ss := srv.GatewaySessions()[0]
			if ss.Identify.Intents != discordgo.IntentsGuilds || ss.Identify.Compress != compress {
				t.Errorf("recorded identify = %+v, want intents=Guilds compress=%v", ss.Identify, compress)
			}
			if !ss.Connected || ss.Seq < 2 {
				t.Errorf("session = %+v, want connected with READY and GUILD_CREATE dispatched", ss)
			}
		})
	}
}

func TestOpenFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		token   string
		intents discordgo.Intent
		want    string
	}{
		{"bad token", "Bot wrong", discordgo.IntentsGuilds, "4004"},
		{"privileged intent not enabled", "", discordgo.IntentsGuilds | discordgo.IntentsMessageContent, "4014"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			s := srv.Session(t, tt.token)
			s.ShouldReconnectOnError = false
			s.Identify.Intents = tt.intents
			err := s.Open()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open() error = %v, want a close %s", err, tt.want)
			}
		})
	}
}

func TestBadTokenREST(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "Bot wrong")
	_, err := s.User("@me")
	var rerr *discordgo.RESTError
	if !errors.As(err, &rerr) || rerr.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("User(@me) with a bad token: error = %v, want 401", err)
	}
	s2 := srv.Session(t, "")
	u, err := s2.User("@me")
	if err != nil || u.ID != discordtest.BotUserID {
		t.Fatalf("User(@me) = %+v, %v; want the bot user", u, err)
	}
}

func TestCloseEndsSession(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := open(t, srv, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := srv.WaitFor(ctx(t), func() bool {
		ss := srv.GatewaySessions()
		return len(ss) == 1 && !ss[0].Connected
	})
	if err != nil {
		t.Fatal(err)
	}
	ss := srv.GatewaySessions()[0]
	if ss.CloseCode != 1000 || !ss.Invalidated {
		t.Fatalf("after Close: %+v, want close code 1000 and the session invalidated", ss)
	}
	if err := srv.Dispatch("TYPING_START", "", map[string]any{}); err == nil {
		t.Fatal("Dispatch after the only session closed: want an error")
	}
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := open(t, srv, func(s *discordgo.Session) { s.ShouldReconnectOnError = true })
	got := make(chan string, 4)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i.ID })

	srv.Disconnect(4000)
	if err := srv.WaitFor(ctx(t), func() bool { return !srv.GatewaySessions()[0].Connected }); err != nil {
		t.Fatal(err)
	}
	// Sent while the client is away: Discord keeps it for the resume.
	in, err := srv.DispatchInteraction(srv.CommandInteraction("latest"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != in.ID {
			t.Fatalf("got interaction %s, want %s", id, in.ID)
		}
	case <-ctx(t).Done():
		t.Fatal("missed interaction never replayed after resume")
	}
	ss := srv.GatewaySessions()
	if len(ss) != 1 || ss[0].Resumes != 1 || !ss[0].Connected {
		t.Fatalf("sessions = %+v, want one session resumed once", ss)
	}
}

func TestReconnectOpcodeResumes(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	open(t, srv, func(s *discordgo.Session) { s.ShouldReconnectOnError = true })
	srv.RequestReconnect()
	err := srv.WaitFor(ctx(t), func() bool {
		ss := srv.GatewaySessions()
		return len(ss) == 1 && ss[0].Resumes == 1 && ss[0].Connected
	})
	if err != nil {
		t.Fatalf("%v; sessions = %+v", err, srv.GatewaySessions())
	}
	if code := srv.GatewaySessions()[0].CloseCode; code != 0 {
		t.Errorf("close code after resume = %d, want cleared", code)
	}
}

func TestDispatchRequiresSession(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	if _, err := srv.DispatchInteraction(srv.CommandInteraction("latest")); err == nil {
		t.Fatal("DispatchInteraction with no session: want an error")
	}
	if _, err := srv.DispatchInteraction(&discordgo.Interaction{}); err == nil {
		t.Fatal("DispatchInteraction without a type: want an error")
	}
}

func TestClientRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	resp, err := srv.Client().Get("https://example.com/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("request to example.com succeeded; the fake client must never reach the network")
	}
	if _, _, err := srv.Dialer().Dial("ws://example.com:80/", nil); err == nil {
		t.Fatal("websocket dial to example.com succeeded")
	}
}

// rawJSON decodes JSON for comparisons that should not depend on key order.
func rawJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", b, err)
	}
	return v
}
