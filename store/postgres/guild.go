package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// AddGuildFeed implements store.GuildConfig.
func (s *Store) AddGuildFeed(ctx context.Context, f store.GuildFeed, max int) (store.GuildFeed, error) {
	if err := storeutil.CheckGuildFeed(f); err != nil {
		return store.GuildFeed{}, fmt.Errorf("postgres: add guild feed: %w", err)
	}
	var out store.GuildFeed
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Servers adding feeds at once take turns, so the limit holds and
		// one URL gets one source.
		if _, err := tx.Exec(ctx, `LOCK TABLE guild_feeds IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("postgres: add guild feed %s: %w", f.URL, err)
		}
		// A URL another server added is polled under its source already.
		var shared string
		err := tx.QueryRow(ctx, `SELECT source FROM guild_feeds WHERE url = $1 ORDER BY added LIMIT 1`, clean(f.URL)).Scan(&shared)
		switch {
		case err == nil:
			f.Source = shared
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("postgres: add guild feed %s: %w", f.URL, err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM guild_feeds WHERE guild_id = $1 AND url = $2)`,
			clean(f.GuildID), clean(f.URL)).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: add guild feed %s: %w", f.URL, err)
		}
		if !exists && max > 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM guild_feeds WHERE guild_id = $1`, clean(f.GuildID)).Scan(&n); err != nil {
				return fmt.Errorf("postgres: add guild feed %s: %w", f.URL, err)
			}
			if n >= max {
				return fmt.Errorf("server %s has %d feeds, the most it may have: %w", f.GuildID, n, store.ErrLimit)
			}
		}
		out, err = scanGuildFeed(tx.QueryRow(ctx, `
			INSERT INTO guild_feeds (guild_id, url, source, outlet, language, added_by, added)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (guild_id, url) DO UPDATE SET outlet = excluded.outlet, language = excluded.language
			RETURNING `+guildFeedColumns,
			clean(f.GuildID), clean(f.URL), clean(f.Source), clean(f.Outlet), clean(f.Language), clean(f.AddedBy), ts(f.Added)))
		if err != nil {
			return fmt.Errorf("postgres: add guild feed %s: %w", f.URL, err)
		}
		return nil
	})
	return out, err
}

const guildFeedColumns = `guild_id, url, source, outlet, language, added_by, added`

func scanGuildFeed(row pgx.Row) (store.GuildFeed, error) {
	var (
		f     store.GuildFeed
		added pgtype.Timestamptz
	)
	if err := row.Scan(&f.GuildID, &f.URL, &f.Source, &f.Outlet, &f.Language, &f.AddedBy, &added); err != nil {
		return f, err
	}
	f.Added = fromTS(added)
	return f, nil
}

// RemoveGuildFeed implements store.GuildConfig.
func (s *Store) RemoveGuildFeed(ctx context.Context, guildID, url string) (bool, error) {
	if err := s.enter(); err != nil {
		return false, err
	}
	defer s.mu.RUnlock()
	tag, err := s.pool.Exec(ctx, `DELETE FROM guild_feeds WHERE guild_id = $1 AND url = $2`, clean(guildID), clean(url))
	if err != nil {
		return false, fmt.Errorf("postgres: remove guild feed %s: %w", url, err)
	}
	return tag.RowsAffected() > 0, nil
}

// GuildFeeds implements store.GuildConfig.
func (s *Store) GuildFeeds(ctx context.Context, guildID string) ([]store.GuildFeed, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, `SELECT `+guildFeedColumns+` FROM guild_feeds
		WHERE $1 = '' OR guild_id = $1 ORDER BY guild_id, url`, clean(guildID))
	if err != nil {
		return nil, fmt.Errorf("postgres: guild feeds: %w", err)
	}
	feeds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.GuildFeed, error) { return scanGuildFeed(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: guild feeds: %w", err)
	}
	return feeds, nil
}

// SaveGuildTopic implements store.GuildConfig.
func (s *Store) SaveGuildTopic(ctx context.Context, t store.GuildTopic) error {
	if err := storeutil.CheckGuildTopic(t); err != nil {
		return fmt.Errorf("postgres: save guild topic: %w", err)
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO guild_topics (guild_id, name, description, include, exclude, require, created_by, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (guild_id, name) DO UPDATE SET
		    description = excluded.description, include = excluded.include,
		    exclude = excluded.exclude, require = excluded.require,
		    created_by = excluded.created_by, created = excluded.created`,
		clean(t.GuildID), clean(t.Name), clean(t.Description), nonNil(cleanAll(t.Include)), nonNil(cleanAll(t.Exclude)),
		nonNil(cleanAll(t.Require)), clean(t.CreatedBy), ts(t.Created)); err != nil {
		return fmt.Errorf("postgres: save guild topic %q: %w", t.Name, err)
	}
	return nil
}

// nonNil gives a NOT NULL array column an empty array for nil.
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// DeleteGuildTopic implements store.GuildConfig.
func (s *Store) DeleteGuildTopic(ctx context.Context, guildID, name string) (bool, error) {
	if err := s.enter(); err != nil {
		return false, err
	}
	defer s.mu.RUnlock()
	tag, err := s.pool.Exec(ctx, `DELETE FROM guild_topics WHERE guild_id = $1 AND name = $2`, clean(guildID), clean(name))
	if err != nil {
		return false, fmt.Errorf("postgres: delete guild topic %q: %w", name, err)
	}
	return tag.RowsAffected() > 0, nil
}

// GuildTopics implements store.GuildConfig.
func (s *Store) GuildTopics(ctx context.Context, guildID string) ([]store.GuildTopic, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, `
		SELECT guild_id, name, description, include, exclude, require, created_by, created FROM guild_topics
		WHERE $1 = '' OR guild_id = $1 ORDER BY guild_id, name`, clean(guildID))
	if err != nil {
		return nil, fmt.Errorf("postgres: guild topics: %w", err)
	}
	topics, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.GuildTopic, error) {
		var (
			t       store.GuildTopic
			created pgtype.Timestamptz
		)
		err := r.Scan(&t.GuildID, &t.Name, &t.Description, &t.Include, &t.Exclude, &t.Require, &t.CreatedBy, &created)
		t.Created = fromTS(created)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: guild topics: %w", err)
	}
	return topics, nil
}
