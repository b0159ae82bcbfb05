package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

const manageServer = discordgo.PermissionManageGuild

// withGuild enables /feeds and /topics with a fetch that serves one feed
// document per URL ("" items: the fetch fails) and counts Changed calls.
func withGuild(maxFeeds int, changed *atomic.Int32) envOption {
	return func(o *bot.Options) {
		o.Guild = &bot.GuildOptions{
			Fetch: func(_ context.Context, url string) (string, []story.Item, error) {
				if strings.Contains(url, "broken") {
					return "", nil, errors.New("HTTP 404")
				}
				return "A Feed", []story.Item{{Source: "x", Key: "k", Title: "Envoys meet in Muscat", Published: t0}}, nil
			},
			Reason:   func(err error) string { return err.Error() },
			Changed:  func(context.Context) error { changed.Add(1); return nil },
			MaxFeeds: maxFeeds,
		}
	}
}

func subcommand(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

func roleOpt(id string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: "mention", Type: discordgo.ApplicationCommandOptionRole, Value: id}
}

func TestGuildCommandsBadArguments(t *testing.T) {
	t.Parallel()
	var changed atomic.Int32
	e := newEnv(t, withGuild(1, &changed)).open()
	// The one feed the server may have.
	wantReply(t, e.run(e.command("feeds", manageServer, subcommand("add", opt("url", "https://a.example/feed")))), true, "Added **A Feed**")
	if changed.Load() != 1 {
		t.Errorf("Changed called %d times after /feeds add, want 1", changed.Load())
	}
	withAppPerms := func(in *discordgo.Interaction, p int64) *discordgo.Interaction {
		in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks | p
		return in
	}
	tests := []struct {
		name string
		in   *discordgo.Interaction
		want []string
	}{
		{"feeds without Manage Server", e.command("feeds", manage, subcommand("list")), []string{"Manage Server"}},
		{"not a URL", e.command("feeds", manageServer, subcommand("add", opt("url", "example.com/feed"))), []string{"not a feed address", "https://"}},
		{"a file path", e.command("feeds", manageServer, subcommand("add", opt("url", "/etc/passwd"))), []string{"not a feed address"}},
		{"unreadable feed", e.command("feeds", manageServer, subcommand("add", opt("url", "https://broken.example/feed"))), []string{"could not read", "HTTP 404"}},
		{"over the limit", e.command("feeds", manageServer, subcommand("add", opt("url", "https://b.example/feed"))), []string{"already has 1 feeds", "/feeds remove"}},
		{"removing an unknown feed", e.command("feeds", manageServer, subcommand("remove", opt("url", "https://c.example/feed"))), []string{"no feed"}},
		{"topic without include", e.command("topics", manageServer, subcommand("create", opt("name", "water"), opt("description", "d"), opt("include", " , "))), []string{"does not work", "include"}},
		{"topic named like a configured one", e.command("topics", manageServer, subcommand("create", opt("name", topicGaza), opt("description", "d"), opt("include", "gaza"))), []string{"already a topic"}},
		{"deleting an unknown topic", e.command("topics", manageServer, subcommand("delete", opt("name", "nope"))), []string{"no topic"}},
		{"unknown outlet", withAppPerms(e.command("subscribe", manage, opt("topic", topicGaza), opt("outlets", "bbc, Fox")), 0), []string{"no outlet “Fox”"}},
		{"mention in a digest", withAppPerms(e.command("subscribe", manage, opt("topic", topicGaza), opt("mode", "digest"), roleOpt("900000000000000700")), discordgo.PermissionMentionEveryone), []string{"realtime subscriptions only"}},
		{"mention @everyone", withAppPerms(e.command("subscribe", manage, opt("topic", topicGaza), roleOpt("900000000000000100")), discordgo.PermissionMentionEveryone), []string{"never pings @everyone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantReply(t, e.run(tc.in), true, tc.want...)
		})
	}
	if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 0 {
		t.Errorf("bad /subscribe calls stored %+v", subs)
	}
	if changed.Load() != 1 {
		t.Errorf("Changed called %d times; refused commands must change nothing", changed.Load())
	}
}

