package bot_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/topic"
)

func TestOpenRegistersCommands(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, devGuild string
	}{
		{"globally", ""},
		{"in the dev guild", discordtest.DefaultGuildID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(o *bot.Options) { o.DevGuildID = tc.devGuild }).open()
			if !e.bot.Connected() || e.bot.Healthy(t.Context()) != nil {
				t.Errorf("after Open: Connected %v, Healthy %v; want connected and healthy", e.bot.Connected(), e.bot.Healthy(t.Context()))
			}
			gw := e.srv.GatewaySessions()
			if len(gw) != 1 || gw[0].Identify.Intents != discordgo.IntentsGuilds {
				t.Errorf("gateway sessions %+v, want one identifying with the Guilds intent only", gw)
			}
			cmds := e.srv.Commands()
			var names []string
			byName := map[string]*discordgo.ApplicationCommand{}
			for _, c := range cmds {
				if c.GuildID != tc.devGuild {
					t.Errorf("/%s registered in guild %q, want %q", c.Name, c.GuildID, tc.devGuild)
				}
				names = append(names, c.Name)
				byName[c.Name] = c
			}
			want := []string{"latest", "topic", "subscribe", "unsubscribe", "subscriptions", "sources", "why"}
			if !slices.Equal(names, want) {
				t.Fatalf("registered %q, want %q", names, want)
			}
			for _, name := range want {
				c := byName[name]
				needsManage := name == "subscribe" || name == "unsubscribe"
				if got := c.DefaultMemberPermissions; needsManage != (got != nil && *got == manage) {
					t.Errorf("/%s default member permissions %v; want Manage Channels only for management commands", name, got)
				}
			}
			wantOptions := map[string][]string{
				"latest":    {"topic", "count"},
				"topic":     {"name"},
				"subscribe": {"topic", "mode", "at", "timezone", "outlets", "mention"},
				"why":       {"url"},
			}
			for name, opts := range wantOptions {
				var got []string
				for _, o := range byName[name].Options {
					got = append(got, o.Name)
				}
				if !slices.Equal(got, opts) {
					t.Errorf("/%s options %q, want %q", name, got, opts)
				}
			}
			if o := byName["latest"].Options[1]; o.MinValue == nil || *o.MinValue != 1 || o.MaxValue != 10 {
				t.Errorf("/latest count range %v..%v, want 1..10", o.MinValue, o.MaxValue)
			}
			if !byName["topic"].Options[0].Autocomplete || !byName["subscribe"].Options[0].Autocomplete {
				t.Error("topic options do not autocomplete")
			}

			if err := e.bot.Close(); err != nil {
				t.Fatal(err)
			}
			if e.bot.Connected() {
				t.Error("still connected after Close")
			}
		})
	}
}

func TestRegisterCommandsNeedsApplicationID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.bot.RegisterCommands(t.Context()); err == nil || !strings.Contains(err.Error(), "application_id") {
		t.Fatalf("RegisterCommands without an application ID: %v, want an error naming discord.application_id", err)
	}
	e = newEnv(t, func(o *bot.Options) { o.ApplicationID = discordtest.AppID })
	if err := e.bot.RegisterCommands(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Commands()); n != 7 {
		t.Errorf("registered %d commands over REST alone, want 7", n)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		opts bot.Options
		want string
	}{
		{"no session", bot.Options{Store: e.st, Topics: testTopics}, "Session"},
		{"no store", bot.Options{Session: s, Topics: testTopics}, "Store"},
		{"no topics", bot.Options{Session: s, Store: e.st}, "Topics"},
		{"duplicate topic", bot.Options{Session: s, Store: e.st, Topics: []bot.TopicInfo{{Name: "a"}, {Name: "A"}}}, "twice"},
		{"unknown default", bot.Options{Session: s, Store: e.st, Topics: testTopics, DefaultTopic: "sports"}, "sports"},
	} {
		if _, err := bot.New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error about %s", tc.name, err, tc.want)
		}
	}
}

func TestTopicsOf(t *testing.T) {
	t.Parallel()
	c, err := topic.NewClassifierOf(topic.Default())
	if err != nil {
		t.Fatal(err)
	}
	got := bot.TopicsOf(c)
	if len(got) != 1 || got[0].Name != topic.DefaultName || got[0].Description != topic.Default().Description() {
		t.Fatalf("TopicsOf = %+v, want the default topic with its description", got)
	}
}

func TestSubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	e.addStory(storyOpts{key: "old", title: "Talks collapse", topics: []string{topicDiplomacy}, seen: t0.Add(-80 * time.Hour)})
	e.addStory(storyOpts{key: "recent", title: "Envoys meet in Muscat", topics: []string{topicDiplomacy}, seen: t0.Add(-5 * time.Hour)})
	e.addStory(storyOpts{key: "newest", title: "IAEA report due", topics: []string{topicDiplomacy, topicGaza}, seen: t0.Add(-time.Hour)})
	e.addStory(storyOpts{key: "gaza", title: "Aid convoy enters", topics: []string{topicGaza}, seen: t0.Add(-2 * time.Hour)})

	rec := e.run(e.command("subscribe", manage, opt("topic", topicDiplomacy)))
	wantReply(t, rec, true, "Subscribed", "<#"+discordtest.DefaultChannelID+">", topicDiplomacy, "each story as it appears")
	if len(rec.Followups) != 1 {
		t.Fatalf("got %d followups, want the public catch-up", len(rec.Followups))
	}
	catchUp := rec.Followups[0]
	if catchUp.Flags&discordgo.MessageFlagsEphemeral != 0 {
		t.Error("the catch-up is ephemeral; the channel should see it")
	}
	if got, want := titles(catchUp.Embeds), []string{"IAEA report due", "Envoys meet in Muscat"}; !slices.Equal(got, want) {
		t.Errorf("catch-up shows %q, want the last 72 hours' stories on the topic, newest first: %q", got, want)
	}
	wantNoMentions(t, catchUp.AllowedMentions)
	if catchUp.Pinged() {
		t.Error("the catch-up pinged someone")
	}

	subs := e.subscriptions(store.SubscriptionFilter{ChannelID: discordtest.DefaultChannelID})
	if len(subs) != 1 {
		t.Fatalf("stored subscriptions %+v, want one", subs)
	}
	s := subs[0]
	if s.Topic != topicDiplomacy || s.Mode != store.ModeRealtime || s.GuildID != discordtest.DefaultGuildID ||
		s.CreatedBy != discordtest.DefaultUserID || !s.Since.Equal(t0) {
		t.Errorf("stored %+v, want a realtime subscription to %s in the default channel by the user, since now (%s)", s, topicDiplomacy, t0)
	}

	// Subscribing again changes the mode and shows no second catch-up.
	e.clock.set(t0.Add(time.Hour))
	rec = e.run(e.command("subscribe", manage, opt("topic", "MIDEAST-Diplomacy"), opt("at", "18:30, 7:05"), opt("timezone", "Europe/London")))
	wantReply(t, rec, true, "Updated", "a digest at 07:05 and 18:30 (Europe/London)")
	if len(rec.Followups) != 0 {
		t.Errorf("re-subscribing posted %d followups, want none", len(rec.Followups))
	}
	s = e.subscriptions(store.SubscriptionFilter{ChannelID: discordtest.DefaultChannelID})[0]
	if s.Mode != store.ModeDigest || !slices.Equal(s.DigestTimes, []string{"07:05", "18:30"}) || s.Timezone != "Europe/London" || !s.Since.Equal(t0) {
		t.Errorf("after update: %+v, want a digest at 07:05 and 18:30 London time, still since %s", s, t0)
	}
}

func TestSubscribeEmptyCatchUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	rec := e.run(e.command("subscribe", manage, opt("topic", topicGaza), opt("mode", "digest")))
	wantReply(t, rec, true, "Subscribed", "a digest at 08:00 (UTC)")
	if len(rec.Followups) != 1 || !strings.Contains(rec.Followups[0].Content, "Nothing in the last 72 hours") || len(rec.Followups[0].Embeds) != 0 {
		t.Fatalf("followups %+v, want a public note that nothing happened in the last 72 hours", rec.Followups)
	}
}

func TestManagementPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	for _, tc := range []struct {
		name    string
		perms   int64
		allowed bool
	}{
		{"ordinary member", 0, false},
		{"manage messages is not enough", discordgo.PermissionManageMessages, false},
		{"manage channels", manage, true},
		{"administrator", discordgo.PermissionAdministrator, true},
	} {
		for _, cmd := range []string{"subscribe", "unsubscribe"} {
			rec := e.run(e.command(cmd, tc.perms, opt("topic", topicGaza)))
			cb := answer(t, rec)
			denied := e.events.last(t).Outcome == "denied"
			if denied == tc.allowed || !cb.Ephemeral() {
				t.Errorf("%s: /%s outcome %q, ephemeral %v: %q; want allowed=%v, ephemeral", tc.name, cmd, e.events.last(t).Outcome, cb.Ephemeral(), cb.Content, tc.allowed)
			}
			if !tc.allowed && !strings.Contains(cb.Content, "Manage Channels") {
				t.Errorf("%s: refusal %q does not say which permission is needed", tc.name, cb.Content)
			}
		}
	}
	// Only the allowed subscribes stored anything; the last command was an
	// allowed unsubscribe.
	if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 0 {
		t.Errorf("subscriptions left: %+v", subs)
	}

	// Outside a server there is no member to check.
	in := e.command("subscribe", manage, opt("topic", topicGaza))
	in.GuildID, in.Member, in.User = "", nil, &discordgo.User{ID: discordtest.DefaultUserID}
	in.ChannelID = "900000000000000299"
	wantReply(t, e.run(in), true, "server channel")
}

func TestSubscribeBotCannotPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	in := e.command("subscribe", manage, opt("topic", topicGaza))
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages // no Embed Links
	wantReply(t, e.run(in), true, "Embed Links")
	if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 0 {
		t.Errorf("stored %+v for a channel briefbot cannot post in", subs)
	}
	in = e.command("subscribe", manage, opt("topic", topicGaza))
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks
	wantReply(t, e.run(in), true, "Subscribed")
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	tests := []struct {
		name string
		in   *discordgo.Interaction
		want []string
	}{
		{"unknown topic", e.command("subscribe", manage, opt("topic", "sports")), []string{"no topic “sports”", topicDiplomacy, topicGaza}},
		{"hour out of range", e.command("subscribe", manage, opt("topic", topicGaza), opt("at", "25:00")), []string{"“25:00”", "HH:MM, 24-hour"}},
		{"12-hour time", e.command("subscribe", manage, opt("topic", topicGaza), opt("at", "8pm")), []string{"HH:MM, 24-hour"}},
		{"one bad time among good", e.command("subscribe", manage, opt("topic", topicGaza), opt("at", "08:00,18:60")), []string{"“18:60”", "HH:MM"}},
		{"bad timezone", e.command("subscribe", manage, opt("topic", topicGaza), opt("mode", "digest"), opt("timezone", "Mars/Olympus")), []string{"IANA name like Europe/London"}},
		{"abbreviation timezone", e.command("subscribe", manage, opt("topic", topicGaza), opt("timezone", "Local")), []string{"IANA name"}},
		{"times with realtime", e.command("subscribe", manage, opt("topic", topicGaza), opt("mode", "realtime"), opt("at", "08:00")), []string{"mode digest"}},
		{"unknown mode", e.command("subscribe", manage, opt("topic", topicGaza), opt("mode", "hourly")), []string{"realtime or digest"}},
		{"latest unknown topic", e.command("latest", 0, opt("topic", "weather")), []string{"Topics: " + topicDiplomacy + ", " + topicGaza}},
		{"latest count too high", e.command("latest", 0, opt("count", 11)), []string{"1 to 10"}},
		{"latest count zero", e.command("latest", 0, opt("count", 0)), []string{"1 to 10"}},
		{"latest count not a number", e.command("latest", 0, opt("count", "five")), []string{"1 to 10"}},
		{"why not a link", e.command("why", 0, opt("url", "the iran story")), []string{"https://"}},
		{"why not http", e.command("why", 0, opt("url", "ftp://files.example/a")), []string{"https://"}},
		{"subscriptions bad scope", e.command("subscriptions", 0, opt("scope", "galaxy")), []string{"channel or server"}},
		{"unknown command", e.command("weather", 0), []string{"no longer has /weather"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.run(tc.in)
			wantReply(t, rec, true, tc.want...)
			if ev := e.events.last(t); ev.Outcome != "invalid" {
				t.Errorf("outcome %q, want invalid", ev.Outcome)
			}
		})
	}
	if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 0 {
		t.Errorf("bad arguments stored subscriptions: %+v", subs)
	}
}

