package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/topic"
)

// GuildOptions enable /feeds and /topics, with which a server adds its own
// feeds and topics.
type GuildOptions struct {
	// TopicDefs are the configured topics as topic.NewClassifier takes
	// them, so previews judge items as the pipeline does.
	TopicDefs []topic.Def
	// Fetch reads a feed once through the poller's fetcher and limits and
	// returns its title and normalised items (source.Preview).
	Fetch func(ctx context.Context, url string) (title string, items []story.Item, err error)
	// Reason says in words why a fetch failed (source.Reason).
	Reason func(error) string
	// Changed applies a server's changed feeds or topics (the poller's
	// feeds, the pipeline's topics) once the store has them.
	Changed func(ctx context.Context) error
	// MaxFeeds bounds a server's feeds (default 50).
	MaxFeeds int
	// Interval is how often feeds are polled, for /feeds list's "next poll".
	Interval time.Duration
}

// DefaultMaxFeedsPerGuild is GuildOptions.MaxFeeds' default.
const DefaultMaxFeedsPerGuild = 50

const (
	feedPreviewWindow  = 24 * time.Hour
	topicPreviewWindow = 7 * 24 * time.Hour
	topicPreviewScan   = 500 // the newest stories a topic preview reads
	previewHeadlines   = 3
	maxOutletOption    = 100
)

func feedsDef() *discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	urlOpt := func(desc string, complete bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "url",
			Description: desc, Required: true, MaxLength: maxLinkOption, Autocomplete: complete}
	}
	return &discordgo.ApplicationCommand{
		Name:                     "feeds",
		Description:              "This server's own feeds, read beside the operator's",
		DefaultMemberPermissions: &manage,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Read a feed (RSS, Atom or JSON Feed) for this server",
				Options: []*discordgo.ApplicationCommandOption{
					urlOpt("The feed's address (https://…)", false),
					{Type: discordgo.ApplicationCommandOptionString, Name: "outlet", Description: "The outlet's name as stories show it (default: the feed's title)", MaxLength: maxOutletOption},
					{Type: discordgo.ApplicationCommandOptionString, Name: "language", Description: "The feed's language, e.g. fa or ar, when it declares a wrong one", MaxLength: 16},
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop reading one of this server's feeds",
				Options: []*discordgo.ApplicationCommandOption{urlOpt("The feed to remove", true)}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "This server's feeds and whether each is working"},
		},
	}
}

// feedsCmd is /feeds add|remove|list.
func (b *Bot) feedsCmd(ctx context.Context, c *call) (reply, error) {
	return runSub(ctx, c, map[string]func(context.Context, *call) (reply, error){
		"add": b.feedAdd, "remove": b.feedRemove, "list": b.feedList,
	})
}

// runSub runs the call's subcommand, one of subs.
func runSub(ctx context.Context, c *call, subs map[string]func(context.Context, *call) (reply, error)) (reply, error) {
	if run, ok := subs[c.sub]; ok {
		return run(ctx, c)
	}
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, "/"+c.name+" "+n)
	}
	slices.Sort(names)
	return reply{}, invalidf("Use %s.", joinWords(names))
}

// GuildSourceName is the source a server's feed URL is polled as: the
// same for every server that adds the URL.
func GuildSourceName(feedURL string) string {
	sum := sha256.Sum256([]byte(feedURL))
	return store.GuildSourcePrefix + hex.EncodeToString(sum[:6])
}

// feedURLArg is the url option, checked to be an absolute http(s) URL.
func feedURLArg(c *call) (string, error) {
	raw := c.str("url")
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalidf("%s is not a feed address: give the whole URL, starting with https://.", quote(raw, 80))
	}
	u.Fragment = ""
	return u.String(), nil
}