// Outlets are matched by name or display name, and subscribing again
// replaces the options.
func TestSubscribeOutletsAndMention(t *testing.T) {
	t.Parallel()
	var changed atomic.Int32
	e := newEnv(t, withGuild(5, &changed)).open()
	in := e.command("subscribe", manage, opt("topic", topicGaza), opt("outlets", "BBC News, reuters"), roleOpt("900000000000000700"))
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks | discordgo.PermissionMentionEveryone
	wantReply(t, e.run(in), true, "Subscribed", "only from bbc and reuters", "pinging <@&900000000000000700>")
	subs := e.subscriptions(store.SubscriptionFilter{})
	if len(subs) != 1 || strings.Join(subs[0].Outlets, ",") != "bbc,reuters" || subs[0].MentionRole != "900000000000000700" {
		t.Fatalf("stored %+v", subs)
	}
	in = e.command("subscribe", manage, opt("topic", topicGaza))
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks
	wantReply(t, e.run(in), true, "Updated")
	if subs := e.subscriptions(store.SubscriptionFilter{}); len(subs) != 1 || len(subs[0].Outlets) != 0 || subs[0].MentionRole != "" {
		t.Errorf("after subscribing again without options: %+v", subs)
	}
}

// /feeds and /topics are registered only with GuildOptions, for Manage
// Server by default, in servers only.
func TestGuildCommandDefinitions(t *testing.T) {
	t.Parallel()
	var changed atomic.Int32
	e := newEnv(t, withGuild(5, &changed)).open()
	byName := map[string]*discordgo.ApplicationCommand{}
	for _, c := range e.srv.Commands() {
		byName[c.Name] = c
	}
	for name, subs := range map[string][]string{"feeds": {"add", "remove", "list"}, "topics": {"create", "list", "delete"}} {
		c := byName[name]
		if c == nil {
			t.Fatalf("/%s not registered", name)
		}
		if p := c.DefaultMemberPermissions; p == nil || *p != manageServer {
			t.Errorf("/%s default member permissions %v, want Manage Server", name, p)
		}
		if c.Contexts == nil || len(*c.Contexts) != 1 || (*c.Contexts)[0] != discordgo.InteractionContextGuild {
			t.Errorf("/%s contexts %v, want servers only", name, c.Contexts)
		}
		var got []string
		for _, o := range c.Options {
			got = append(got, o.Name)
		}
		if strings.Join(got, ",") != strings.Join(subs, ",") {
			t.Errorf("/%s subcommands %q, want %q", name, got, subs)
		}
	}
	if plain := newEnv(t).open(); len(plain.srv.Commands()) != 7 {
		t.Errorf("without GuildOptions %d commands are registered, want the 7 others", len(plain.srv.Commands()))
	}
}

// outlets completes the last of the comma-separated outlets typed, from
// the configured ones and the server's own feeds only.
func TestOutletAutocomplete(t *testing.T) {
	t.Parallel()
	var changed atomic.Int32
	e := newEnv(t, withGuild(5, &changed)).open()
	addLocalAndOtherFeeds(t, e)
	tests := []struct {
		typed string
		want  []string
	}{
		{"bb", []string{"bbc"}},
		{"Al Jaz", []string{"aljazeera"}},
		{"bbc, re", []string{"bbc,reuters"}},
		{"paper", []string{"guild:local"}}, // not another server's
	}
	for _, tc := range tests {
		in := e.srv.CommandInteraction("subscribe",
			opt("topic", topicGaza),
			&discordgo.ApplicationCommandInteractionDataOption{Type: discordgo.ApplicationCommandOptionString, Name: "outlets", Value: tc.typed, Focused: true})
		in.Type = discordgo.InteractionApplicationCommandAutocomplete
		cb := answer(t, e.run(in))
		var got []string
		for _, c := range cb.Choices {
			got = append(got, fmt.Sprint(c.Value))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("outlets typed %q: choices %q, want %q", tc.typed, got, tc.want)
		}
	}
	// /feeds remove completes the server's own feeds.
	in := e.srv.CommandInteraction("feeds", subcommand("remove",
		&discordgo.ApplicationCommandInteractionDataOption{Type: discordgo.ApplicationCommandOptionString, Name: "url", Value: "", Focused: true}))
	in.Type = discordgo.InteractionApplicationCommandAutocomplete
	in.Member = discordtest.Member(discordtest.DefaultUserID, manageServer)
	cb := answer(t, e.run(in))
	if len(cb.Choices) != 1 || cb.Choices[0].Value != "https://local.example/feed" {
		t.Errorf("/feeds remove url choices %+v, want the server's one feed", cb.Choices)
	}
}

