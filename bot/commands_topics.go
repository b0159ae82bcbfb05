package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/topic"
)

const (
	maxTopicName  = 40  // leaves room for the server's ID in the store key
	maxTermsText  = 500 // one of include, exclude or require, comma-separated
	maxTopicDescr = 100
)

func topicsDef() *discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	str := func(name, desc string, required bool, maxLen int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name,
			Description: desc, Required: required, MaxLength: maxLen}
	}
	nameOpt := str("name", "The topic's name: lowercase letters, digits and hyphens, e.g. water-rights", true, maxTopicName)
	deleteName := *nameOpt
	deleteName.Description, deleteName.Autocomplete = "The topic to delete", true
	return &discordgo.ApplicationCommand{
		Name:                     "topics",
		Description:              "This server's own topics, which channels can /subscribe to",
		DefaultMemberPermissions: &manage,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "create", Description: "Create or replace a topic, and see what it would have matched",
				Options: []*discordgo.ApplicationCommandOption{
					nameOpt,
					str("description", "What the topic is about, in words", true, maxTopicDescr),
					str("include", "Words or phrases that count for it, comma-separated", true, maxTermsText),
					str("exclude", "Words or phrases that veto it, comma-separated", false, maxTermsText),
					str("require", "An item must mention one of these, comma-separated", false, maxTermsText),
				}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "This server's topics"},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "delete", Description: "Delete one of this server's topics",
				Options: []*discordgo.ApplicationCommandOption{&deleteName}},
		},
	}
}

// topicsCmd is /topics create|list|delete.
func (b *Bot) topicsCmd(ctx context.Context, c *call) (reply, error) {
	return runSub(ctx, c, map[string]func(context.Context, *call) (reply, error){
		"create": b.topicCreate, "list": b.listTopics, "delete": b.topicDelete,
	})
}

