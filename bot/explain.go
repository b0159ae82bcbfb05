package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Explain is /why for operators (`briefbot why`): the same explanation of
// whether briefbot saw the article at link and what it decided, as plain
// text.
func (b *Bot) Explain(ctx context.Context, link string) (string, error) {
	// The operator's view: no server, every source.
	c := &call{in: &discordgo.Interaction{}, name: "why", operator: true, opts: map[string]*discordgo.ApplicationCommandInteractionDataOption{
		"url": {Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: link},
	}}
	r, err := b.why(ctx, c)
	if err != nil {
		return "", err
	}
	return plainText(r), nil
}

// plainText renders a reply for a terminal: Discord's bold markers and
// escapes dropped, each embed as title, link, text and fields.
func plainText(r reply) string {
	var parts []string
	if r.content != "" {
		parts = append(parts, r.content)
	}
	for _, e := range r.embeds {
		var s []string
		if e.Title != "" {
			s = append(s, e.Title)
		}
		if e.URL != "" {
			s = append(s, e.URL)
		}
		if e.Description != "" {
			s = append(s, "", e.Description)
		}
		for _, f := range e.Fields {
			s = append(s, "", f.Name+":", f.Value)
		}
		parts = append(parts, strings.Join(s, "\n"))
	}
	out := strings.Join(parts, "\n\n")
	out = strings.ReplaceAll(out, "**", "")
	return unescapeMarkdown(out) + "\n"
}

// unescapeMarkdown undoes escapeMarkdown's backslashes.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`\*_~|>#-+.[]()`+"`", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