func (b *Bot) feedAdd(ctx context.Context, c *call) (reply, error) {
	feedURL, err := feedURLArg(c)
	if err != nil {
		return reply{}, err
	}
	title, items, err := b.guild.Fetch(ctx, feedURL)
	if err != nil {
		reason := err.Error()
		if b.guild.Reason != nil {
			reason = b.guild.Reason(err)
		}
		return reply{}, invalidf("briefbot could not read %s as a feed: %s. Check that the address is the feed itself (RSS, Atom or JSON Feed), not the web page that links to it.",
			quote(feedURL, 100), userText(reason))
	}
	outlet := c.str("outlet")
	if outlet == "" {
		outlet = cleanLine(title)
	}
	if outlet == "" {
		outlet = hostOf(feedURL)
	}
	max := b.guild.MaxFeeds
	if max <= 0 {
		max = DefaultMaxFeedsPerGuild
	}
	f, err := b.store.AddGuildFeed(ctx, store.GuildFeed{
		GuildID: c.in.GuildID, URL: feedURL, Source: GuildSourceName(feedURL), Outlet: clipRunes(outlet, maxOutletOption),
		Language: strings.ToLower(c.str("language")), AddedBy: c.userID(), Added: b.now(),
	}, max)
	if errors.Is(err, store.ErrLimit) {
		return reply{}, invalidf("This server already has %d feeds, the most it may have (discord.max_feeds_per_guild). Remove one with /feeds remove first.", max)
	}
	if err != nil {
		return reply{}, fmt.Errorf("storing the feed: %w", err)
	}
	if err := b.guild.Changed(ctx); err != nil {
		return reply{}, fmt.Errorf("starting to poll the feed: %w", err)
	}
	preview, err := b.feedPreview(ctx, c.in.GuildID, items)
	if err != nil {
		return reply{}, err
	}
	head := fmt.Sprintf("Added **%s** (%s): %s", userText(f.Outlet), plural(len(items), "item", "items"), userText(title))
	if newest := newestItem(items); !newest.IsZero() {
		head += fmt.Sprintf(", newest <t:%d:R>", newest.Unix())
	}
	return reply{content: truncate(head+".\n"+preview+"\nIt is polled with the other sources from now on; new relevant items are posted to this server's subscribed channels.", maxContent)}, nil
}

// feedPreview says how many of items from the last day the server's
// topics would have posted, with up to three headlines.
func (b *Bot) feedPreview(ctx context.Context, guildID string, items []story.Item) (string, error) {
	gts, err := b.store.GuildTopics(ctx, guildID)
	if err != nil {
		return "", fmt.Errorf("listing the server's topics: %w", err)
	}
	j, err := NewJudge(*b.topicDefs.Load(), gts, nil)
	if err != nil {
		return "", fmt.Errorf("building the topics: %w", err)
	}
	// The server's topics are those its channels follow; with none yet,
	// every topic it could follow.
	subs, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{GuildID: guildID})
	if err != nil {
		return "", fmt.Errorf("listing the server's subscriptions: %w", err)
	}
	wanted := map[string]bool{}
	for _, s := range subs {
		wanted[s.Topic] = true
	}
	cutoff := b.now().Add(-feedPreviewWindow)
	var recent, matched []story.Item
	for _, it := range items {
		if itemTime(it).Before(cutoff) {
			continue
		}
		recent = append(recent, it)
		for _, r := range j.Classify(it.Title, it.Text()) {
			if r.Relevant && (len(wanted) == 0 || wanted[r.Topic]) {
				matched = append(matched, it)
				break
			}
		}
	}
	slices.SortStableFunc(matched, func(a, b story.Item) int { return itemTime(b).Compare(itemTime(a)) })
	whose := "this server's subscribed topics"
	if len(wanted) == 0 {
		whose = "the topics (no channel here follows one yet)"
	}
	out := fmt.Sprintf("Of its %s from the last 24 hours, %s would have posted %d.", plural(len(recent), "item", "items"), whose, len(matched))
	for _, it := range matched[:min(len(matched), previewHeadlines)] {
		out += "\n• " + truncate(userText(it.Title), 200)
	}
	return out, nil
}

func itemTime(it story.Item) time.Time {
	if it.Published.IsZero() {
		return it.Fetched
	}
	return it.Published
}

