package pipeline

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Console prints briefings as plain text: the sink of `briefbot run`
// without a Discord token, so a new user sees the pipeline work at once.
type Console struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsole returns a sink that writes to w.
func NewConsole(w io.Writer) *Console { return &Console{w: w} }

// Publish writes one briefing.
func (c *Console) Publish(_ context.Context, b Briefing) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.w, FormatBriefing(b))
	return err
}

// FormatBriefing renders a briefing for a terminal.
func FormatBriefing(b Briefing) string {
	it, d := b.Item, b.Decision
	var s strings.Builder
	fmt.Fprintf(&s, "■ %s\n", it.Title)
	meta := []string{it.Source, it.Published.UTC().Format("2006-01-02 15:04 MST")}
	if len(d.Subtopics) > 0 {
		meta = append(meta, strings.Join(d.Subtopics, ", "))
	}
	fmt.Fprintf(&s, "  %s\n", strings.Join(meta, " · "))
	if d.Summary != "" {
		fmt.Fprintf(&s, "  %s\n", d.Summary)
	}
	if it.Link != "" {
		fmt.Fprintf(&s, "  %s\n", it.Link)
	}
	if len(d.Reasons) > 0 {
		fmt.Fprintf(&s, "  why: %s (score %.2f)\n", strings.Join(d.Reasons, "; "), d.Score)
	}
	s.WriteString("\n")
	return s.String()
}
