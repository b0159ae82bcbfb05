package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/config"
)

// Another server and channel than the fake's defaults.
const (
	otherGuildID   = "900000000000000500"
	otherChannelID = "900000000000000501"
	roleID         = "900000000000000600"
)

const onTopicTitle = "Iran and US resume nuclear talks in Oman"
const onTopicText = "Iranian Foreign Minister Abbas Araghchi and US envoy Steve Witkoff held indirect negotiations in Muscat, mediated by Oman."

// guildRun is briefbot run against a fake Discord, with a hangup channel
// for SIGHUP and the config file it re-reads.
type guildRun struct {
	t        *testing.T
	fake     *discordtest.Server
	log      *syncBuffer
	ctx      context.Context
	cfgPath  string
	hangup   chan os.Signal
	stopOnce sync.Once
	stop     func() int
}

func startGuildRun(t *testing.T, doc string) *guildRun {
	t.Helper()
	fake := discordtest.New(t)
	r := &guildRun{t: t, fake: fake, cfgPath: filepath.Join(t.TempDir(), "briefbot.yaml"), hangup: make(chan os.Signal, 1)}
	if err := os.WriteFile(r.cfgPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func() (*config.Config, error) {
		cfg, err := config.Load(r.cfgPath, func(k string) string {
			if k == "DISCORD_TOKEN" {
				return strings.TrimPrefix(fake.Token(), "Bot ")
			}
			return ""
		})
		if err == nil {
			// The config's 30s floor is for real feeds; tests poll faster.
			cfg.Polling.Interval = 200 * time.Millisecond
		}
		return cfg, err
	}
	cfg, err := load()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	r.log = errOut
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" },
		configureDiscord: fake.Configure, hangup: r.hangup}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runBotReloading(ctx, e, cfg, newLogger(errOut, "info", "text"), load) }()
	r.stop = stopRun(t, cancel, done, errOut)
	t.Cleanup(func() { r.stopOnce.Do(func() { r.stop() }) })
	var stopCtx context.CancelFunc
	r.ctx, stopCtx = context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(stopCtx)
	if err := fake.WaitFor(r.ctx, func() bool { return len(fake.Commands()) >= 9 }); err != nil {
		t.Fatalf("commands not registered: %v\nlog:\n%s", err, errOut)
	}
	return r
}

