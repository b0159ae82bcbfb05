package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
)

func init() {
	var cfgPath string
	register(&command{
		name:    "why",
		summary: "explain whether briefbot saw an article and what it decided, as /why does in Discord",
		usage:   "LINK|ITEM_ID",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) != 1 {
				return usageErrorf("give one article link or item ID, e.g. briefbot why https://example.org/news/1")
			}
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			classifier, err := newClassifier(cfg)
			if err != nil {
				return err
			}
			st, err := openStore(ctx, cfg, log, true)
			if err != nil {
				return err
			}
			defer st.Close()
			// The bot needs a session but makes no request to explain: a
			// tokenless one is never opened.
			dg, err := discordgo.New("")
			if err != nil {
				return err
			}
			b, err := bot.New(bot.Options{
				Session:       dg,
				Store:         st,
				Topics:        bot.TopicsOf(classifier),
				Sources:       botSources(feedsFromConfig(cfg)),
				CanonicalLink: func(s string) string { return source.CanonicalLink(s, nil) },
				Log:           log,
			})
			if err != nil {
				return err
			}
			link := strings.TrimSpace(args[0])
			if id, err := strconv.ParseInt(link, 10, 64); err == nil {
				it, err := st.Item(ctx, id)
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("there is no item %d in the database %s: give the article's link, or an item ID from the logs", id, databaseName(databaseTarget(cfg)))
				}
				if err != nil {
					return fmt.Errorf("looking up item %d: %w", id, err)
				}
				link = it.Link
			}
			text, err := b.Explain(ctx, link)
			if err != nil {
				return err
			}
			_, err = io.WriteString(e.stdout, text)
			return err
		},
	})
}

// botSources describes the feeds to the bot's /sources and /why.
func botSources(feeds []source.Feed) []bot.SourceInfo {
	sources := make([]bot.SourceInfo, len(feeds))
	for i, f := range feeds {
		sources[i] = bot.SourceInfo{Name: f.Name, Outlet: f.Outlet, URL: f.URL}
	}
	return sources
}
