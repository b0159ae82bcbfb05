package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
)

// Limits of the commands themselves.
const (
	maxChoice      = 100 // Discord's limit on a choice's name and value
	maxChoices     = 25
	defaultCount   = 5
	maxCount       = maxEmbeds
	maxSearchText  = 100
	maxLinkOption  = 2000
	manageChannels = discordgo.PermissionManageChannels
)

// command is one slash command: its definition's behaviour and its handler.
type command struct {
	// ephemeral answers are seen by the invoker only: management replies
	// and diagnostics, which would only clutter the channel.
	ephemeral bool
	// manage commands change what a channel receives: they need Manage
	// Channels, and only work in a server.
	manage bool
	// manageServer commands change what the whole server reads (its feeds
	// and topics): they need Manage Server instead of Manage Channels.
	manageServer bool
	run          func(ctx context.Context, c *call) (reply, error)
	// complete lists autocomplete choices for the focused option.
	complete func(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error)
}

func (b *Bot) commandTable() map[string]*command {
	topicChoices := func(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
		return b.topicChoicesIn(ctx, c, typed, false)
	}
	cmds := map[string]*command{
		"latest": {run: b.latest, complete: topicChoices},
		"topic": {run: b.topicCmd, complete: func(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
			return b.topicChoicesIn(ctx, c, typed, true)
		}},
		"subscribe":     {run: b.subscribe, complete: b.subscribeChoices, manage: true, ephemeral: true},
		"unsubscribe":   {run: b.unsubscribe, complete: b.subscribedChoices, manage: true, ephemeral: true},
		"subscriptions": {run: b.subscriptions, ephemeral: true},
		"sources":       {run: b.sourcesCmd},
		"why":           {run: b.why, ephemeral: true},
	}
	if b.guild != nil {
		cmds["feeds"] = &command{run: b.feedsCmd, complete: b.feedChoices, manage: true, manageServer: true, ephemeral: true}
		cmds["topics"] = &command{run: b.topicsCmd, complete: b.guildTopicChoices, manage: true, manageServer: true, ephemeral: true}
	}
	return cmds
}

// commandDefs are the slash commands as registered with Discord.
func (b *Bot) commandDefs() []*discordgo.ApplicationCommand {
	manage := int64(manageChannels)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	one, ten := 1.0, float64(maxCount)
	topicOpt := func(required bool, desc string) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: desc,
			Required: required, Autocomplete: true, MaxLength: maxChoice,
		}
	}
	defs := []*discordgo.ApplicationCommand{
		{
			Name:        "latest",
			Description: "The newest stories on a topic",
			Options: []*discordgo.ApplicationCommandOption{
				topicOpt(false, clipRunes(fmt.Sprintf("Which topic (default: %s)", b.defaultTopic.Name), maxChoice)),
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: fmt.Sprintf("How many stories, 1 to %d (default %d)", maxCount, defaultCount), MinValue: &one, MaxValue: ten},
			},
		},
		{
			Name:        "topic",
			Description: "Stories on a topic, or a search of every story for some words",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "A topic, or words to search for",
				Required: true, Autocomplete: true, MaxLength: maxSearchText,
			}},
		},
		{
			Name:                     "subscribe",
			Description:              "Post a topic's stories in this channel, as they appear or as a daily digest",
			DefaultMemberPermissions: &manage,
			Contexts:                 guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				topicOpt(true, "Which topic"),
				{Type: discordgo.ApplicationCommandOptionString, Name: "mode", Description: "realtime (default) or a digest at set times",
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "realtime: each story as it appears", Value: "realtime"},
						{Name: "digest: a summary at set times", Value: "digest"},
					}},
				{Type: discordgo.ApplicationCommandOptionString, Name: "at", Description: "Digest times, HH:MM 24-hour, comma-separated (default 08:00)", MaxLength: 100},
				{Type: discordgo.ApplicationCommandOptionString, Name: "timezone", Description: "Digest timezone, an IANA name like Europe/London (default UTC)", MaxLength: 64},
				{Type: discordgo.ApplicationCommandOptionString, Name: "outlets", Description: "Only stories from these outlets, comma-separated (default: all)", Autocomplete: true, MaxLength: maxOutletsOption},
				{Type: discordgo.ApplicationCommandOptionRole, Name: "mention", Description: "A role to ping with each new story (realtime only)"},
			},
		},
		{
			Name:                     "unsubscribe",
			Description:              "Stop posting a topic in this channel",
			DefaultMemberPermissions: &manage,
			Contexts:                 guildOnly,
			Options:                  []*discordgo.ApplicationCommandOption{topicOpt(true, "Which topic")},
		},
		{
			Name:        "subscriptions",
			Description: "What this channel (or this server) is subscribed to",
			Contexts:    guildOnly,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "scope", Description: "This channel (default) or the whole server",
				Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "channel", Value: "channel"}, {Name: "server", Value: "server"}},
			}},
		},
		{
			Name:        "sources",
			Description: "The outlets briefbot reads, and whether each is working",
		},
		{
			Name:        "why",
			Description: "Whether briefbot saw an article, and why it was or was not posted",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "The article's link",
				Required: true, MaxLength: maxLinkOption,
			}},
		},
	}
	if b.guild != nil {
		defs = append(defs, feedsDef(), topicsDef())
	}
	return defs
}