// A story headed by another server's own feed is shown to this server by
// the outlets it may see: that feed's headline, link and summary stay out.
func TestLatestHidesOtherServersOwnFeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	private := store.GuildSourcePrefix + "elsewhere"
	_, id := e.addStory(storyOpts{source: private, key: "p", title: "Private feed headline", topics: []string{topicDiplomacy}, seen: t0.Add(-2 * time.Hour)})
	e.addStory(storyOpts{key: "r", title: "Envoys meet in Muscat", topics: []string{topicDiplomacy}, seen: t0.Add(-time.Hour), join: id})
	e.addStory(storyOpts{source: private, key: "q", title: "Private feed only", topics: []string{topicDiplomacy}, seen: t0})

	rec := e.run(e.command("latest", 0))
	cb := wantReply(t, rec, false, "The newest story on **"+topicDiplomacy+"**")
	if len(cb.Embeds) != 1 {
		t.Fatalf("/latest shows %q, want only the story with an outlet this server sees", titles(cb.Embeds))
	}
	got := cb.Embeds[0]
	if got.Title != "Envoys meet in Muscat" || got.URL != "https://www.reuters.example/news/r" {
		t.Errorf("embed headed %q %s, want the visible report's headline and link", got.Title, got.URL)
	}
	if text := embedText(got); strings.Contains(text, "Private") || strings.Contains(text, "elsewhere") {
		t.Errorf("embed shows another server's own feed:\n%s", text)
	}

	// /why on the visible report names no hidden report either.
	rec = e.run(e.command("why", 0, opt("url", "https://www.reuters.example/news/r")))
	cb = wantReply(t, rec, true)
	if text := embedText(cb.Embeds[0]); strings.Contains(text, "Private") || strings.Contains(text, "elsewhere") || !strings.Contains(text, "Envoys meet in Muscat") {
		t.Errorf("/why shows another server's own feed, or not the story:\n%s", text)
	}
}

// /sources lists the operator's feeds and this server's own, never another
// server's.
func TestSourcesListsOwnFeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	addLocalAndOtherFeeds(t, e)
	cb := wantReply(t, e.run(e.command("sources", 0)), false, "4 sources")
	d := cb.Embeds[0].Description
	if !strings.Contains(d, "**Local Paper**") || strings.Contains(d, "Other Paper") {
		t.Errorf("/sources = %q, want the server's own Local Paper and not another server's feed", d)
	}
}

// A server's own feed is named by its outlet, not its internal source name.
func TestOwnFeedShownByOutletName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *bot.Options) {
		o.OutletName = func(src string) string {
			if src == "guild:local" {
				return "Local Paper"
			}
			return src
		}
	}).open()
	if _, err := e.st.AddGuildFeed(t.Context(), store.GuildFeed{GuildID: discordtest.DefaultGuildID, URL: "https://local.example/feed", Source: "guild:local", Outlet: "Local Paper", Added: t0}, 0); err != nil {
		t.Fatal(err)
	}
	e.addStory(storyOpts{source: "guild:local", key: "l", title: "Envoys meet in Muscat", topics: []string{topicDiplomacy}, seen: t0})
	cb := wantReply(t, e.run(e.command("latest", 0)), false)
	if text := embedText(cb.Embeds[0]); !strings.Contains(text, "Local Paper") || strings.Contains(text, "guild:") {
		t.Errorf("embed names the outlet as:\n%s\nwant Local Paper", text)
	}
}

// A reload's sources replace the configured ones in /sources.
func TestSetSourcesReplacesTheList(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	e.bot.SetSources([]bot.SourceInfo{{Name: "extra", Outlet: "Extra Paper", URL: "https://extra.example/feed"}})
	cb := wantReply(t, e.run(e.command("sources", 0)), false, "1 source")
	if d := cb.Embeds[0].Description; !strings.Contains(d, "**Extra Paper**") || strings.Contains(d, "Reuters") {
		t.Errorf("/sources = %q, want only the reloaded Extra Paper", d)
	}
}