// terms splits a comma-separated option into its terms.
func terms(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (b *Bot) topicCreate(ctx context.Context, c *call) (reply, error) {
	g := store.GuildTopic{
		GuildID: c.in.GuildID, Name: strings.ToLower(c.str("name")), Description: c.str("description"),
		Include: terms(c.str("include")), Exclude: terms(c.str("exclude")), Require: terms(c.str("require")),
		CreatedBy: c.userID(), Created: b.now(),
	}
	if _, ok := b.lookupTopic(g.Name); ok {
		return reply{}, invalidf("%s is already a topic of this bot: choose another name.", quote(g.Name, maxTopicName))
	}
	if runes(g.Name) > maxTopicName {
		return reply{}, invalidf("A topic's name has at most %d characters.", maxTopicName)
	}
	// The same checks as a topic in the config file.
	t, err := topic.New(guildDef(g, g.Name))
	if errors.Is(err, topic.ErrInvalid) {
		return reply{}, invalidf("That topic does not work: %s.", userText(strings.TrimPrefix(err.Error(), topic.ErrInvalid.Error()+": ")))
	}
	if err != nil {
		return reply{}, fmt.Errorf("checking the topic: %w", err)
	}
	existing, _, err := b.lookupGuildTopic(ctx, c.in.GuildID, g.Name)
	if err != nil {
		return reply{}, err
	}
	if err := b.store.SaveGuildTopic(ctx, g); err != nil {
		return reply{}, fmt.Errorf("saving the topic: %w", err)
	}
	if err := b.guild.Changed(ctx); err != nil {
		return reply{}, fmt.Errorf("applying the topic: %w", err)
	}
	preview, err := b.topicPreview(ctx, c.in.GuildID, t)
	if err != nil {
		return reply{}, err
	}
	verb := "Created"
	if existing {
		verb = "Replaced"
	}
	return reply{content: truncate(fmt.Sprintf("%s **%s**. In the last 7 days it would have matched %s\nTune it with /topics create again, or /subscribe a channel to it.",
		verb, userText(g.Name), preview), maxContent)}, nil
}

// topicPreview says what t would have matched among the last week's
// stories: "12 stories, e.g. …".
func (b *Bot) topicPreview(ctx context.Context, guildID string, t *topic.Topic) (string, error) {
	stories, err := b.storiesFor(ctx, guildID, store.StoryQuery{Since: b.now().Add(-topicPreviewWindow), Limit: topicPreviewScan})
	if err != nil {
		return "", fmt.Errorf("reading the last week's stories: %w", err)
	}
	c, err := topic.NewClassifierOf(t)
	if err != nil {
		return "", fmt.Errorf("checking the topic: %w", err)
	}
	var heads []string
	n := 0
	for _, s := range stories {
		if c.Classify(s.Headline, s.Summary)[0].Relevant {
			n++
			if len(heads) < previewHeadlines {
				heads = append(heads, "• "+truncate(userText(s.Headline), 200))
			}
		}
	}
	if n == 0 {
		return fmt.Sprintf("none of %s. Try broader include terms.", plural(len(stories), "story", "stories")), nil
	}
	return fmt.Sprintf("%s of %d, e.g.:\n%s", plural(n, "story", "stories"), len(stories), strings.Join(heads, "\n")), nil
}

// lookupGuildTopic finds the server's own topic by name.
func (b *Bot) lookupGuildTopic(ctx context.Context, guildID, name string) (bool, store.GuildTopic, error) {
	gts, err := b.store.GuildTopics(ctx, guildID)
	if err != nil {
		return false, store.GuildTopic{}, fmt.Errorf("listing the server's topics: %w", err)
	}
	for _, g := range gts {
		if strings.EqualFold(g.Name, name) {
			return true, g, nil
		}
	}
	return false, store.GuildTopic{}, nil
}

func (b *Bot) listTopics(ctx context.Context, c *call) (reply, error) {
	gts, err := b.store.GuildTopics(ctx, c.in.GuildID)
	if err != nil {
		return reply{}, fmt.Errorf("listing the server's topics: %w", err)
	}
	if len(gts) == 0 {
		return reply{content: "This server has no topics of its own. /topics create makes one; the bot's own topics are " + topicList(b.configTopics()) + "."}, nil
	}
	var lines []string
	for _, g := range gts {
		line := fmt.Sprintf("• **%s**: %s\n  include: %s", userText(g.Name), userText(g.Description), userText(strings.Join(g.Include, ", ")))
		if len(g.Exclude) > 0 {
			line += "; exclude: " + userText(strings.Join(g.Exclude, ", "))
		}
		if len(g.Require) > 0 {
			line += "; require: " + userText(strings.Join(g.Require, ", "))
		}
		lines = append(lines, line)
	}
	return reply{content: fitLines("This server's topics:", lines, maxContent)}, nil
}

func (b *Bot) topicDelete(ctx context.Context, c *call) (reply, error) {
	name := strings.ToLower(c.str("name"))
	ok, err := b.store.DeleteGuildTopic(ctx, c.in.GuildID, name)
	if err != nil {
		return reply{}, fmt.Errorf("deleting the topic: %w", err)
	}
	if !ok {
		return reply{}, invalidf("This server has no topic %s. /topics list shows them.", quote(name, maxTopicName))
	}
	if err := b.guild.Changed(ctx); err != nil {
		return reply{}, fmt.Errorf("applying the deletion: %w", err)
	}
	subs, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{GuildID: c.in.GuildID, Topic: store.GuildTopicKey(c.in.GuildID, name)})
	if err != nil {
		return reply{}, fmt.Errorf("listing the topic's subscriptions: %w", err)
	}
	msg := fmt.Sprintf("Deleted **%s**. Its stories stay.", userText(name))
	if len(subs) > 0 {
		var chans []string
		for _, s := range subs {
			chans = append(chans, "<#"+s.ChannelID+">")
		}
		msg += fmt.Sprintf(" %s still subscribed and will receive nothing more: /unsubscribe topic:%s there.", joinWords(chans), userText(name))
	}
	return reply{content: msg}, nil
}

// guildTopicChoices completes /topics delete with the server's topics.
func (b *Bot) guildTopicChoices(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	gts, err := b.store.GuildTopics(ctx, c.in.GuildID)
	if err != nil {
		return nil, err
	}
	var ts []TopicInfo
	for _, g := range gts {
		ts = append(ts, TopicInfo{Name: g.Name, Description: g.Description})
	}
	if len(ts) == 0 {
		return nil, nil
	}
	return topicChoicesOf(ts, typed, false), nil
}