// command dispatches /name in guild and channel by a member with perms,
// and returns the final answer's text.
func (r *guildRun) command(guild, channel string, perms int64, in *discordgo.Interaction) string {
	r.t.Helper()
	in.GuildID, in.ChannelID = guild, channel
	in.Member = discordtest.Member(discordtest.DefaultUserID, perms|discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
	in.AppPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks
	sent, err := r.fake.DispatchInteraction(in)
	if err != nil {
		r.t.Fatal(err)
	}
	rec, err := r.fake.WaitInteraction(r.ctx, sent.ID, func(rec discordtest.InteractionRecord) bool {
		return rec.Original != nil && rec.Original.Content != ""
	})
	if err != nil {
		r.t.Fatalf("/%s not answered: %v\nlog:\n%s", in.ApplicationCommandData().Name, err, r.log)
	}
	return rec.Original.Content
}

// sub is a subcommand option holding opts.
func sub(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

func (f *feedServer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func guildDoc(t *testing.T, wireURL string) string {
	return docWith(filepath.Join(t.TempDir(), "bb.db"), wireURL, "")
}

// docWith is a config with the wire source, the database at db and more
// YAML after the sources list (further sources, or a topics section).
func docWith(db, wireURL, more string) string {
	return fmt.Sprintf(`
log: {level: info, format: text}
database: {path: %s}
admin: {listen: ""}
discord: {application_id: "%s"}
polling: {allow_private_networks: true}
sources:
  - name: wire
    url: %s/feed.xml
    outlet: Test Wire
%s`, db, discordtest.AppID, wireURL, more)
}

// A feed one server adds with /feeds add is previewed, then polled from
// the next tick, and its relevant item is posted once, in that server's
// subscribed channel only; removing it stops its polls.
func TestFeedsAddedFromDiscordServeOnlyThatServer(t *testing.T) {
	wire, local := &feedServer{}, &feedServer{}
	wireSrv, localSrv := httptest.NewServer(wire), httptest.NewServer(local)
	defer wireSrv.Close()
	defer localSrv.Close()
	now := time.Now().UTC()
	local.set(
		rssItem("l-old", "Oman hosts Iran nuclear talks", onTopicText, now.Add(-2*time.Hour)),
		rssItem("l-sport", "Local football club wins the cup", "The home side won 2-1.", now.Add(-3*time.Hour)),
	)
	r := startGuildRun(t, guildDoc(t, wireSrv.URL))
	manageCh := int64(discordgo.PermissionManageChannels | discordgo.PermissionEmbedLinks)
	for _, ch := range []struct{ guild, channel string }{{discordtest.DefaultGuildID, discordtest.DefaultChannelID}, {otherGuildID, otherChannelID}} {
		r.command(ch.guild, ch.channel, manageCh, r.fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "mideast-diplomacy")))
	}

	feedURL := localSrv.URL + "/local.xml"
	add := r.fake.CommandInteraction("feeds", sub("add", discordtest.CommandOption("url", feedURL), discordtest.CommandOption("outlet", "Local Paper")))
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, manageCh, add); !strings.Contains(got, "Manage Server") {
		t.Errorf("/feeds add without Manage Server answered %q; want a refusal naming the permission", got)
	}
	add = r.fake.CommandInteraction("feeds", sub("add", discordtest.CommandOption("url", feedURL), discordtest.CommandOption("outlet", "Local Paper")))
	got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild, add)
	for _, want := range []string{"Added **Local Paper**", "2 items", "Test Wire", "Of its 2 items from the last 24 hours", "would have posted 1", "Oman hosts Iran nuclear talks"} {
		if !strings.Contains(got, want) {
			t.Errorf("/feeds add answered %q; want it to contain %q", got, want)
		}
	}
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	bad := r.fake.CommandInteraction("feeds", sub("add", discordtest.CommandOption("url", missing.URL+"/feed.xml")))
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild, bad); !strings.Contains(got, "could not read") || !strings.Contains(got, "404") {
		t.Errorf("/feeds add of an unreadable feed answered %q; want a refusal with the reason", got)
	}

	// The feed is polled from the next tick: its backlog is recorded as
	// seen, then a new relevant item is posted.
	waitFor(t, "the added feed's first poll", func() bool { return local.count() >= 3 })
	local.set(
		rssItem("l-new", onTopicTitle, onTopicText, time.Now().UTC()),
		rssItem("l-old", "Oman hosts Iran nuclear talks", onTopicText, now.Add(-2*time.Hour)),
	)
	if _, err := r.fake.WaitMessages(r.ctx, discordtest.DefaultChannelID, 1); err != nil {
		t.Fatalf("%v\nlog:\n%s", err, r.log)
	}
	time.Sleep(time.Second) // more polls: still one post, and none elsewhere
	if p := storyPosts(r.fake, discordtest.DefaultChannelID); len(p) != 1 || !strings.Contains(p[0].Embeds[0].Title, "nuclear talks in Oman") {
		t.Errorf("the adding server's channel has posts %+v; want the new story once", p)
	}
	if p := storyPosts(r.fake, otherChannelID); len(p) != 0 {
		t.Errorf("another server's channel got %d posts from a feed it did not add", len(p))
	}

	// The operator's feed serves both servers, so the other channel was
	// listening all along.
	wire.set(rssItem("w1", "Iran and Saudi Arabia reopen embassies in Tehran and Riyadh",
		"Iranian Foreign Minister Abbas Araghchi and his Saudi counterpart met in Beijing to restore diplomatic ties.", time.Now().UTC()))
	if _, err := r.fake.WaitMessages(r.ctx, otherChannelID, 1); err != nil {
		t.Fatalf("the operator's story did not reach the other server: %v\nlog:\n%s", err, r.log)
	}
	if p := storyPosts(r.fake, otherChannelID); len(p) != 1 || !strings.Contains(p[0].Embeds[0].Title, "embassies") {
		t.Errorf("the other server's channel has posts %+v; want the operator's story only", p)
	}

	// /latest in the other server shows the operator's story, not the
	// one only the first server's feed carried.
	latest := func(guild, channel string) string {
		in := r.fake.CommandInteraction("latest")
		in.GuildID, in.ChannelID = guild, channel
		sent, err := r.fake.DispatchInteraction(in)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.fake.WaitInteraction(r.ctx, sent.ID, func(rec discordtest.InteractionRecord) bool {
			return rec.Original != nil && len(rec.Original.Embeds) > 0
		})
		if err != nil {
			t.Fatalf("/latest: %v", err)
		}
		var titles []string
		for _, e := range rec.Original.Embeds {
			titles = append(titles, e.Title)
		}
		return strings.Join(titles, " | ")
	}
	if got := latest(otherGuildID, otherChannelID); !strings.Contains(got, "embassies") || strings.Contains(got, "Oman") {
		t.Errorf("/latest in the other server = %q; want the operator's story only", got)
	}
	if got := latest(discordtest.DefaultGuildID, discordtest.DefaultChannelID); !strings.Contains(got, "embassies") || !strings.Contains(got, "Oman") {
		t.Errorf("/latest in the adding server = %q; want both stories", got)
	}

	list := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild,
		r.fake.CommandInteraction("feeds", sub("list")))
	if !strings.Contains(list, "Local Paper") || !strings.Contains(list, "working: last read") || !strings.Contains(list, "next poll") {
		t.Errorf("/feeds list = %q; want the feed with its health in words", list)
	}
	// The other server does not see it.
	if other := r.command(otherGuildID, otherChannelID, discordgo.PermissionManageGuild, r.fake.CommandInteraction("feeds", sub("list"))); strings.Contains(other, "Local Paper") {
		t.Errorf("another server's /feeds list = %q; want none of the first server's feeds", other)
	}

	rm := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild,
		r.fake.CommandInteraction("feeds", sub("remove", discordtest.CommandOption("url", feedURL))))
	if !strings.Contains(rm, "Removed") {
		t.Fatalf("/feeds remove answered %q", rm)
	}
	stopped := local.count()
	time.Sleep(time.Second) // five intervals
	if n := local.count(); n != stopped {
		t.Errorf("the removed feed was fetched %d more times", n-stopped)
	}
	if p := storyPosts(r.fake, discordtest.DefaultChannelID); len(p) != 2 {
		t.Errorf("after removal the channel has %d posts; want its two stories to stay", len(p))
	}
}

