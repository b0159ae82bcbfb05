package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/store"
)

// retentionEvery is how often run prunes the database. Every instance
// prunes; pruning is idempotent and done in short batches.
const retentionEvery = time.Hour

// runRetention prunes what is past the configured retention at start and
// every retentionEvery, until ctx ends. A failed prune is logged and tried
// again next time: it never stops the bot.
func runRetention(ctx context.Context, st store.Store, r config.Retention, log *slog.Logger, now func() time.Time) error {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		pruneOnce(ctx, st, r, log, now())
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func pruneOnce(ctx context.Context, st store.Store, r config.Retention, log *slog.Logger, now time.Time) {
	ret := store.Retention{StoriesBefore: now.Add(-r.Stories), DeliveriesBefore: now.Add(-r.Deliveries)}
	start := time.Now()
	got, err := st.Prune(ctx, ret)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("pruning old stories and deliveries failed; trying again later", slog.Any("err", err))
		}
		return
	}
	if got != (store.Pruned{}) {
		log.Info("pruned data past retention", slog.Int64("stories", got.Stories), slog.Int64("deliveries", got.Deliveries),
			slog.Int64("items_stripped", got.ItemsStripped), slog.Int64("summaries", got.Summaries), slog.Int64("article_pages", got.Articles),
			slog.Duration("took", time.Since(start)))
	}
}
