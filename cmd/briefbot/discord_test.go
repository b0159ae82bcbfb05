package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/config"
)

// runWithDiscord is runFor with a Discord token, the session pointed at fake.
func runWithDiscord(t *testing.T, doc string, fake *discordtest.Server) (*syncBuffer, func() int) {
	t.Helper()
	cfg, err := config.Parse([]byte(doc), "test.yaml", func(k string) string {
		if k == "DISCORD_TOKEN" {
			return strings.TrimPrefix(fake.Token(), "Bot ")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Polling.Interval = 200 * time.Millisecond
	out, errOut := &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" },
		configureDiscord: fake.Configure}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runBot(ctx, e, cfg, newLogger(errOut, "info", "text")) }()
	return errOut, stopRun(t, cancel, done, errOut)
}

// stopRun returns how to stop a run started with cancel whose result
// arrives on done: it returns the exit code the run would have.
func stopRun(t *testing.T, cancel func(), done <-chan error, log *syncBuffer) func() int {
	return func() int {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Logf("run: %v\nlog:\n%s", err, log.String())
				return 1
			}
			return 0
		case <-time.After(30 * time.Second):
			t.Fatalf("run did not stop within 30s; log:\n%s", log.String())
			return -1
		}
	}
}

// The whole product against a fake Discord: commands registered, a channel
// subscribes, an on-topic story is posted exactly once with no mentions
// parsed, an off-topic one never, /latest finds it, and a restart reposts
// nothing.
func TestRunPostsToDiscordExactlyOnce(t *testing.T) {
	fake := discordtest.New(t)
	feed := &feedServer{}
	srv := httptest.NewServer(feed)
	defer srv.Close()
	now := time.Now().UTC()
	feed.set(rssItem("old", "An old story", "From before.", now.Add(-time.Hour)))

	dir := t.TempDir()
	doc := docWith(filepath.Join(dir, "bb.db"), srv.URL, "")

	log, stop := runWithDiscord(t, doc, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Commands()) >= 7 }); err != nil {
		t.Fatalf("commands not registered: %v\nlog:\n%s", err, log)
	}

	// A moderator subscribes the channel.
	in := fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "mideast-diplomacy"))
	in.Member = discordtest.Member(discordtest.DefaultUserID, discordgo.PermissionManageChannels|discordgo.PermissionViewChannel|
		discordgo.PermissionSendMessages|discordgo.PermissionEmbedLinks)
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks
	sent, err := fake.DispatchInteraction(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitInteractionResponse(ctx, sent.ID); err != nil {
		t.Fatalf("/subscribe not answered: %v\nlog:\n%s", err, log)
	}

	// After the first poll has primed the source, the wire publishes an
	// on-topic story with a hostile headline, and an off-topic one.
	waitFor(t, "the first poll", func() bool { feed.mu.Lock(); defer feed.mu.Unlock(); return feed.hits >= 1 })
	feed.set(
		rssItem("old", "An old story", "From before.", now.Add(-time.Hour)),
		rssItem("n1", "@everyone Iran and US resume nuclear talks in Oman",
			"Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff held indirect negotiations in Muscat, mediated by Oman.", now),
		rssItem("n2", "Local football club wins the cup", "The home side won 2-1.", now),
	)
	if _, err := fake.WaitMessages(ctx, discordtest.DefaultChannelID, 1); err != nil {
		t.Fatalf("%v\nlog:\n%s", err, log)
	}
	// Let further polls happen: still one message.
	time.Sleep(time.Second)
	msgs := fake.Messages(discordtest.DefaultChannelID)
	var posts []discordtest.Message
	for _, m := range msgs {
		if m.InteractionID == "" {
			posts = append(posts, m)
		}
	}
	if len(posts) != 1 {
		t.Fatalf("%d posts in the channel; want exactly 1: %+v", len(posts), posts)
	}
	p := posts[0]
	if len(p.Embeds) != 1 || !strings.Contains(p.Embeds[0].Title, "nuclear talks in Oman") || p.Embeds[0].URL != "https://wire.example/n1" {
		t.Errorf("unexpected embed: %+v", p.Embeds)
	}
	var am struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(p.AllowedMentions, &am); err != nil || am.Parse == nil || len(am.Parse)+len(am.Users)+len(am.Roles) != 0 || p.Pinged() {
		t.Errorf("allowed_mentions = %s, pinged = %v; want parse [] and no one pinged", p.AllowedMentions, p.Pinged())
	}

	// /latest finds the story.
	latest, err := fake.DispatchInteraction(fake.CommandInteraction("latest"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := fake.WaitInteraction(ctx, latest.ID, func(r discordtest.InteractionRecord) bool {
		return r.Original != nil && len(r.Original.Embeds) > 0
	})
	if err != nil {
		t.Fatalf("/latest: %v", err)
	}
	if !strings.Contains(rec.Original.Embeds[0].Title, "nuclear talks") {
		t.Errorf("/latest answered %+v", rec.Original.Embeds[0])
	}
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}

	// Restart: nothing is posted again.
	before := len(fake.RequestsMatching("POST /channels/{id}/messages"))
	log, stop = runWithDiscord(t, doc, fake)
	if err := fake.WaitFor(ctx, func() bool { return len(fake.GatewaySessions()) >= 2 }); err != nil {
		t.Fatalf("second run did not connect: %v\nlog:\n%s", err, log)
	}
	time.Sleep(1500 * time.Millisecond) // several polls at 200ms
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if after := len(fake.RequestsMatching("POST /channels/{id}/messages")); after != before {
		t.Errorf("restart posted again: %d message requests before, %d after", before, after)
	}
}