func newestItem(items []story.Item) time.Time {
	var t time.Time
	for _, it := range items {
		if p := itemTime(it); p.After(t) {
			t = p
		}
	}
	return t
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Hostname()
	}
	return raw
}

func (b *Bot) feedRemove(ctx context.Context, c *call) (reply, error) {
	feedURL, err := feedURLArg(c)
	if err != nil {
		return reply{}, err
	}
	ok, err := b.store.RemoveGuildFeed(ctx, c.in.GuildID, feedURL)
	if err != nil {
		return reply{}, fmt.Errorf("removing the feed: %w", err)
	}
	if !ok {
		return reply{}, invalidf("This server has no feed %s. /feeds list shows them.", quote(feedURL, 100))
	}
	if err := b.guild.Changed(ctx); err != nil {
		return reply{}, fmt.Errorf("stopping the feed's polls: %w", err)
	}
	return reply{content: fmt.Sprintf("Removed %s: this server no longer reads it. Stories already posted stay.", quote(feedURL, 200))}, nil
}

func (b *Bot) feedList(ctx context.Context, c *call) (reply, error) {
	feeds, err := b.store.GuildFeeds(ctx, c.in.GuildID)
	if err != nil {
		return reply{}, fmt.Errorf("listing the server's feeds: %w", err)
	}
	if len(feeds) == 0 {
		return reply{content: "This server has no feeds of its own. /feeds add url:… adds one; /sources lists the operator's."}, nil
	}
	states, err := b.store.Sources(ctx)
	if err != nil {
		return reply{}, fmt.Errorf("reading the feeds' health: %w", err)
	}
	byName := map[string]store.SourceState{}
	for _, s := range states {
		byName[s.Name] = s
	}
	max := b.guild.MaxFeeds
	if max <= 0 {
		max = DefaultMaxFeedsPerGuild
	}
	var lines []string
	for _, f := range feeds {
		lines = append(lines, fmt.Sprintf("• **%s** %s\n  %s", userText(f.Outlet), markdownText(f.URL), b.feedHealth(byName[f.Source])))
	}
	return reply{content: fitLines(fmt.Sprintf("This server's feeds (%d of %d):", len(feeds), max), lines, maxContent)}, nil
}

// feedHealth says in words how a feed's polls go.
func (b *Bot) feedHealth(st store.SourceState) string {
	interval := b.guild.Interval
	if interval <= 0 {
		interval = 2 * time.Minute
	}
	var parts []string
	switch {
	case st.LastPoll.IsZero():
		parts = append(parts, "not polled yet; first poll within a minute")
	case st.Failures > 0:
		parts = append(parts, fmt.Sprintf("failing: %s (%s in a row, since <t:%d:R>)", userText(st.LastError),
			plural(st.Failures, "failure", "failures"), st.LastErrorAt.Unix()))
		if !st.LastSuccess.IsZero() {
			parts = append(parts, fmt.Sprintf("last worked <t:%d:R>", st.LastSuccess.Unix()))
		}
		parts = append(parts, "retrying with growing pauses")
	default:
		parts = append(parts, fmt.Sprintf("working: last read <t:%d:R>", st.LastSuccess.Unix()))
		if st.LastError != "" && !st.LastErrorAt.IsZero() {
			parts = append(parts, fmt.Sprintf("last error <t:%d:R>: %s", st.LastErrorAt.Unix(), userText(st.LastError)))
		}
		parts = append(parts, fmt.Sprintf("next poll <t:%d:R>", st.LastPoll.Add(interval).Unix()))
	}
	return strings.Join(parts, "; ")
}

// feedChoices completes /feeds remove with the server's feeds.
func (b *Bot) feedChoices(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	feeds, err := b.store.GuildFeeds(ctx, c.in.GuildID)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(typed)
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, f := range feeds {
		if len(out) == maxChoices || runes(f.URL) > maxChoice {
			continue
		}
		if strings.Contains(strings.ToLower(f.URL), q) || strings.Contains(strings.ToLower(f.Outlet), q) {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: clipRunes(f.Outlet+" — "+f.URL, maxChoice), Value: f.URL})
		}
	}
	return out, nil
}