// call is one slash command invocation, decoded.
type call struct {
	in   *discordgo.Interaction
	name string
	// sub is the subcommand ("add" of /feeds add), "" for none; opts are
	// then the subcommand's.
	sub  string
	opts map[string]*discordgo.ApplicationCommandInteractionDataOption
	// operator is set for the operator's own questions (Explain), which
	// may see every server's own feeds.
	operator bool
}

func newCall(in *discordgo.Interaction) *call {
	data := in.ApplicationCommandData()
	c := &call{in: in, name: data.Name, opts: map[string]*discordgo.ApplicationCommandInteractionDataOption{}}
	options := data.Options
	if len(options) == 1 && options[0] != nil && options[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		c.sub, options = options[0].Name, options[0].Options
	}
	for _, o := range options {
		if o != nil {
			c.opts[o.Name] = o
		}
	}
	return c
}

// role is a role option's resolved role; nil when absent or unresolved.
func (c *call) role(name string) (id string, r *discordgo.Role) {
	id = c.str(name)
	if id == "" {
		return "", nil
	}
	if res := c.in.ApplicationCommandData().Resolved; res != nil {
		r = res.Roles[id]
	}
	return id, r
}

// str is a string option, trimmed; "" when absent. Values are read without
// discordgo's typed accessors, which panic on an unexpected type.
func (c *call) str(name string) string {
	if o := c.opts[name]; o != nil {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// integer is an integer option; ok is false when absent or not a whole number.
func (c *call) integer(name string) (v int64, present, ok bool) {
	o := c.opts[name]
	if o == nil {
		return 0, false, false
	}
	switch n := o.Value.(type) {
	case float64: // JSON numbers
		if n == float64(int64(n)) {
			return int64(n), true, true
		}
	case int:
		return int64(n), true, true
	case int64:
		return n, true, true
	}
	return 0, true, false
}

// focused is the option being typed in an autocomplete interaction.
func (c *call) focused() (name, typed string) {
	for _, o := range c.opts {
		if o.Focused {
			s, _ := o.Value.(string)
			return o.Name, strings.TrimSpace(s)
		}
	}
	return "", ""
}

func (c *call) userID() string {
	switch {
	case c.in.Member != nil && c.in.Member.User != nil:
		return c.in.Member.User.ID
	case c.in.User != nil:
		return c.in.User.ID
	}
	return ""
}

// canManage checks the invoker's permissions in this channel as Discord
// computed them for the interaction; the command's default permissions can
// be overridden by server admins, so this is checked again here.
func (c *call) canManage() bool {
	if c.in.Member == nil {
		return false
	}
	p := c.in.Member.Permissions
	return p&discordgo.PermissionAdministrator != 0 || p&manageChannels != 0
}

// canManageServer is canManage for Manage Server, which /feeds and
// /topics need: they change what the whole server reads.
func (c *call) canManageServer() bool {
	if c.in.Member == nil {
		return false
	}
	p := c.in.Member.Permissions
	return p&discordgo.PermissionAdministrator != 0 || p&discordgo.PermissionManageGuild != 0
}

// --- topics ---

// lookupTopic finds a configured topic by name, ignoring case.
func (b *Bot) lookupTopic(name string) (TopicInfo, bool) {
	name = strings.TrimSpace(name)
	for _, t := range b.configTopics() {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return TopicInfo{}, false
}

// topicsIn is the configured topics, then the server's own ones.
func (b *Bot) topicsIn(ctx context.Context, guildID string) ([]TopicInfo, error) {
	if guildID == "" {
		return b.configTopics(), nil
	}
	gts, err := b.store.GuildTopics(ctx, guildID)
	if err != nil {
		return nil, fmt.Errorf("listing the server's topics: %w", err)
	}
	out := slices.Clip(b.configTopics())
	for _, g := range gts {
		out = append(out, TopicInfo{Name: g.Name, Description: g.Description, Key: store.GuildTopicKey(g.GuildID, g.Name)})
	}
	return out, nil
}

// lookupTopicIn finds a configured topic or one of the server's, by name,
// ignoring case.
func (b *Bot) lookupTopicIn(ctx context.Context, guildID, name string) (TopicInfo, bool, error) {
	if t, ok := b.lookupTopic(name); ok {
		return t, true, nil
	}
	ts, err := b.topicsIn(ctx, guildID)
	if err != nil {
		return TopicInfo{}, false, err
	}
	name = strings.TrimSpace(name)
	for _, t := range ts {
		if strings.EqualFold(t.Name, name) {
			return t, true, nil
		}
	}
	return TopicInfo{}, false, nil
}

// topicArg is a required topic option, or a user error listing the topics.
func (b *Bot) topicArg(ctx context.Context, c *call, option string) (TopicInfo, error) {
	v := c.str(option)
	t, ok, err := b.lookupTopicIn(ctx, c.in.GuildID, v)
	if err != nil || ok {
		return t, err
	}
	ts, err := b.topicsIn(ctx, c.in.GuildID)
	if err != nil {
		return TopicInfo{}, err
	}
	if v == "" {
		return TopicInfo{}, invalidf("Choose a topic: %s.", topicList(ts))
	}
	return TopicInfo{}, invalidf("There is no topic %s. Topics: %s.", quote(v, 50), topicList(ts))
}

// topicList names topics for messages, escaped, within a length that
// leaves room for the rest of a message.
func topicList(ts []TopicInfo) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = userText(t.Name)
	}
	return truncate(strings.Join(names, ", "), 1200)
}

// topicChoicesIn is topicChoices over the configured topics and the
// invoking server's.
func (b *Bot) topicChoicesIn(ctx context.Context, c *call, typed string, search bool) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	ts, err := b.topicsIn(ctx, c.in.GuildID)
	if err != nil {
		return nil, err
	}
	return topicChoicesOf(ts, typed, search), nil
}

