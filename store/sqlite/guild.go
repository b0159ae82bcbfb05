package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// AddGuildFeed implements store.GuildConfig.
func (s *Store) AddGuildFeed(ctx context.Context, f store.GuildFeed, max int) (store.GuildFeed, error) {
	if err := storeutil.CheckGuildFeed(f); err != nil {
		return store.GuildFeed{}, fmt.Errorf("sqlite: add guild feed: %w", err)
	}
	added, err := timeArg(f.Added)
	if err != nil {
		return store.GuildFeed{}, fmt.Errorf("sqlite: add guild feed: %w", err)
	}
	var out store.GuildFeed
	err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// A URL another server added is polled under its source already.
		var shared string
		err := tx.QueryRowContext(ctx, `SELECT source FROM guild_feeds WHERE url = ? ORDER BY added LIMIT 1`, f.URL).Scan(&shared)
		switch {
		case err == nil:
			f.Source = shared
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: add guild feed %s: %w", f.URL, err)
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM guild_feeds WHERE guild_id = ? AND url = ?)`,
			f.GuildID, f.URL).Scan(&exists); err != nil {
			return fmt.Errorf("sqlite: add guild feed %s: %w", f.URL, err)
		}
		if !exists && max > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM guild_feeds WHERE guild_id = ?`, f.GuildID).Scan(&n); err != nil {
				return fmt.Errorf("sqlite: add guild feed %s: %w", f.URL, err)
			}
			if n >= max {
				return fmt.Errorf("server %s has %d feeds, the most it may have: %w", f.GuildID, n, store.ErrLimit)
			}
		}
		out, err = scanGuildFeed(tx.QueryRowContext(ctx, `
			INSERT INTO guild_feeds (guild_id, url, source, outlet, language, added_by, added)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (guild_id, url) DO UPDATE SET outlet = excluded.outlet, language = excluded.language
			RETURNING `+guildFeedColumns,
			f.GuildID, f.URL, f.Source, f.Outlet, f.Language, f.AddedBy, added))
		if err != nil {
			return fmt.Errorf("sqlite: add guild feed %s: %w", f.URL, err)
		}
		return nil
	})
	return out, err
}

const guildFeedColumns = `guild_id, url, source, outlet, language, added_by, added`

func scanGuildFeed(sc interface{ Scan(...any) error }) (store.GuildFeed, error) {
	var (
		f     store.GuildFeed
		added sql.NullString
	)
	if err := sc.Scan(&f.GuildID, &f.URL, &f.Source, &f.Outlet, &f.Language, &f.AddedBy, &added); err != nil {
		return f, err
	}
	var err error
	f.Added, err = parseTime(added)
	return f, err
}

// RemoveGuildFeed implements store.GuildConfig.
func (s *Store) RemoveGuildFeed(ctx context.Context, guildID, url string) (bool, error) {
	found := false
	err := s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM guild_feeds WHERE guild_id = ? AND url = ?`, guildID, url)
		if err != nil {
			return fmt.Errorf("sqlite: remove guild feed %s: %w", url, err)
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	return found, err
}

// GuildFeeds implements store.GuildConfig.
func (s *Store) GuildFeeds(ctx context.Context, guildID string) ([]store.GuildFeed, error) {
	var feeds []store.GuildFeed
	err := s.inRead(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+guildFeedColumns+` FROM guild_feeds
			WHERE ?1 = '' OR guild_id = ?1 ORDER BY guild_id, url`, guildID)
		if err != nil {
			return fmt.Errorf("sqlite: guild feeds: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanGuildFeed(rows)
			if err != nil {
				return fmt.Errorf("sqlite: guild feeds: %w", err)
			}
			feeds = append(feeds, f)
		}
		return rows.Err()
	})
	return feeds, err
}

// SaveGuildTopic implements store.GuildConfig.
func (s *Store) SaveGuildTopic(ctx context.Context, t store.GuildTopic) error {
	if err := storeutil.CheckGuildTopic(t); err != nil {
		return fmt.Errorf("sqlite: save guild topic: %w", err)
	}
	created, err := timeArg(t.Created)
	if err != nil {
		return fmt.Errorf("sqlite: save guild topic: %w", err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO guild_topics (guild_id, name, description, include, exclude, require, created_by, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (guild_id, name) DO UPDATE SET
			    description = excluded.description, include = excluded.include,
			    exclude = excluded.exclude, require = excluded.require,
			    created_by = excluded.created_by, created = excluded.created`,
			t.GuildID, t.Name, t.Description, jsonList(t.Include), jsonList(t.Exclude), jsonList(t.Require),
			t.CreatedBy, created); err != nil {
			return fmt.Errorf("sqlite: save guild topic %q: %w", t.Name, err)
		}
		return nil
	})
}

// DeleteGuildTopic implements store.GuildConfig.
func (s *Store) DeleteGuildTopic(ctx context.Context, guildID, name string) (bool, error) {
	found := false
	err := s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM guild_topics WHERE guild_id = ? AND name = ?`, guildID, name)
		if err != nil {
			return fmt.Errorf("sqlite: delete guild topic %q: %w", name, err)
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	return found, err
}

// GuildTopics implements store.GuildConfig.
func (s *Store) GuildTopics(ctx context.Context, guildID string) ([]store.GuildTopic, error) {
	var topics []store.GuildTopic
	err := s.inRead(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT guild_id, name, description, include, exclude, require, created_by, created FROM guild_topics
			WHERE ?1 = '' OR guild_id = ?1 ORDER BY guild_id, name`, guildID)
		if err != nil {
			return fmt.Errorf("sqlite: guild topics: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				t                         store.GuildTopic
				include, exclude, require string
				created                   sql.NullString
			)
			if err := rows.Scan(&t.GuildID, &t.Name, &t.Description, &include, &exclude, &require, &t.CreatedBy, &created); err != nil {
				return fmt.Errorf("sqlite: guild topics: %w", err)
			}
			for _, l := range []struct {
				dst *[]string
				js  string
			}{{&t.Include, include}, {&t.Exclude, exclude}, {&t.Require, require}} {
				if *l.dst, err = decodeList(l.js); err != nil {
					return err
				}
			}
			if t.Created, err = parseTime(created); err != nil {
				return err
			}
			topics = append(topics, t)
		}
		return rows.Err()
	})
	return topics, err
}