// addLocalAndOtherFeeds stores two servers' own feeds, each polled once:
// this server's Local Paper (guild:local) and another server's Other Paper.
func addLocalAndOtherFeeds(t *testing.T, e *env) {
	t.Helper()
	for _, f := range []store.GuildFeed{
		{GuildID: discordtest.DefaultGuildID, URL: "https://local.example/feed", Source: "guild:local", Outlet: "Local Paper", Added: t0},
		{GuildID: "900000000000000999", URL: "https://other.example/feed", Source: "guild:other", Outlet: "Other Paper", Added: t0},
	} {
		if _, err := e.st.AddGuildFeed(t.Context(), f, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.st.EnsureSource(t.Context(), f.Source, f.URL); err != nil {
			t.Fatal(err)
		}
	}
}

// /why on an article only another server's own feed carried answers as for
// an article briefbot never saw: naming that feed, or what was decided for
// its article, would tell this server what another one reads.
func TestWhyHidesOtherServersOwnFeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *bot.Options) {
		o.OutletName = func(src string) string {
			if src == "guild:other" {
				return "Other Paper"
			}
			return src
		}
	}).open()
	addLocalAndOtherFeeds(t, e)
	ctx := t.Context()
	link := "https://other.example/news/budget"
	it := story.Item{Source: "guild:other", Key: "budget", Link: link, Title: "Council approves the budget", Published: t0.Add(-time.Hour), Fetched: t0}
	ins, err := e.st.RecordPoll(ctx, it.Source, store.Poll{At: t0, Items: []store.NewItem{{Item: it, Pending: true}}})
	if err != nil || len(ins) != 1 {
		t.Fatalf("RecordPoll: %v, %d inserted", err, len(ins))
	}
	if err := e.st.CompleteItem(ctx, ins[0].ID, store.Decision{Relevant: true, Score: 0.9, Topics: []string{topicDiplomacy},
		Reasons: []string{"mentions the council"}, Summary: "The council met.", At: t0}); err != nil {
		t.Fatal(err)
	}
	cb := wantReply(t, e.run(e.command("why", 0, opt("url", link))), true, "has not seen that article")
	text := cb.Content
	for _, em := range cb.Embeds {
		text += "\n" + embedText(em)
	}
	for _, hidden := range []string{"Other Paper", "guild:", "Council approves", "Posted", "council"} {
		if strings.Contains(text, hidden) {
			t.Errorf("/why shows %q of another server's own feed:\n%s", hidden, text)
		}
	}
	// The operator (briefbot why) sees every server's feeds.
	if out, err := e.bot.Explain(ctx, link); err != nil || !strings.Contains(out, "Posted") || !strings.Contains(out, "Other Paper") {
		t.Errorf("Explain = %q, %v; want the decision, in the Other Paper feed", out, err)
	}
}

// A subscription limited to some outlets catches up only on their stories,
// as it is sent only theirs from then on.
func TestCatchUpKeepsToTheOutlets(t *testing.T) {
	t.Parallel()
	e := newEnv(t).open()
	e.addStory(storyOpts{source: "reuters", key: "r", title: "Reuters only", topics: []string{topicGaza}, seen: t0.Add(-3 * time.Hour)})
	_, joined := e.addStory(storyOpts{source: "reuters", key: "j", title: "Reuters first", topics: []string{topicGaza}, seen: t0.Add(-2 * time.Hour)})
	e.addStory(storyOpts{source: "bbc", key: "jb", title: "BBC joins", topics: []string{topicGaza}, seen: t0.Add(-110 * time.Minute), join: joined})
	e.addStory(storyOpts{source: "bbc", key: "b", title: "BBC only", topics: []string{topicGaza}, seen: t0.Add(-time.Hour)})
	rec := e.run(e.command("subscribe", manage, opt("topic", topicGaza), opt("outlets", "BBC News")))
	wantReply(t, rec, true, "Subscribed", "only from bbc")
	if len(rec.Followups) != 1 {
		t.Fatalf("got %d followups, want the catch-up", len(rec.Followups))
	}
	if got, want := titles(rec.Followups[0].Embeds), []string{"BBC only", "Reuters first"}; !slices.Equal(got, want) {
		t.Errorf("catch-up shows %q, want only stories BBC carried: %q", got, want)
	}
}
