package source

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/store"
)

// Health warnings for polls that succeeded but look wrong. They stay in
// the source's health until a poll without them.
const WarnNoItems = "no items found: the document parsed but listed no items (an empty or broken feed?)"

func warnCapped(capped, limit int) string {
	return fmt.Sprintf("%d new items recorded as seen, not posted: one poll may post at most %d (polling.max_new_items_per_poll)",
		capped, limit)
}

// pollWarning is the health warning for a poll that found res, or "".
// No items is worth a warning on a first poll, or when the source had
// items before; a source that has always been empty is left alone.
func (p *Poller) pollWarning(st store.SourceState, res PollResult) string {
	switch {
	case res.Items == 0 && (!st.Primed || st.ItemsSeen > 0):
		return WarnNoItems
	case res.Capped > 0:
		return warnCapped(res.Capped, p.opts.MaxNewPerPoll)
	}
	return ""
}

// noteHealth logs a poll that looks wrong and records its warning, or
// clears the previous one. A failure to write it is logged, not returned:
// the poll itself was recorded.
func (p *Poller) noteHealth(ctx context.Context, feed Feed, st store.SourceState, res PollResult, now time.Time) {
	w := p.pollWarning(st, res)
	log := p.log.With(slog.String("source", feed.Name))
	switch {
	case res.Items == 0 && w != "":
		log.Warn("poll found no items", slog.Bool("first_poll", !st.Primed))
	case res.Capped > 0:
		log.Warn("too many new items in one poll: the rest recorded as seen",
			slog.Int("new", len(res.New)), slog.Int("capped", res.Capped), slog.Int("limit", p.opts.MaxNewPerPoll))
	}
	if w == st.Warning {
		return
	}
	if err := p.store.SetSourceWarning(ctx, feed.Name, w, now); err != nil {
		log.Warn("could not record the source's health warning", slog.Any("err", err))
	}
}