func TestLatest(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	for i := range 7 {
		e.addStory(storyOpts{key: fmt.Sprint("d", i), title: fmt.Sprint("Diplomacy story ", i), topics: []string{topicDiplomacy}, seen: t0.Add(time.Duration(i-10) * time.Hour)})
	}
	e.addStory(storyOpts{key: "g", title: "Gaza @everyone story", topics: []string{topicGaza}, seen: t0})

	rec := e.run(e.command("latest", 0))
	cb := wantReply(t, rec, false, "The 5 newest stories on **"+topicDiplomacy+"**")
	want := []string{"Diplomacy story 6", "Diplomacy story 5", "Diplomacy story 4", "Diplomacy story 3", "Diplomacy story 2"}
	if got := titles(cb.Embeds); !slices.Equal(got, want) {
		t.Errorf("/latest shows %q, want the default topic's 5 newest %q", got, want)
	}
	first := cb.Embeds[0]
	if first.URL != "https://www.reuters.example/news/d6" || !strings.Contains(embedText(first), "Reuters") || !strings.Contains(first.Description, "Summary of Diplomacy story 6") {
		t.Errorf("first embed %+v, want the story's link, outlet name and summary", first)
	}
	if err := bot.CheckLimits(&discordgo.MessageSend{Content: cb.Content, Embeds: cb.Embeds, AllowedMentions: bot.NoMentions()}); err != nil {
		t.Errorf("answer breaks Discord's limits: %v", err)
	}

	rec = e.run(e.command("latest", 0, opt("topic", topicGaza), opt("count", 2)))
	cb = wantReply(t, rec, false, "The newest story on **gaza**")
	if len(cb.Embeds) != 1 || !strings.HasPrefix(cb.Embeds[0].Title, "Gaza @") {
		t.Errorf("/latest gaza 2 shows %q, want the one gaza story", titles(cb.Embeds))
	}
	if rec.Original == nil || rec.Original.Pinged() {
		t.Errorf("original %+v: a headline with @everyone must ping no one", rec.Original)
	}
}

func TestLatestFitsTenLongStories(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	long := strings.Repeat("Negotiators in Muscat discussed sanctions relief and enrichment limits at length. ", 40)
	for i := range 10 {
		e.addStory(storyOpts{key: fmt.Sprint("s", i), title: fmt.Sprint("Long story ", i), summary: long, topics: []string{topicDiplomacy}, seen: t0.Add(time.Duration(-i) * time.Minute)})
	}
	cb := wantReply(t, e.run(e.command("latest", 0, opt("count", 10))), false)
	if len(cb.Embeds) != 10 {
		t.Fatalf("%d embeds, want 10", len(cb.Embeds))
	}
	if err := bot.CheckLimits(&discordgo.MessageSend{Content: cb.Content, Embeds: cb.Embeds, AllowedMentions: bot.NoMentions()}); err != nil {
		t.Fatalf("ten long stories break Discord's limits: %v", err)
	}
	for i, em := range cb.Embeds {
		if len(em.Description) < 100 {
			t.Errorf("embed %d kept %d bytes of its summary; the trim should share the room", i, len(em.Description))
		}
	}
}

func TestTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	e.addStory(storyOpts{key: "a", title: "Oman hosts nuclear talks", topics: []string{topicDiplomacy}, seen: t0.Add(-3 * time.Hour)})
	e.addStory(storyOpts{key: "b", title: "Ceasefire talks in Cairo", topics: []string{topicGaza}, seen: t0.Add(-2 * time.Hour)})
	e.addStory(storyOpts{key: "c", title: "Aid convoy enters Gaza", summary: "Trucks crossed at Rafah.", topics: []string{topicGaza}, seen: t0.Add(-time.Hour)})

	tests := []struct {
		name, words string
		header      string
		want        []string
	}{
		{"topic name", topicGaza, "newest stories on **gaza**", []string{"Aid convoy enters Gaza", "Ceasefire talks in Cairo"}},
		{"topic name in other case", "GAZA", "newest stories on **gaza**", []string{"Aid convoy enters Gaza", "Ceasefire talks in Cairo"}},
		{"free words", "nuclear talks", "matching “nuclear talks”", []string{"Oman hosts nuclear talks"}},
		{"words in the summary", "rafah", "matching “rafah”", []string{"Aid convoy enters Gaza"}},
		{"no match", "football", "No stories match “football”", nil},
		{"search syntax is text", `talks" OR *`, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cb := wantReply(t, e.run(e.command("topic", 0, opt("name", tc.words))), false, tc.header)
			if tc.want != nil && !slices.Equal(titles(cb.Embeds), tc.want) {
				t.Errorf("shows %q, want %q", titles(cb.Embeds), tc.want)
			}
			if ev := e.events.last(t); ev.Outcome != "ok" {
				t.Errorf("outcome %q, want ok", ev.Outcome)
			}
		})
	}
}

func TestAutocomplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	if _, err := e.st.Subscribe(t.Context(), store.Subscription{GuildID: discordtest.DefaultGuildID, ChannelID: discordtest.DefaultChannelID, Topic: "retired-topic", Mode: store.ModeRealtime}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		command, option, typed string
		want                   []string // choice values
	}{
		{"latest", "topic", "mid", []string{topicDiplomacy}},
		{"latest", "topic", "", []string{topicDiplomacy, topicGaza}},
		{"subscribe", "topic", "ceasefire", []string{topicGaza}}, // matches the description
		{"latest", "topic", "zzz", []string{topicDiplomacy, topicGaza}},
		{"topic", "name", "ga", []string{"ga", topicGaza}},
		{"topic", "name", "gaza", []string{topicGaza}},
		{"topic", "name", "oman talks", []string{"oman talks"}},
		{"unsubscribe", "topic", "", []string{"retired-topic"}},
	}
	for _, tc := range tests {
		in := e.srv.CommandInteraction(tc.command, &discordgo.ApplicationCommandInteractionDataOption{
			Type: discordgo.ApplicationCommandOptionString, Name: tc.option, Value: tc.typed, Focused: true})
		in.Type = discordgo.InteractionApplicationCommandAutocomplete
		cb := answer(t, e.run(in))
		var got []string
		for _, c := range cb.Choices {
			got = append(got, fmt.Sprint(c.Value))
			if c.Name == "" || len([]rune(c.Name)) > 100 {
				t.Errorf("choice name %q breaks Discord's 1-100 limit", c.Name)
			}
		}
		if cb.Type != discordgo.InteractionApplicationCommandAutocompleteResult || !slices.Equal(got, tc.want) {
			t.Errorf("/%s %s typed %q: type %d choices %q, want %q", tc.command, tc.option, tc.typed, cb.Type, got, tc.want)
		}
	}
	// Autocomplete changes nothing, so it is not claimed: no store writes
	// on every keystroke.
	if evs := e.events.all(); evs[0].Kind != "autocomplete" || evs[0].Outcome != "ok" {
		t.Errorf("event %+v, want an ok autocomplete", evs[0])
	}
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	for _, topic := range []string{topicDiplomacy, topicGaza} {
		if _, err := e.st.Subscribe(t.Context(), store.Subscription{GuildID: discordtest.DefaultGuildID, ChannelID: discordtest.DefaultChannelID, Topic: topic}); err != nil {
			t.Fatal(err)
		}
	}
	wantReply(t, e.run(e.command("unsubscribe", manage, opt("topic", "Gaza"))), true, "Unsubscribed", "no longer follows **gaza**")
	subs := e.subscriptions(store.SubscriptionFilter{ChannelID: discordtest.DefaultChannelID})
	if len(subs) != 1 || subs[0].Topic != topicDiplomacy {
		t.Fatalf("left %+v, want only %s", subs, topicDiplomacy)
	}
	wantReply(t, e.run(e.command("unsubscribe", manage, opt("topic", topicGaza))), true, "not subscribed to “gaza”", "it follows "+topicDiplomacy)
	wantReply(t, e.run(e.command("unsubscribe", manage, opt("topic", topicDiplomacy))), true, "Unsubscribed")
	wantReply(t, e.run(e.command("unsubscribe", manage, opt("topic", topicDiplomacy))), true, "not subscribed to anything")
}

