package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// subscribeChannel has a moderator subscribe the default channel to topic
// and waits for the reply.
func subscribeChannel(ctx context.Context, t *testing.T, fake *discordtest.Server, topic string, log fmt.Stringer) {
	t.Helper()
	in := fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", topic))
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
}

// storyPosts is the channel's messages that are not interaction replies.
func storyPosts(fake *discordtest.Server, channelID string) []discordtest.Message {
	var posts []discordtest.Message
	for _, m := range fake.Messages(channelID) {
		if m.InteractionID == "" {
			posts = append(posts, m)
		}
	}
	return posts
}

// One wire story carried by outlet after outlet is one message, edited as
// each outlet joins, and a restart keeps the story: a fourth outlet after
// it still edits the same message. Another event about the same country
// on the same day is a message of its own.
func TestRunEditsOneMessageAsOutletsJoin(t *testing.T) {
	fake := discordtest.New(t)
	outlets := []struct{ name, display string }{
		{"reuters", "Reuters"}, {"ap", "AP News"}, {"aljazeera", "Al Jazeera"}, {"bbc", "BBC News"},
	}
	feeds := make([]*feedServer, len(outlets))
	var sources strings.Builder
	for i, o := range outlets {
		feeds[i] = &feedServer{}
		srv := httptest.NewServer(feeds[i])
		defer srv.Close()
		fmt.Fprintf(&sources, "  - {name: %s, url: %s/feed.xml, outlet: %q}\n", o.name, srv.URL, o.display)
	}
	dir := t.TempDir()
	doc := fmt.Sprintf(`
log: {level: info, format: text}
database: {path: %s}
admin: {listen: ""}
discord: {application_id: "%s"}
polling: {allow_private_networks: true}
sources:
%s`, filepath.Join(dir, "bb.db"), discordtest.AppID, sources.String())

	now := time.Now().UTC()
	const (
		talksTitle = "Iran and US to hold nuclear talks in Oman on Saturday"
		talksText  = "Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff will meet in Muscat on Saturday " +
			"for indirect talks on Tehran's nuclear programme, Oman's foreign ministry said."
		envoyTitle = "Iran summons British ambassador over new sanctions"
		envoyText  = "Iran's foreign ministry summoned the British ambassador in Tehran on Monday to protest sanctions " +
			"London imposed on Iranian officials, state media reported."
	)
	publish := func(i int, extra ...string) {
		o := outlets[i].name
		feeds[i].set(append([]string{rssItem(o+"-talks", talksTitle, talksText, now.Add(time.Duration(i)*time.Minute))}, extra...)...)
	}

	log, stop := runWithDiscord(t, doc, fake)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fake.WaitFor(ctx, func() bool { return len(fake.Commands()) >= 7 }); err != nil {
		t.Fatalf("commands not registered: %v\nlog:\n%s", err, log)
	}
	subscribeChannel(ctx, t, fake, "mideast-diplomacy", log)
	for i, f := range feeds {
		waitFor(t, outlets[i].name+"'s first poll", func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.hits >= 1 })
	}

	// The first outlet carries the talks and, the same day, another
	// event about Iran: two stories, two messages.
	publish(0, rssItem("reuters-envoy", envoyTitle, envoyText, now))
	if err := fake.WaitFor(ctx, func() bool { return len(storyPosts(fake, discordtest.DefaultChannelID)) >= 2 }); err != nil {
		t.Fatalf("want two posts: %v\nlog:\n%s", err, log)
	}
	var talks discordtest.Message
	for _, m := range storyPosts(fake, discordtest.DefaultChannelID) {
		if len(m.Embeds) == 1 && strings.Contains(m.Embeds[0].Title, "nuclear talks") {
			talks = m
		}
	}
	if talks.ID == "" {
		t.Fatalf("no message about the talks: %+v", storyPosts(fake, discordtest.DefaultChannelID))
	}
	waitEdits := func(n int) discordtest.Message {
		t.Helper()
		var got discordtest.Message
		err := fake.WaitFor(ctx, func() bool {
			for _, m := range storyPosts(fake, discordtest.DefaultChannelID) {
				if m.ID == talks.ID {
					got = m
				}
			}
			return got.Edits >= n
		})
		if err != nil {
			t.Fatalf("the talks message was edited %d times, want %d: %v\nlog:\n%s", got.Edits, n, err, log)
		}
		return got
	}
	// The others follow one after another: each edits the message.
	publish(1)
	waitEdits(1)
	publish(2)
	m := waitEdits(2)
	checkOutlets(t, m, outlets[0].display, outlets[1].display, outlets[2].display)
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}

	// After a restart a fourth outlet still joins the story.
	log, stop = runWithDiscord(t, doc, fake)
	if err := fake.WaitFor(ctx, func() bool { return len(fake.GatewaySessions()) >= 2 }); err != nil {
		t.Fatalf("second run did not connect: %v\nlog:\n%s", err, log)
	}
	publish(3)
	m = waitEdits(3)
	checkOutlets(t, m, outlets[0].display, outlets[1].display, outlets[2].display, outlets[3].display)
	time.Sleep(time.Second) // several polls at 200ms: nothing more may be posted
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if posts := storyPosts(fake, discordtest.DefaultChannelID); len(posts) != 2 {
		t.Errorf("%d posts in the channel, want 2 (the talks and the ambassador)", len(posts))
	}
	if n := len(fake.RequestsMatching("POST /channels/{id}/messages")); n != 2 {
		t.Errorf("%d create-message requests, want 2", n)
	}
	if m.Edits != 3 {
		t.Errorf("talks message edited %d times, want 3", m.Edits)
	}
}

// checkOutlets checks the message's embed names exactly these outlets.
func checkOutlets(t *testing.T, m discordtest.Message, want ...string) {
	t.Helper()
	if len(m.Embeds) != 1 {
		t.Fatalf("message has %d embeds, want 1", len(m.Embeds))
	}
	var text strings.Builder
	for _, f := range m.Embeds[0].Fields {
		text.WriteString(f.Name + ": " + f.Value + "\n")
	}
	for _, o := range want {
		if !strings.Contains(text.String(), o) {
			t.Errorf("embed fields do not name outlet %q:\n%s", o, text.String())
		}
	}
	if strings.Count(text.String(), "](https://wire.example/") != len(want) {
		t.Errorf("embed fields link %d articles, want %d:\n%s", strings.Count(text.String(), "](https://wire.example/"), len(want), text.String())
	}
}