// A role subscription pings exactly its role, and a topic created with
// /topics create is subscribable at once and gets its matching story.
func TestGuildTopicWithRoleMention(t *testing.T) {
	wire := &feedServer{}
	wireSrv := httptest.NewServer(wire)
	defer wireSrv.Close()
	r := startGuildRun(t, guildDoc(t, wireSrv.URL))
	waitFor(t, "the wire's first poll", func() bool { return wire.count() >= 1 })

	create := r.fake.CommandInteraction("topics", sub("create",
		discordtest.CommandOption("name", "water-rights"),
		discordtest.CommandOption("description", "Dams and rivers shared by Iran and its neighbours"),
		discordtest.CommandOption("include", "dam, river, water share"),
		discordtest.CommandOption("exclude", "flood"),
		discordtest.CommandOption("require", "helmand, tigris, euphrates")))
	got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild, create)
	if !strings.Contains(got, "Created **water-rights**") || !strings.Contains(got, "would have matched none") {
		t.Errorf("/topics create answered %q", got)
	}
	badTopic := r.fake.CommandInteraction("topics", sub("create",
		discordtest.CommandOption("name", "Bad Name"), discordtest.CommandOption("description", "x"), discordtest.CommandOption("include", "dam")))
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild, badTopic); !strings.Contains(got, "does not work") {
		t.Errorf("/topics create with a bad name answered %q; want the config file's check in words", got)
	}

	// The topic is offered to this server only.
	ac := func(guild string) []string {
		in := r.fake.CommandInteraction("subscribe", &discordgo.ApplicationCommandInteractionDataOption{
			Name: "topic", Type: discordgo.ApplicationCommandOptionString, Value: "water", Focused: true})
		in.Type = discordgo.InteractionApplicationCommandAutocomplete
		in.GuildID = guild
		if guild == otherGuildID {
			in.ChannelID = otherChannelID
		}
		sent, err := r.fake.DispatchInteraction(in)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.fake.WaitInteractionResponse(r.ctx, sent.ID)
		if err != nil || len(rec.Callbacks) == 0 {
			t.Fatalf("autocomplete not answered: %v", err)
		}
		var names []string
		for _, c := range rec.Callbacks[0].Choices {
			names = append(names, fmt.Sprint(c.Value))
		}
		return names
	}
	if names := ac(discordtest.DefaultGuildID); !slices.Contains(names, "water-rights") {
		t.Errorf("/subscribe autocomplete in the server = %q; want its topic", names)
	}
	if names := ac(otherGuildID); slices.Contains(names, "water-rights") {
		t.Errorf("/subscribe autocomplete in another server = %q; want no trace of the first's topic", names)
	}

	subscribe := r.fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "water-rights"),
		&discordgo.ApplicationCommandInteractionDataOption{Name: "mention", Type: discordgo.ApplicationCommandOptionRole, Value: roleID})
	subscribe.Data = withRole(subscribe.ApplicationCommandData(), &discordgo.Role{ID: roleID, Name: "analysts", Mentionable: false})
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageChannels, subscribe); !strings.Contains(got, "cannot ping @analysts") {
		t.Errorf("/subscribe with a role the bot cannot ping answered %q; want it said", got)
	}
	subscribe = r.fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "water-rights"),
		&discordgo.ApplicationCommandInteractionDataOption{Name: "mention", Type: discordgo.ApplicationCommandOptionRole, Value: roleID},
		discordtest.CommandOption("outlets", "Test Wire"))
	subscribe.Data = withRole(subscribe.ApplicationCommandData(), &discordgo.Role{ID: roleID, Name: "analysts", Mentionable: true})
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageChannels, subscribe); !strings.Contains(got, "Subscribed") || !strings.Contains(got, "pinging <@&"+roleID+">") || !strings.Contains(got, "only from wire") {
		t.Errorf("/subscribe with a role answered %q", got)
	}
	subs := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, 0, r.fake.CommandInteraction("subscriptions"))
	if !strings.Contains(subs, "**water-rights**") || !strings.Contains(subs, "pinging <@&"+roleID+">") {
		t.Errorf("/subscriptions = %q; want the topic with its options", subs)
	}

	wire.set(
		rssItem("w1", "Afghanistan opens a new dam on the Helmand river", "Iran says the dam cuts the water share the 1973 treaty gives it.", time.Now().UTC()),
		rssItem("w2", "Local football club wins the cup", "The home side won 2-1.", time.Now().UTC()),
	)
	msgs, err := r.fake.WaitMessages(r.ctx, discordtest.DefaultChannelID, 1)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, r.log)
	}
	time.Sleep(time.Second)
	p := storyPosts(r.fake, discordtest.DefaultChannelID)
	if len(p) != 1 || !strings.Contains(p[0].Embeds[0].Title, "Helmand") {
		t.Fatalf("posts %+v (all messages %d); want the dam story once", p, len(msgs))
	}
	var am map[string]any
	if err := json.Unmarshal(p[0].AllowedMentions, &am); err != nil {
		t.Fatal(err)
	}
	// discordgo always sends replied_user; false pings no one.
	if am["replied_user"] == false {
		delete(am, "replied_user")
	}
	want := map[string]any{"parse": []any{}, "roles": []any{roleID}}
	if fmt.Sprint(am) != fmt.Sprint(want) {
		t.Errorf("allowed_mentions = %s; want exactly {parse:[], roles:[%s]}", p[0].AllowedMentions, roleID)
	}
	if !slices.Equal(p[0].MentionRoles, []string{roleID}) || p[0].MentionEveryone || len(p[0].MentionUsers) > 0 {
		t.Errorf("the post pinged roles %v, everyone %v, users %v; want the role only", p[0].MentionRoles, p[0].MentionEveryone, p[0].MentionUsers)
	}
	if !strings.Contains(p[0].Embeds[0].Footer.Text, "water-rights") || strings.Contains(p[0].Embeds[0].Footer.Text, discordtest.DefaultGuildID) {
		t.Errorf("footer %q; want the topic's own name", p[0].Embeds[0].Footer.Text)
	}

	// Once the story exists, a new topic's preview finds it.
	again := r.fake.CommandInteraction("topics", sub("create",
		discordtest.CommandOption("name", "helmand"), discordtest.CommandOption("description", "The Helmand river"),
		discordtest.CommandOption("include", "helmand")))
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageGuild, again); !strings.Contains(got, "1 story of") || !strings.Contains(got, "Helmand river") {
		t.Errorf("/topics create preview = %q; want the dam story", got)
	}
}

