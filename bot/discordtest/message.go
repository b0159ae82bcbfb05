package discordtest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Message is a message as the fake stores it: what Discord would return, plus
// what was sent to create it (allowed_mentions, nonce) and who it pinged.
type Message struct {
	ID              string
	ChannelID       string
	GuildID         string
	Content         string
	Embeds          []*discordgo.MessageEmbed
	Components      json.RawMessage
	Flags           discordgo.MessageFlags
	Timestamp       time.Time
	EditedTimestamp *time.Time
	// Edits counts successful PATCHes.
	Edits int
	// AllowedMentions is allowed_mentions exactly as last sent, for example
	// {"parse":[]}; nil when the request had none, in which case Discord
	// parses every mention in the content.
	AllowedMentions json.RawMessage
	Nonce           string
	EnforceNonce    bool
	// InteractionID is set on interaction responses and followups.
	InteractionID string

	// Who the message pinged, computed like Discord from the content and
	// allowed_mentions. Mentions inside embeds never ping.
	MentionEveryone bool
	MentionUsers    []string
	MentionRoles    []string
}

// Pinged reports whether the message notified anyone at all.
func (m Message) Pinged() bool {
	return m.MentionEveryone || len(m.MentionUsers) > 0 || len(m.MentionRoles) > 0
}

func (m *Message) copy() Message {
	c := *m
	c.Embeds = cloneSlice(m.Embeds)
	c.Components = bytes.Clone(m.Components)
	c.AllowedMentions = bytes.Clone(m.AllowedMentions)
	c.MentionUsers = slices.Clone(m.MentionUsers)
	c.MentionRoles = slices.Clone(m.MentionRoles)
	if m.EditedTimestamp != nil {
		t := *m.EditedTimestamp
		c.EditedTimestamp = &t
	}
	return c
}

// wire is the message object Discord returns.
func (m *Message) wire(author discordgo.User, webhookID string) map[string]any {
	users := make([]map[string]any, 0, len(m.MentionUsers))
	for _, id := range m.MentionUsers {
		users = append(users, map[string]any{"id": id, "username": "user" + id, "discriminator": "0"})
	}
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := json.RawMessage("[]")
	if len(m.Components) > 0 && string(m.Components) != "null" {
		components = m.Components
	}
	w := map[string]any{
		"id":               m.ID,
		"type":             0,
		"channel_id":       m.ChannelID,
		"content":          m.Content,
		"embeds":           embeds,
		"components":       components,
		"attachments":      []any{},
		"author":           author,
		"timestamp":        m.Timestamp.UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil,
		"tts":              false,
		"mention_everyone": m.MentionEveryone,
		"mentions":         users,
		"mention_roles":    nonNil(m.MentionRoles),
		"pinned":           false,
		"flags":            m.Flags,
	}
	if m.GuildID != "" {
		w["guild_id"] = m.GuildID
	}
	if m.EditedTimestamp != nil {
		w["edited_timestamp"] = m.EditedTimestamp.UTC().Format(time.RFC3339Nano)
	}
	if m.Nonce != "" {
		w["nonce"] = m.Nonce
	}
	if webhookID != "" {
		w["webhook_id"] = webhookID
		w["type"] = 20 // CHAT_INPUT_COMMAND reply
	}
	return w
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var (
	everyoneRe = regexp.MustCompile(`@(everyone|here)`)
	userRe     = regexp.MustCompile(`<@!?(\d{1,20})>`)
	roleRe     = regexp.MustCompile(`<@&(\d{1,20})>`)
)

// computeMentions applies Discord's allowed_mentions rules to the content.
// raw nil means the field was absent: everything is parsed.
func (m *Message) computeMentions() {
	m.MentionEveryone, m.MentionUsers, m.MentionRoles = false, nil, nil
	var am struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	}
	parseAll := len(m.AllowedMentions) == 0 || string(m.AllowedMentions) == "null"
	if !parseAll {
		_ = json.Unmarshal(m.AllowedMentions, &am)
	}
	allow := func(kind string) bool { return parseAll || slices.Contains(am.Parse, kind) }

	if allow("everyone") && everyoneRe.MatchString(m.Content) {
		m.MentionEveryone = true
	}
	for _, sm := range userRe.FindAllStringSubmatch(m.Content, -1) {
		id := sm[1]
		if (allow("users") || slices.Contains(am.Users, id)) && !slices.Contains(m.MentionUsers, id) {
			m.MentionUsers = append(m.MentionUsers, id)
		}
	}
	for _, sm := range roleRe.FindAllStringSubmatch(m.Content, -1) {
		id := sm[1]
		if (allow("roles") || slices.Contains(am.Roles, id)) && !slices.Contains(m.MentionRoles, id) {
			m.MentionRoles = append(m.MentionRoles, id)
		}
	}
}

// clone deep-copies a discordgo value through JSON, which every discordgo type
// the fake stores round-trips through (they travel as JSON anyway).
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: clone: " + err.Error())
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic("discordtest: clone: " + err.Error())
	}
	return out
}

func cloneSlice[T any](s []*T) []*T {
	if s == nil {
		return nil
	}
	out := make([]*T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}