// quote echoes what a user typed, cut to n characters, safe for markdown.
func quote(s string, n int) string {
	return "“" + userText(clipRunes(s, n)) + "”"
}

// topicChoices lists the topics matching what was typed: names starting
// with it first, then names or descriptions containing it; all topics when
// nothing matches, so the list shows what is valid. With search set (for
// /topic), typed words that are not a topic are offered as a search.
func (b *Bot) topicChoices(typed string, search bool) []*discordgo.ApplicationCommandOptionChoice {
	return topicChoicesOf(b.configTopics(), typed, search)
}

func topicChoicesOf(topics []TopicInfo, typed string, search bool) []*discordgo.ApplicationCommandOptionChoice {
	q := strings.ToLower(typed)
	var prefix, contains []TopicInfo
	for _, t := range topics {
		name := strings.ToLower(t.Name)
		switch {
		case strings.HasPrefix(name, q):
			prefix = append(prefix, t)
		case strings.Contains(name, q) || strings.Contains(strings.ToLower(t.Description), q):
			contains = append(contains, t)
		}
	}
	matches := append(prefix, contains...)
	var out []*discordgo.ApplicationCommandOptionChoice
	exact := false
	for _, t := range matches {
		exact = exact || strings.EqualFold(t.Name, typed)
	}
	if search && typed != "" && !exact {
		v := clipRunes(typed, maxSearchText)
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: clipRunes("Search stories for: "+v, maxChoice), Value: v})
	}
	if len(matches) == 0 && len(out) == 0 {
		matches = topics
	}
	for _, t := range matches {
		if len(out) == maxChoices {
			break
		}
		out = append(out, topicChoice(t))
	}
	return out
}

func topicChoice(t TopicInfo) *discordgo.ApplicationCommandOptionChoice {
	name := t.Name
	if d := cleanLine(t.Description); d != "" {
		name += " — " + d
	}
	return &discordgo.ApplicationCommandOptionChoice{Name: clipRunes(name, maxChoice), Value: t.Name}
}

// clipRunes cuts s to n code points, marking the cut with an ellipsis.
func clipRunes(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + ellipsis
}