func withRole(d discordgo.ApplicationCommandInteractionData, role *discordgo.Role) discordgo.ApplicationCommandInteractionData {
	d.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Roles: map[string]*discordgo.Role{role.ID: role}}
	return d
}

// SIGHUP re-reads the config file and applies its sources and topics
// without a restart; a file with problems keeps the running config and
// logs them.
func TestSIGHUPReloadsTheConfig(t *testing.T) {
	wire, extra := &feedServer{}, &feedServer{}
	wireSrv, extraSrv := httptest.NewServer(wire), httptest.NewServer(extra)
	defer wireSrv.Close()
	defer extraSrv.Close()
	db := filepath.Join(t.TempDir(), "bb.db")
	r := startGuildRun(t, docWith(db, wireSrv.URL, ""))
	waitFor(t, "the wire's first poll", func() bool { return wire.count() >= 1 })
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageChannels|discordgo.PermissionEmbedLinks,
		r.fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "helmand"))); !strings.Contains(got, "There is no topic") {
		t.Fatalf("/subscribe to a topic not yet configured answered %q", got)
	}

	reload := func(doc string) {
		t.Helper()
		if err := os.WriteFile(r.cfgPath, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		r.hangup <- syscall.SIGHUP
	}
	reload(docWith(db, wireSrv.URL, fmt.Sprintf(`  - name: extra
    url: %s/feed.xml
    outlet: Extra Paper
topics:
  - name: helmand
    description: The Helmand river
    include: [helmand]
`, extraSrv.URL)))
	waitFor(t, "the added source's first poll", func() bool { return extra.count() >= 1 })
	waitFor(t, "the reload's log line", func() bool { return strings.Contains(r.log.String(), "config reloaded") })
	if got := r.command(discordtest.DefaultGuildID, discordtest.DefaultChannelID, discordgo.PermissionManageChannels|discordgo.PermissionEmbedLinks,
		r.fake.CommandInteraction("subscribe", discordtest.CommandOption("topic", "helmand"))); !strings.Contains(got, "Subscribed") {
		t.Fatalf("/subscribe to the reloaded topic answered %q\nlog:\n%s", got, r.log)
	}
	extra.set(rssItem("e1", "Afghanistan opens a new dam on the Helmand", "Kabul says the dam will irrigate the south.", time.Now().UTC()))
	if _, err := r.fake.WaitMessages(r.ctx, discordtest.DefaultChannelID, 1); err != nil {
		t.Fatalf("the reloaded source and topic posted nothing: %v\nlog:\n%s", err, r.log)
	}
	if p := storyPosts(r.fake, discordtest.DefaultChannelID); len(p) != 1 || !strings.Contains(p[0].Embeds[0].Title, "Helmand") {
		t.Errorf("posts %+v; want the Helmand story", p)
	}

	// A broken file changes nothing; its problems are logged.
	reload("sources:\n  - name: extra\n    url: not a url\nbogus_key: 1\n")
	waitFor(t, "the failed reload's log line", func() bool { return strings.Contains(r.log.String(), "keeping the running config") })
	if !strings.Contains(r.log.String(), "bogus_key") {
		t.Errorf("the failed reload's log does not name the problem:\n%s", r.log)
	}
	w0, e0 := wire.count(), extra.count()
	waitFor(t, "both sources still polled", func() bool { return wire.count() >= w0+2 && extra.count() >= e0+2 })
}