func TestSubscriptionsShowsPaused(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	ctx := ctxT(t)
	sub := func(channel, topic string, mode store.DeliveryMode, times ...string) {
		s := store.Subscription{GuildID: discordtest.DefaultGuildID, ChannelID: channel, Topic: topic, Mode: mode, DigestTimes: times, Since: t0.Add(-time.Hour)}
		if mode == store.ModeDigest {
			s.Timezone = "Asia/Tehran"
		}
		if _, err := e.st.Subscribe(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	sub(discordtest.DefaultChannelID, topicDiplomacy, store.ModeRealtime)
	sub(otherChannel, topicGaza, store.ModeRealtime)
	sub(otherChannel, topicDiplomacy, store.ModeDigest, "09:00")
	// The other channel was deleted: the poster's send failed for good.
	e.addStory(storyOpts{key: "s", title: "A story", topics: []string{topicGaza}, seen: t0})
	ds, err := e.st.ClaimDeliveries(ctx, "test", t0, time.Minute, 10)
	if err != nil || len(ds) != 1 || ds[0].ChannelID != otherChannel {
		t.Fatalf("claimed %+v, %v; want the other channel's delivery", ds, err)
	}
	if err := e.st.DeliveryFailed(ctx, ds[0].ID, "Discord says Unknown Channel: the channel was deleted", t0); err != nil {
		t.Fatal(err)
	}

	cb := wantReply(t, e.run(e.command("subscriptions", 0)), true, "**"+topicDiplomacy+"**: each story as it appears")
	if strings.Contains(cb.Content, "Paused") || strings.Contains(cb.Content, topicGaza) {
		t.Errorf("channel scope shows another channel's subscriptions:\n%s", cb.Content)
	}
	cb = wantReply(t, e.run(e.command("subscriptions", 0, opt("scope", "server"))), true,
		"<#"+otherChannel+"> **gaza**", "Paused", "Unknown Channel: the channel was deleted", "a digest at 09:00 (Asia/Tehran)")
	if n := strings.Count(cb.Content, "Paused"); n != 2 {
		t.Errorf("server scope shows %d paused subscriptions, want both of the deleted channel's:\n%s", n, cb.Content)
	}

	wantReply(t, e.run(func() *discordgo.Interaction {
		in := e.command("subscriptions", 0)
		in.ChannelID = "900000000000000202"
		return in
	}()), true, "follows no topic yet")
}

func TestSources(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	ctx := ctxT(t)
	// Reuters works: its newest story arrived 12 minutes after publication.
	if err := e.st.EnsureSource(ctx, "reuters", sourceURL("reuters")); err != nil {
		t.Fatal(err)
	}
	pub := t0.Add(-20 * time.Minute)
	if _, err := e.st.RecordPoll(ctx, "reuters", store.Poll{At: pub.Add(12 * time.Minute), Items: []store.NewItem{{Pending: true, Item: storyItem("reuters", "r1", pub, pub.Add(12*time.Minute))}}}); err != nil {
		t.Fatal(err)
	}
	// Al Jazeera worked once, then failed three times.
	if err := e.st.EnsureSource(ctx, "aljazeera", sourceURL("aljazeera")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.RecordPoll(ctx, "aljazeera", store.Poll{At: t0.Add(-3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := e.st.RecordFailure(ctx, "aljazeera", t0.Add(time.Duration(i-3)*time.Minute), "HTTP 503"); err != nil {
			t.Fatal(err)
		}
	}
	// BBC was never polled.

	cb := wantReply(t, e.run(e.command("sources", 0)), false, "3 sources, 1 failing")
	lines := strings.Split(cb.Embeds[0].Description, "\n")
	if len(lines) != 3 {
		t.Fatalf("description %q, want one line per source", cb.Embeds[0].Description)
	}
	for i, want := range [][]string{
		{"**Al Jazeera**", "failing, HTTP 503", "3 tries in a row", "last worked <t:"},
		{"**BBC News**", "not checked yet"},
		{"**Reuters**", "working, last checked <t:", "reached briefbot 12 min after it was published"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q does not contain %q (failing sources first)", i, lines[i], w)
			}
		}
	}
}

func storyItem(src, key string, published, fetched time.Time) story.Item {
	return story.Item{Source: src, Key: key, Link: "https://www." + src + ".example/news/" + key, Title: "Item " + key, Published: published, Fetched: fetched}
}

func TestWhy(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	ctx := ctxT(t)
	posted, storyID := e.addStory(storyOpts{source: "reuters", key: "posted", title: "Envoys meet in Muscat", topics: []string{topicDiplomacy}, seen: t0.Add(-time.Hour)})
	joined, _ := e.addStory(storyOpts{source: "aljazeera", key: "joined", title: "Iran and US talk in Oman", topics: []string{topicDiplomacy}, seen: t0.Add(-30 * time.Minute), join: storyID})
	irrelevant := e.addItem("reuters", "football", "Cup final tonight", true, t0.Add(-2*time.Hour))
	if err := e.st.CompleteItem(ctx, irrelevant.ID, store.Decision{Score: 0.12, Reasons: []string{"no topic terms", "sport section"}, At: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pending := e.addItem("aljazeera", "pending", "Breaking news", true, t0.Add(-time.Minute))
	backlog := e.addItem("bbc", "backlog", "Old report", false, t0.Add(-48*time.Hour))
	if _, err := e.st.RecordFailure(ctx, "bbc", t0.Add(-time.Minute), "timed out after 20s"); err != nil {
		t.Fatal(err)
	}
	// What was read of the posted items' article pages, as the pipeline saves it.
	arts, ok := any(e.st).(store.ItemArticles)
	if !ok {
		t.Fatalf("%T does not keep item articles", e.st)
	}
	for _, a := range []store.ItemArticle{
		{Link: posted.Link, From: store.FromArticle, Words: 812, Text: "Envoys met.", At: t0},
		{Link: joined.Link, From: store.FromTeaser, Reason: "robots", Detail: "robots.txt disallows article pages on this host", At: t0},
	} {
		if err := arts.SaveItemArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name, url string
		want      []string
	}{
		{"posted", posted.Link, []string{"Envoys meet in Muscat", "Posted", "relevant to **mideast-diplomacy** (score 0.87)", "started the story", "Reasons", "IAEA", "summary from: article, 812 words"}},
		{"posted, pasted with tracking and angle brackets", "<" + posted.Link + "?utm_source=share#top>", []string{"Posted"}},
		{"joined another outlet's story", joined.Link, []string{"Posted", "**Reuters** reported the same event first", "instead of being posted again",
			"summary from: teaser — robots.txt disallows article pages on this host"}},
		{"not relevant", irrelevant.Link, []string{"Not posted: not relevant", "score was 0.12", "no topic terms", "sport section"}},
		{"pending", pending.Link, []string{"Not decided yet", "**Al Jazeera**"}},
		{"first poll backlog", backlog.Link, []string{"Seen, not posted", "already in the feed"}},
		{"never seen, source failing", "https://www.bbc.example/news/other", []string{"has not seen that article", "**BBC News**", "failing, timed out after 20s"}},
		{"never seen, source working", "https://feeds.reuters.example/news/other", []string{"has not seen that article", "**Reuters**: working"}},
		{"never seen, unknown site", "https://news.unknown.example/a", []string{"none of its sources publishes from news.unknown.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReply(t, e.run(e.command("why", 0, opt("url", tc.url))), true, tc.want...)
		})
	}
}

func TestSameInteractionTwiceAnsweredOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	e.addStory(storyOpts{key: "a", title: "A story", topics: []string{topicGaza}, seen: t0})
	in, err := e.srv.DispatchInteraction(e.command("subscribe", manage, opt("topic", topicGaza)))
	if err != nil {
		t.Fatal(err)
	}
	e.events.waitLen(t, 1)
	if _, err := e.srv.DispatchInteraction(in); err != nil { // Discord delivers it again
		t.Fatal(err)
	}
	e.events.waitLen(t, 2)
	rec, _ := e.srv.Interaction(in.ID)
	if len(rec.Callbacks) != 1 || len(rec.Followups) != 1 {
		t.Errorf("%d callbacks and %d followups, want one answer and one catch-up", len(rec.Callbacks), len(rec.Followups))
	}
	if n := len(e.srv.RequestsMatching("POST /interactions/{id}/{token}/callback")); n != 1 {
		t.Errorf("%d callback requests, want 1: the second delivery must not even try", n)
	}
	var outcomes []string
	for _, ev := range e.events.all() {
		outcomes = append(outcomes, ev.Outcome)
	}
	if !slices.Equal(outcomes, []string{"ok", "duplicate"}) {
		t.Errorf("outcomes %q, want ok then duplicate", outcomes)
	}
}

func TestSlowCommandIsDeferred(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      error
		wantOrig  bool // the deferred placeholder becomes the answer
		wantFinal string
	}{
		{"answer edited in", nil, true, "Story one"},
		{"failure replaces the public placeholder with a private apology", errors.New("disk on fire"), false, "Something went wrong; try again."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &gatedStore{gate: make(chan struct{}), fail: tc.fail}
			e := newEnv(t, g.wrap, func(o *bot.Options) { o.DeferAfter = time.Millisecond }).open()
			e.addStory(storyOpts{key: "one", title: "Story one", topics: []string{topicDiplomacy}, seen: t0})

			in, err := e.srv.DispatchInteraction(e.command("latest", 0))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.srv.WaitInteractionResponse(ctxT(t), in.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cb := answer(t, rec); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Ephemeral() {
				t.Fatalf("first response %+v, want a public deferral while the store is slow", cb)
			}
			close(g.gate)
			e.events.waitLen(t, 1)
			rec, _ = e.srv.Interaction(in.ID)
			ev := e.events.last(t)
			if !ev.Deferred || ev.Latency > ev.Total {
				t.Errorf("event %+v, want deferred with latency up to the deferral", ev)
			}
			if tc.wantOrig {
				if rec.Original == nil || rec.Original.Flags&discordgo.MessageFlagsLoading != 0 || !slices.Equal(titles(rec.Original.Embeds), []string{"Story one"}) {
					t.Fatalf("original %+v, want the story edited in", rec.Original)
				}
				wantNoMentions(t, rec.Original.AllowedMentions)
				return
			}
			if rec.Original != nil || len(rec.Followups) != 1 || rec.Followups[0].Content != tc.wantFinal ||
				rec.Followups[0].Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Fatalf("original %+v, followups %+v; want the placeholder deleted and an ephemeral %q", rec.Original, rec.Followups, tc.wantFinal)
			}
			if ev.Outcome != "error" {
				t.Errorf("outcome %q, want error", ev.Outcome)
			}
		})
	}
}

func TestFailureIsLoggedNotShown(t *testing.T) {
	t.Parallel()
	g := &gatedStore{gate: make(chan struct{}), fail: errors.New("database is locked (SQLITE_BUSY)")}
	close(g.gate)
	e := newEnv(t, g.wrap).open()
	cb := wantReply(t, e.run(e.command("topic", 0, opt("name", "talks"))), true, "Something went wrong; try again.")
	if strings.Contains(cb.Content, "SQLITE") {
		t.Errorf("the user sees internals: %q", cb.Content)
	}
	recs := e.logs.records("command failed")
	if len(recs) != 1 {
		t.Fatalf("logged %d 'command failed' records, want 1", len(recs))
	}
	for k, want := range map[string]string{"command": "topic", "guild": discordtest.DefaultGuildID, "channel": discordtest.DefaultChannelID} {
		if recs[0][k] != want {
			t.Errorf("log %s = %v, want %q", k, recs[0][k], want)
		}
	}
	if err, _ := recs[0]["err"].(string); !strings.Contains(err, "SQLITE_BUSY") {
		t.Errorf("log err = %v, want the store's error", recs[0]["err"])
	}
}

// A source whose last poll looked wrong says so in /sources.
func TestSourcesShowsHealthWarning(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	ctx := ctxT(t)
	if err := e.st.EnsureSource(ctx, "reuters", sourceURL("reuters")); err != nil {
		t.Fatal(err)
	}
	pub := t0.Add(-20 * time.Minute)
	if _, err := e.st.RecordPoll(ctx, "reuters", store.Poll{At: pub, Items: []store.NewItem{{Pending: true, Item: storyItem("reuters", "r1", pub, pub)}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSourceWarning(ctx, "reuters", "no items found: the document parsed but listed no items", t0); err != nil {
		t.Fatal(err)
	}
	cb := wantReply(t, e.run(e.command("sources", 0)), false)
	if d := cb.Embeds[0].Description; !strings.Contains(d, "⚠️ **Reuters**: working, but no items found") {
		t.Errorf("/sources = %q, want Reuters' warning", d)
	}
}