// `briefbot run` itself listens for a real SIGHUP.
func TestRunReloadsOnSIGHUP(t *testing.T) {
	wire, extra := &feedServer{}, &feedServer{}
	wireSrv, extraSrv := httptest.NewServer(wire), httptest.NewServer(extra)
	defer wireSrv.Close()
	defer extraSrv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "briefbot.yaml")
	doc := func(more string) string {
		return fmt.Sprintf("database: {path: %s}\nadmin: {listen: off}\nlog: {level: info, format: text}\npolling: {allow_private_networks: true}\nsources:\n  - name: wire\n    url: %s/feed.xml\n%s",
			filepath.Join(dir, "bb.db"), wireSrv.URL, more)
	}
	if err := os.WriteFile(path, []byte(doc("")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- execute(ctx, e, []string{"run", "--config", path}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("run exited %d; log:\n%s", code, errOut)
		}
	}()
	waitFor(t, "the run to start polling", func() bool { return strings.Contains(errOut.String(), "polling sources") })

	if err := os.WriteFile(path, []byte(doc(fmt.Sprintf("  - name: extra\n    url: %s/feed.xml\n", extraSrv.URL))), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload", func() bool { return strings.Contains(errOut.String(), "config reloaded") })
	if !strings.Contains(errOut.String(), "sources=2") {
		t.Errorf("the reload did not apply the new source; log:\n%s", errOut)
	}
	waitFor(t, "the new source's first poll", func() bool { return extra.count() >= 1 })
}
